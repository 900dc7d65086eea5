import { afterEach, describe, expect, it } from '@jest/globals';
import {
  decodeMessageRecord,
  decodeMessageRecords,
  decodeOffsetMessageId,
  encodeBatchMessages,
  Message,
} from '../../../lib/message/index.js';
import { RemotingCommand, RequestCode, ResponseCode } from '../../../lib/remoting/index.js';
import { props, pull, sendV2, startBundled, uniqKey } from './broker-test-kit.js';

const BROKER = '127.0.0.1:10911';

describe('SendMessageProcessor', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('stores the golden vector: storeSize 190 each, the 4th at commitLogOffset 570', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const request = RemotingCommand.createRequest(
        RequestCode.SEND_MESSAGE_V2,
        { a: 'PID', b: 'TopicTest', c: 'TBW102', d: 4, e: 0, f: 0, g: Date.now(), h: 0, i: props({ UNIQ_KEY: uniqKey(), TAGS: 'TagA' }) },
        Buffer.from(`Hello RocketMQ ${i}`),
      );
      const response = await kit.client.invoke(BROKER, request, 3000);
      expect(response.code).toBe(ResponseCode.SUCCESS);
      expect(response.extFields.queueOffset).toBe(String(i));
      ids.push(response.extFields.msgId);
    }
    expect(decodeOffsetMessageId(ids[3])).toEqual({ address: BROKER, commitLogOffset: 570 });
    const pulled = await kit.client.invoke(BROKER, pull('TopicTest', 0, 0), 3000);
    const messages = decodeMessageRecords(pulled.body!);
    expect(messages.map((m) => m.storeSize)).toEqual([190, 190, 190, 190]);
    expect(messages[3].commitLogOffset).toBe(570);
    expect(messages[3].bodyCRC).toBe(1032136437);
    expect(messages[3].properties.CLUSTER).toBe('DefaultCluster');
    expect(messages[3].offsetMsgId).toBe(ids[3]);
  });

  it('accepts SEND_MESSAGE with long header names and answers the RocketMQ response header', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const key = uniqKey();
    const request = RemotingCommand.createRequest(
      RequestCode.SEND_MESSAGE,
      {
        producerGroup: 'PID',
        topic: 'V1Topic',
        defaultTopic: 'TBW102',
        defaultTopicQueueNums: 4,
        queueId: 1,
        sysFlag: 0,
        bornTimestamp: Date.now(),
        flag: 3,
        properties: props({ UNIQ_KEY: key, KEYS: 'k1 k2', DELAY: '3' }),
        reconsumeTimes: 0,
      },
      Buffer.from('v1'),
    );
    const response = await kit.client.invoke(BROKER, request, 3000);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(response.extFields).toMatchObject({
      queueId: '1',
      queueOffset: '0',
      transactionId: key,
      MSG_REGION: 'DefaultRegion',
      TRACE_ON: 'true',
    });
    const view = await kit.client.invoke(
      BROKER,
      RemotingCommand.createRequest(RequestCode.VIEW_MESSAGE_BY_ID, { offset: decodeOffsetMessageId(response.extFields.msgId).commitLogOffset }),
      3000,
    );
    const msg = decodeMessageRecord(view.body!);
    expect(msg.flag).toBe(3);
    expect(msg.bornHost).toBe('127.0.0.1:50001');
    expect(msg.properties).toMatchObject({ UNIQ_KEY: key, KEYS: 'k1 k2', DELAY: '3', CLUSTER: 'DefaultCluster' });
  });

  it('picks queues round robin when queueId < 0 and generates a UNIQ_KEY when none is sent', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const queues: string[] = [];
    for (let i = 0; i < 4; i++) {
      const request = sendV2('RR', 'x', { queueId: -1 });
      request.extFields.i = '';
      const response = await kit.client.invoke(BROKER, request, 3000);
      queues.push(response.extFields.queueId);
      expect(response.extFields.transactionId).toMatch(/^[0-9A-F]{32}$/);
    }
    expect(new Set(queues).size).toBe(4);
  });

  it('stores a batch with one UNIQ_KEY per message and comma-joined offset ids', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const messages = [0, 1, 2].map((i) => new Message('BatchTopic', `b${i}`, { tags: i === 1 ? 'X' : 'Y', properties: { UNIQ_KEY: uniqKey() } }));
    const request = RemotingCommand.createRequest(
      RequestCode.SEND_BATCH_MESSAGE,
      { a: 'PID', b: 'BatchTopic', c: 'TBW102', d: 4, e: 2, f: 0, g: Date.now(), h: 0, i: props({ WAIT: 'true' }), m: true },
      encodeBatchMessages(messages),
    );
    const response = await kit.client.invoke(BROKER, request, 3000);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(response.extFields.queueOffset).toBe('0');
    expect(response.extFields.queueId).toBe('2');
    const ids = response.extFields.msgId.split(',');
    expect(ids).toHaveLength(3);
    const pulled = decodeMessageRecords((await kit.client.invoke(BROKER, pull('BatchTopic', 2, 0), 3000)).body!);
    expect(pulled.map((m) => m.body.toString())).toEqual(['b0', 'b1', 'b2']);
    expect(pulled.map((m) => m.offsetMsgId)).toEqual(ids);
    expect(pulled.map((m) => m.properties.UNIQ_KEY)).toEqual(messages.map((m) => m.properties.UNIQ_KEY));
    expect(pulled[1].properties).toMatchObject({ TAGS: 'X', WAIT: 'true', CLUSTER: 'DefaultCluster' });
  });

  it('rejects oversize bodies with MESSAGE_ILLEGAL naming the size and the limit', async () => {
    const kit = await startBundled({ broker: { maxMessageSize: 2048 } });
    stop = kit.stop;
    const response = await kit.client.invoke(BROKER, sendV2('Big', Buffer.alloc(4096)), 3000);
    expect(response.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(response.remark).toMatch(/4\d{3} bytes/);
    expect(response.remark).toContain('2048');
  });

  it('rejects bad, overlong and broker-only topics with a named remark', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const bad = await kit.client.invoke(BROKER, sendV2('bad topic', 'x'), 3000);
    expect(bad.code).toBe(ResponseCode.INVALID_PARAMETER);
    expect(bad.remark).toContain('contains illegal characters');
    const long = await kit.client.invoke(BROKER, sendV2('t'.repeat(128), 'x'), 3000);
    expect(long.code).toBe(ResponseCode.INVALID_PARAMETER);
    expect(long.remark).toContain('longer than topic max length: 127');
    const sys = await kit.client.invoke(BROKER, sendV2('SCHEDULE_TOPIC_XXXX', 'x'), 3000);
    expect(sys.code).toBe(ResponseCode.NO_PERMISSION);
    expect(sys.remark).toBe('Sending message to topic[SCHEDULE_TOPIC_XXXX] is forbidden.');
    const queue = await kit.client.invoke(BROKER, sendV2('Q', 'x', { queueId: 9 }), 3000);
    expect(queue.code).toBe(ResponseCode.INVALID_PARAMETER);
    expect(queue.remark).toContain('queueId[9] is illegal');
  });

  it('answers TOPIC_NOT_EXIST for unknown topics when autoCreateTopicEnable is off', async () => {
    const kit = await startBundled({ broker: { autoCreateTopicEnable: false } });
    stop = kit.stop;
    const response = await kit.client.invoke(BROKER, sendV2('Nope', 'x'), 3000);
    expect(response.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(response.remark).toContain('topic[Nope] not exist');
  });

  it('runs put interceptors before storing (the slot for delay and transaction services)', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    kit.mq.brokerController.sendMessageProcessor.registerPutMessageInterceptor({
      beforePutMessage(ctx) {
        if (ctx.properties.DELAY) ctx.properties.SEEN_BY_HOOK = 'yes';
        if (ctx.properties.BLOCK) return RemotingCommand.createResponse(ResponseCode.NO_PERMISSION, 'blocked');
        return undefined;
      },
    });
    const delayed = await kit.client.invoke(BROKER, sendV2('Hooked', 'x', { properties: { DELAY: '2' } }), 3000);
    expect(delayed.code).toBe(ResponseCode.SUCCESS);
    const stored = kit.mq.brokerController.messageStore.lookMessageByOffset(decodeOffsetMessageId(delayed.extFields.msgId).commitLogOffset)!;
    expect(stored.properties).toMatchObject({ DELAY: '2', SEEN_BY_HOOK: 'yes' });
    const blocked = await kit.client.invoke(BROKER, sendV2('Hooked', 'x', { properties: { BLOCK: '1' } }), 3000);
    expect(blocked.code).toBe(ResponseCode.NO_PERMISSION);
  });
});
