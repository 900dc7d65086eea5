import { afterEach, describe, expect, it } from '@jest/globals';
import {
  InProcessRemotingClient,
  RemotingCommand,
  RequestCode,
  ResponseCode,
} from '../../../lib/remoting/index.js';
import { heartbeat, sendV2, startBundled } from './broker-test-kit.js';

const BROKER = '127.0.0.1:10911';

function waitFor(predicate: () => boolean, timeoutMillis = 1000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (predicate()) resolve();
      else if (Date.now() - started > timeoutMillis) reject(new Error('condition not met in time'));
      else setTimeout(tick, 2);
    };
    tick();
  });
}

describe('ClientManageProcessor and ConsumerManageProcessor', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('registers consumers by heartbeat, lists them, and notifies the group when members change', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const other = new InProcessRemotingClient(kit.mq.registry, '127.0.0.1:50002');
    const notified: string[] = [];
    kit.client.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, {
      processRequest: (_channel, request) => {
        notified.push(request.extFields.consumerGroup);
        expect(request.isOneway()).toBe(true);
        return null;
      },
    });
    const list = RemotingCommand.createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'G' });
    const none = await kit.client.invoke(BROKER, list, 3000);
    expect(none.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(none.remark).toBe('no consumer for this group, G');

    expect((await kit.client.invoke(BROKER, heartbeat('10.0.0.1@1', 'G', 'T'), 3000)).code).toBe(ResponseCode.SUCCESS);
    await other.invoke(BROKER, heartbeat('10.0.0.2@2', 'G', 'T'), 3000);
    await waitFor(() => notified.length >= 2);
    expect(notified.every((g) => g === 'G')).toBe(true);

    const ids = await kit.client.invoke(BROKER, list, 3000);
    expect(JSON.parse(ids.body!.toString()).consumerIdList.sort()).toEqual(['10.0.0.1@1', '10.0.0.2@2']);
    // The retry topic of a clustering group is created with one queue.
    expect(kit.mq.brokerController.topicConfigManager.selectTopicConfig('%RETRY%G')).toMatchObject({ readQueueNums: 1, writeQueueNums: 1, perm: 6 });

    // Same client again: no change, no notification.
    const before = notified.length;
    await kit.client.invoke(BROKER, heartbeat('10.0.0.1@1', 'G', 'T'), 3000);
    await new Promise((r) => setTimeout(r, 5));
    expect(notified.length).toBe(before);

    // The other client closes its connection: it leaves, and the remaining member is told.
    other.shutdown();
    await waitFor(() => notified.length > before);
    const after = await kit.client.invoke(BROKER, list, 3000);
    expect(JSON.parse(after.body!.toString()).consumerIdList).toEqual(['10.0.0.1@1']);

    const unregister = RemotingCommand.createRequest(RequestCode.UNREGISTER_CLIENT, { clientID: '10.0.0.1@1', consumerGroup: 'G', producerGroup: 'PID_TEST' });
    expect((await kit.client.invoke(BROKER, unregister, 3000)).code).toBe(ResponseCode.SUCCESS);
    expect((await kit.client.invoke(BROKER, list, 3000)).code).toBe(ResponseCode.SYSTEM_ERROR);

    const check = await kit.client.invoke(BROKER, RemotingCommand.createRequest(RequestCode.CHECK_CLIENT_CONFIG, { clientID: 'x' }), 3000);
    expect(check.code).toBe(ResponseCode.SUCCESS);
  });

  it('expires consumers that stopped heart-beating', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    await kit.client.invoke(BROKER, heartbeat('c@1', 'GX', 'T'), 3000);
    const controller = kit.mq.brokerController;
    expect(controller.consumerManager.getConsumerGroupInfo('GX')).toBeDefined();
    controller.scanNotActiveChannels(Date.now() + 120001);
    expect(controller.consumerManager.getConsumerGroupInfo('GX')).toBeUndefined();
  });

  it('follows RocketMQ rules for QUERY_CONSUMER_OFFSET and UPDATE_CONSUMER_OFFSET', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const query = (queueId: number, setZeroIfNotFound?: boolean) =>
      kit.client.invoke(
        BROKER,
        RemotingCommand.createRequest(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'NewGroup', topic: 'Off', queueId, setZeroIfNotFound }),
        3000,
      );
    // Empty queue: nothing stored, offset 0 not in the store.
    const empty = await query(0);
    expect(empty.code).toBe(ResponseCode.QUERY_NOT_FOUND);
    expect(empty.remark).toBe('Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first');
    await kit.client.invoke(BROKER, sendV2('Off', 'x'), 3000);
    // A new group while offset 0 is still held starts at 0.
    const zero = await query(0);
    expect(zero.code).toBe(ResponseCode.SUCCESS);
    expect(zero.extFields.offset).toBe('0');
    expect((await query(0, false)).code).toBe(ResponseCode.QUERY_NOT_FOUND);

    const update = (commitOffset: number) =>
      RemotingCommand.createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: 'NewGroup', topic: 'Off', queueId: 0, commitOffset });
    expect((await kit.client.invoke(BROKER, update(1), 3000)).code).toBe(ResponseCode.SUCCESS);
    expect((await kit.client.invoke(BROKER, update(-1), 3000)).code).toBe(ResponseCode.SUCCESS);
    const stored = await query(0, false);
    expect(stored.code).toBe(ResponseCode.SUCCESS);
    expect(stored.extFields.offset).toBe('1');
    kit.client.invokeOneway(BROKER, update(5));
    await new Promise((r) => setImmediate(r));
    expect(kit.mq.brokerController.consumerOffsetManager.queryOffset('NewGroup', 'Off', 0)).toBe(5);
  });

  it('answers max/min offsets, search by time, earliest store time, topic admin and view by id', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const ask = (code: number, header: Record<string, unknown>) => kit.client.invoke(BROKER, RemotingCommand.createRequest(code, header), 3000);
    const beforeFirst = Date.now();
    await kit.client.invoke(BROKER, sendV2('Adm', 'a'), 3000);
    await new Promise((r) => setTimeout(r, 5));
    const middle = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    await kit.client.invoke(BROKER, sendV2('Adm', 'b'), 3000);
    expect((await ask(RequestCode.GET_MAX_OFFSET, { topic: 'Adm', queueId: 0 })).extFields.offset).toBe('2');
    expect((await ask(RequestCode.GET_MAX_OFFSET, { topic: 'Adm', queueId: 3 })).extFields.offset).toBe('0');
    expect((await ask(RequestCode.GET_MIN_OFFSET, { topic: 'Adm', queueId: 0 })).extFields.offset).toBe('0');
    expect((await ask(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, { topic: 'Adm', queueId: 0, timestamp: middle })).extFields.offset).toBe('1');
    expect((await ask(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, { topic: 'Adm', queueId: 0, timestamp: Date.now() + 1000 })).extFields.offset).toBe('2');
    const earliest = Number((await ask(RequestCode.GET_EARLIEST_MSG_STORETIME, { topic: 'Adm', queueId: 0 })).extFields.timestamp);
    expect(earliest).toBeGreaterThanOrEqual(beforeFirst);
    expect(earliest).toBeLessThanOrEqual(middle);

    const create = await ask(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 'Made', readQueueNums: 8, writeQueueNums: 8, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false });
    expect(create.code).toBe(ResponseCode.SUCCESS);
    const route = await kit.client.invoke('127.0.0.1:9876', RemotingCommand.createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Made' }), 3000);
    expect(JSON.parse(route.body!.toString()).queueDatas[0].writeQueueNums).toBe(8);
    const conflict = await ask(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 'TBW102', readQueueNums: 1, writeQueueNums: 1, perm: 6 });
    expect(conflict.code).not.toBe(ResponseCode.SUCCESS);
    const all = await ask(RequestCode.GET_ALL_TOPIC_CONFIG, {});
    expect(Object.keys(JSON.parse(all.body!.toString()).topicConfigTable)).toEqual(expect.arrayContaining(['TBW102', 'Adm', 'Made']));
    const missing = await ask(RequestCode.VIEW_MESSAGE_BY_ID, { offset: 999999 });
    expect(missing.code).toBe(ResponseCode.SYSTEM_ERROR);
  });
});
