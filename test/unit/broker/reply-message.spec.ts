import { afterEach, describe, expect, it } from '@jest/globals';
import { string2messageProperties } from '../../../lib/message/index.js';
import {
  InProcessRemotingClient,
  RemotingCommand,
  RequestCode,
  ResponseCode,
} from '../../../lib/remoting/index.js';
import { props, startBundled, uniqKey } from './broker-test-kit.js';
import { BROKER, producerHeartbeat, pullAll } from './transaction-test-kit.js';

const REPLY_TOPIC = 'DefaultCluster_REPLY_TOPIC';

function sendReplyV2(replyTo: string, correlationId: string, body: string): RemotingCommand {
  return RemotingCommand.createRequest(
    RequestCode.SEND_REPLY_MESSAGE_V2,
    {
      a: 'CID_REPLIER',
      b: REPLY_TOPIC,
      c: 'TBW102',
      d: 4,
      e: -1,
      f: 0,
      g: Date.now(),
      h: 0,
      i: props({ UNIQ_KEY: uniqKey(), CORRELATION_ID: correlationId, REPLY_TO_CLIENT: replyTo, TTL: '3000', MSG_TYPE: 'reply', CLUSTER: 'DefaultCluster' }),
      j: 0,
      k: false,
    },
    Buffer.from(body),
  );
}

describe('ReplyMessageProcessor', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('creates the reply topic at start, so it has a route', async () => {
    const kit = await startBundled();
    cleanups.push(kit.stop);
    const route = await kit.client.invoke('127.0.0.1:9876', RemotingCommand.createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: REPLY_TOPIC }), 3000);
    expect(route.code).toBe(ResponseCode.SUCCESS);
    const data = JSON.parse(route.body!.toString()) as { queueDatas: Array<{ readQueueNums: number; perm: number }> };
    expect(data.queueDatas[0]).toMatchObject({ readQueueNums: 1, perm: 6 });
  });

  it('pushes a reply to the requester named by REPLY_TO_CLIENT and stores it', async () => {
    const kit = await startBundled();
    cleanups.push(kit.stop);
    const requester = new InProcessRemotingClient(kit.mq.registry, '127.0.0.1:50031');
    cleanups.push(() => requester.shutdown());
    const pushed: RemotingCommand[] = [];
    requester.registerProcessor(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, {
      processRequest: (_channel, request) => {
        pushed.push(request);
        return RemotingCommand.createResponse(ResponseCode.SUCCESS);
      },
    });
    await requester.invoke(BROKER, producerHeartbeat('127.0.0.1@requester', 'PID_REQUESTER'), 3000);

    const response = await kit.client.invoke(BROKER, sendReplyV2('127.0.0.1@requester', 'corr-1', 'the answer'), 3000);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(response.extFields.msgId).toMatch(/^[0-9A-F]{32}$/);
    expect(response.extFields.queueOffset).toBe('0');
    expect(pushed).toHaveLength(1);
    const push = pushed[0];
    expect(push.body!.toString()).toBe('the answer');
    expect(push.extFields).toMatchObject({
      producerGroup: 'CID_REPLIER',
      topic: REPLY_TOPIC,
      sysFlag: '0',
      bornHost: '127.0.0.1:50001',
      storeHost: BROKER,
    });
    expect(Number(push.extFields.storeTimestamp)).toBeGreaterThan(0);
    const properties = string2messageProperties(push.extFields.properties);
    expect(properties).toMatchObject({ CORRELATION_ID: 'corr-1', REPLY_TO_CLIENT: '127.0.0.1@requester', MSG_TYPE: 'reply', TTL: '3000' });
    expect(Number(properties.PUSH_REPLY_TIME)).toBeGreaterThan(0);

    const stored = await pullAll(kit.client, REPLY_TOPIC);
    expect(stored.map((m) => m.properties.CORRELATION_ID)).toEqual(['corr-1']);
  });

  it('answers SYSTEM_ERROR when the requester is not connected', async () => {
    const kit = await startBundled({ broker: { storeReplyMessageEnable: false } });
    cleanups.push(kit.stop);
    const response = await kit.client.invoke(BROKER, sendReplyV2('10.0.0.9@gone', 'corr-2', 'lost'), 3000);
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toBe('push reply message fail, channel of <10.0.0.9@gone> not found.');
    expect(await pullAll(kit.client, REPLY_TOPIC)).toHaveLength(0);
  });

  it('accepts SEND_REPLY_MESSAGE with long header names and reaches a consumer-only requester', async () => {
    const kit = await startBundled();
    cleanups.push(kit.stop);
    const requester = new InProcessRemotingClient(kit.mq.registry, '127.0.0.1:50032');
    cleanups.push(() => requester.shutdown());
    const pushed: RemotingCommand[] = [];
    requester.registerProcessor(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, {
      processRequest: (_channel, request) => {
        pushed.push(request);
        return RemotingCommand.createResponse(ResponseCode.SUCCESS);
      },
    });
    const heartbeat = RemotingCommand.createRequest(
      RequestCode.HEART_BEAT,
      {},
      Buffer.from(
        JSON.stringify({
          clientID: '127.0.0.1@consumer',
          producerDataSet: [],
          consumerDataSet: [{ groupName: 'CID_X', consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET', subscriptionDataSet: [], unitMode: false }],
        }),
      ),
    );
    await requester.invoke(BROKER, heartbeat, 3000);
    const request = RemotingCommand.createRequest(
      RequestCode.SEND_REPLY_MESSAGE,
      {
        producerGroup: 'CID_REPLIER',
        topic: REPLY_TOPIC,
        defaultTopic: 'TBW102',
        defaultTopicQueueNums: 4,
        queueId: 0,
        sysFlag: 0,
        bornTimestamp: Date.now(),
        flag: 0,
        properties: props({ CORRELATION_ID: 'corr-3', REPLY_TO_CLIENT: '127.0.0.1@consumer', MSG_TYPE: 'reply' }),
      },
      Buffer.from('v1'),
    );
    const response = await kit.client.invoke(BROKER, request, 3000);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(pushed.map((p) => string2messageProperties(p.extFields.properties).CORRELATION_ID)).toEqual(['corr-3']);
  });
});
