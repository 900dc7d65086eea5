import { afterEach, describe, expect, it } from '@jest/globals';
import { decodeMessageRecords } from '../../../lib/message/index.js';
import { InProcessRemotingClient, PullSysFlag, RemotingCommand, RequestCode, ResponseCode } from '../../../lib/remoting/index.js';
import { heartbeat, pull, sendV2, startBundled } from './broker-test-kit.js';

const BROKER = '127.0.0.1:10911';
const LEVELS = Array.from({ length: 18 }, () => '10ms').join(' ');

const sendBack = (offset: number, group: string, extra: Record<string, unknown> = {}) =>
  RemotingCommand.createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, { offset, group, delayLevel: 0, unitMode: false, ...extra });

describe('retry, DLQ, SQL92 pulls, QUERY_MESSAGE and reset offset', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('CONSUMER_SEND_MSG_BACK: %RETRY% with the same UNIQ_KEY, then %DLQ% past maxReconsumeTimes', async () => {
    const kit = await startBundled({ broker: { messageDelayLevel: LEVELS } });
    stop = kit.stop;
    const sent = await kit.client.invoke(BROKER, sendV2('Orders', 'o-1', { tags: 'A' }), 3000);
    const uniq = sent.extFields.transactionId;
    let current = decodeMessageRecords((await kit.client.invoke(BROKER, pull('Orders', 0, 0), 3000)).body!)[0];
    const unknown = await kit.client.invoke(BROKER, sendBack(987654, 'G'), 3000);
    expect(unknown.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(unknown.remark).toMatch(/look message by offset failed, 987654/);

    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await kit.client.invoke(BROKER, sendBack(current.commitLogOffset, 'G', { maxReconsumeTimes: 2, originMsgId: uniq }), 3000);
      expect(r.code).toBe(ResponseCode.SUCCESS);
      let retry;
      const deadline = Date.now() + 2000;
      while (!retry && Date.now() < deadline) {
        const p = await kit.client.invoke(BROKER, pull('%RETRY%G', 0, attempt, { suspendTimeoutMillis: 300, sysFlag: PullSysFlag.SUBSCRIPTION | PullSysFlag.SUSPEND }), 3000);
        if (p.code === ResponseCode.SUCCESS) retry = decodeMessageRecords(p.body!)[0];
      }
      expect(retry).toBeDefined();
      expect(retry!.reconsumeTimes).toBe(attempt + 1);
      expect(retry!.msgId).toBe(uniq);
      expect(retry!.properties).toMatchObject({ RETRY_TOPIC: 'Orders', ORIGIN_MESSAGE_ID: uniq, TAGS: 'A' });
      current = retry!;
    }
    const toDlq = await kit.client.invoke(BROKER, sendBack(current.commitLogOffset, 'G', { maxReconsumeTimes: 2 }), 3000);
    expect(toDlq.code).toBe(ResponseCode.SUCCESS);
    const dlqConfig = kit.mq.brokerController.topicConfigManager.selectTopicConfig('%DLQ%G');
    expect(dlqConfig).toMatchObject({ readQueueNums: 1, writeQueueNums: 1, perm: 6 });
    const dead = decodeMessageRecords((await kit.client.invoke(BROKER, pull('%DLQ%G', 0, 0), 3000)).body!);
    expect(dead).toHaveLength(1);
    expect(dead[0].msgId).toBe(uniq);
    expect(dead[0].reconsumeTimes).toBe(3);
    expect(dead[0].body.toString()).toBe('o-1');

    // delayLevel < 0 goes to the DLQ at once; a %RETRY% send past its max does too (handleRetryAndDLQ).
    await kit.client.invoke(BROKER, sendBack(current.commitLogOffset, 'G', { delayLevel: -1 }), 3000);
    const direct = sendV2('%RETRY%G', 'fallback');
    direct.extFields.j = '17';
    direct.extFields.l = '16';
    expect((await kit.client.invoke(BROKER, direct, 3000)).code).toBe(ResponseCode.SUCCESS);
    expect(kit.mq.brokerController.messageStore.getMaxOffsetInQueue('%DLQ%G', 0)).toBe(3);
  });

  it('SQL92 pulls filter on properties; parse errors and a disabled filter are refused', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    for (let i = 0; i < 10; i++) {
      await kit.client.invoke(BROKER, sendV2('Props', `m${i}`, { properties: { a: String(i), b: i % 2 ? 'abc' : 'x' } }), 3000);
    }
    const sqlPull = (expr: string) => {
      const r = pull('Props', 0, 0, { subscription: expr });
      r.extFields.expressionType = 'SQL92';
      return r;
    };
    const hit = await kit.client.invoke(BROKER, sqlPull("a > 5 AND b = 'abc'"), 3000);
    expect(decodeMessageRecords(hit.body!).map((m) => m.body.toString())).toEqual(['m7', 'm9']);
    const bad = await kit.client.invoke(BROKER, sqlPull('a >'), 3000);
    expect(bad.code).toBe(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    expect(bad.remark).toMatch(/position 3/);
    await kit.stop();

    const off = await startBundled({ broker: { enablePropertyFilter: false } });
    stop = off.stop;
    await off.client.invoke(BROKER, sendV2('Props', 'm'), 3000);
    const refused = await off.client.invoke(BROKER, sqlPull('a > 1'), 3000);
    expect(refused.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(refused.remark).toMatch(/enablePropertyFilter=true/);
  });

  it('QUERY_MESSAGE by KEYS entry and by UNIQ_KEY; QUERY_NOT_FOUND otherwise', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const first = await kit.client.invoke(BROKER, sendV2('Ledger', 'e1', { properties: { KEYS: 'acct-9 order-1' } }), 3000);
    await kit.client.invoke(BROKER, sendV2('Ledger', 'e2', { properties: { KEYS: 'acct-9' } }), 3000);
    await kit.client.invoke(BROKER, sendV2('Other', 'e3', { properties: { KEYS: 'acct-9' } }), 3000);
    const query = (key: string, ext: Record<string, string> = {}) => {
      const r = RemotingCommand.createRequest(RequestCode.QUERY_MESSAGE, { topic: 'Ledger', key, maxNum: 32, beginTimestamp: 0, endTimestamp: Date.now() + 1000 });
      Object.assign(r.extFields, ext);
      return kit.client.invoke(BROKER, r, 3000);
    };
    const byKey = await query('acct-9');
    expect(byKey.code).toBe(ResponseCode.SUCCESS);
    expect(decodeMessageRecords(byKey.body!).map((m) => m.body.toString())).toEqual(['e2', 'e1']);
    expect(Number(byKey.extFields.indexLastUpdateTimestamp)).toBeGreaterThan(0);
    expect(byKey.extFields.indexLastUpdatePhyoffset).toBeDefined();
    const byUniq = await query(first.extFields.transactionId, { _UNIQUE_KEY_QUERY: 'true' });
    expect(decodeMessageRecords(byUniq.body!).map((m) => m.body.toString())).toEqual(['e1']);
    expect((await query('order-1')).code).toBe(ResponseCode.SUCCESS);
    const none = await query('nope');
    expect(none.code).toBe(ResponseCode.QUERY_NOT_FOUND);
  });

  it('INVOKE_BROKER_TO_RESET_OFFSET stores offsets by time and tells the group with RESET_CONSUMER_CLIENT_OFFSET', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    for (let i = 0; i < 3; i++) await kit.client.invoke(BROKER, sendV2('Rewind', `old${i}`), 3000);
    await new Promise((r) => setTimeout(r, 5));
    const resetPoint = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 2; i++) await kit.client.invoke(BROKER, sendV2('Rewind', `new${i}`), 3000);
    const offsets = kit.mq.brokerController.consumerOffsetManager;
    offsets.commitOffset('c', 'G', 'Rewind', 0, 5);

    const reset = (timestamp: number) =>
      kit.client.invoke(BROKER, RemotingCommand.createRequest(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, { topic: 'Rewind', group: 'G', timestamp, isForce: true }), 3000);
    // No client online: the stored offsets still move.
    const offline = await reset(resetPoint);
    expect(offline.code).toBe(ResponseCode.SUCCESS);
    expect(offsets.queryOffset('G', 'Rewind', 0)).toBe(3);
    expect(JSON.parse(offline.body!.toString()).offsetTable[0]).toEqual({
      messageQueue: { topic: 'Rewind', brokerName: 'broker-a', queueId: 0 },
      offset: 3,
    });

    const consumer = new InProcessRemotingClient(kit.mq.registry, '127.0.0.1:50002');
    const notified: RemotingCommand[] = [];
    consumer.registerProcessor(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, {
      processRequest: (_channel, request) => {
        notified.push(request);
        return null;
      },
    });
    await consumer.invoke(BROKER, heartbeat('consumer-1', 'G', 'Rewind'), 3000);
    const online = await reset(-1);
    expect(online.code).toBe(ResponseCode.SUCCESS);
    expect(offsets.queryOffset('G', 'Rewind', 0)).toBe(5);
    const deadline = Date.now() + 1000;
    while (notified.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(notified).toHaveLength(1);
    expect(notified[0].extFields).toMatchObject({ topic: 'Rewind', group: 'G', timestamp: '-1' });
    expect(JSON.parse(notified[0].body!.toString()).offsetTable).toHaveLength(4);
    consumer.shutdown();
  });
});
