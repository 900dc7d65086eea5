import { afterEach, describe, expect, it } from '@jest/globals';
import { deflateSync } from 'node:zlib';
import { decodeMessageRecord, encodeBatchMessages, Message } from '../../../lib/message/index.js';
import {
  InProcessRemotingClient,
  RemotingCommand,
  RequestCode,
  ResponseCode,
} from '../../../lib/remoting/index.js';
import { BundledRocketMQ, resolveBrokerConfig } from '../../../lib/broker/index.js';
import { props, startBundled, uniqKey } from './broker-test-kit.js';
import {
  BROKER,
  collectChecks,
  endTransaction,
  halfOf,
  halfOfCheck,
  producerHeartbeat,
  pullAll,
  sendHalf,
  sleep,
  waitFor,
} from './transaction-test-kit.js';

const FAST = { transactionCheckInterval: 50, transactionTimeOut: 100 };

describe('transactional messages', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(broker: Record<string, unknown> = {}) {
    const kit = await startBundled({ broker });
    cleanups.push(kit.stop);
    return kit;
  }

  function extraClient(mq: BundledRocketMQ, address: string): InProcessRemotingClient {
    const client = new InProcessRemotingClient(mq.registry, address);
    cleanups.push(() => client.shutdown());
    return client;
  }

  it('stores a half message invisibly and answers with its half offsets and UNIQ_KEY', async () => {
    const { client } = await start();
    const request = sendHalf('TxTopic', 'hello', 'PID_TX', { queueId: 2 });
    const response = await client.invoke(BROKER, request, 3000);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(response.extFields).toMatchObject({ queueId: '2', queueOffset: '0' });
    expect(response.extFields.transactionId).toMatch(/^[0-9A-F]{32}$/);
    expect(await pullAll(client, 'TxTopic', 2)).toHaveLength(0);

    const view = await client.invoke(
      BROKER,
      RemotingCommand.createRequest(RequestCode.VIEW_MESSAGE_BY_ID, { offset: halfOf(response).commitLogOffset }),
      3000,
    );
    const half = decodeMessageRecord(view.body!);
    expect(half.topic).toBe('RMQ_SYS_TRANS_HALF_TOPIC');
    expect(half.queueId).toBe(0);
    expect(half.sysFlag & 0xc).toBe(0);
    expect(half.properties).toMatchObject({
      REAL_TOPIC: 'TxTopic',
      REAL_QID: '2',
      TRAN_MSG: 'true',
      PGROUP: 'PID_TX',
      __transactionId__: response.extFields.transactionId,
      UNIQ_KEY: response.extFields.transactionId,
    });
  });

  it('makes a committed message visible exactly once, with the producer UNIQ_KEY, and writes an op record', async () => {
    const { client } = await start();
    const response = await client.invoke(BROKER, sendHalf('TxTopic', 'commit me', 'PID_TX', { properties: { color: 'red' } }), 3000);
    const half = halfOf(response);
    for (let i = 0; i < 3; i++) {
      const answer = await client.invoke(BROKER, endTransaction('PID_TX', half, 8), 3000);
      expect(answer.code).toBe(ResponseCode.SUCCESS);
    }
    const visible = await pullAll(client, 'TxTopic');
    expect(visible).toHaveLength(1);
    const msg = visible[0];
    expect(msg.body.toString()).toBe('commit me');
    expect(msg.msgId).toBe(half.uniqKey);
    expect(msg.sysFlag & 0xc).toBe(8);
    expect(msg.preparedTransactionOffset).toBe(half.commitLogOffset);
    expect(msg.properties).toMatchObject({ color: 'red', PGROUP: 'PID_TX', TAGS: 'TagT' });
    expect(msg.properties.TRAN_MSG).toBeUndefined();
    expect(msg.properties.REAL_TOPIC).toBeUndefined();
    expect(msg.properties.REAL_QID).toBeUndefined();

    const ops = await pullAll(client, 'RMQ_SYS_TRANS_OP_HALF_TOPIC');
    expect(ops).toHaveLength(1);
    expect(ops[0].body.toString()).toBe(half.queueOffset);
    expect(ops[0].properties.TAGS).toBe('d');
  });

  it('keeps a compressed body compressed when committing', async () => {
    const { client } = await start();
    const request = sendHalf('TxTopic', '', 'PID_TX');
    const original = Buffer.from('zipped '.repeat(50));
    request.body = deflateSync(original);
    request.extFields.f = String(0x4 | 0x1);
    const half = halfOf(await client.invoke(BROKER, request, 3000));
    await client.invoke(BROKER, endTransaction('PID_TX', half, 8), 3000);
    const [msg] = await pullAll(client, 'TxTopic');
    expect(msg.sysFlag & 0x1).toBe(1);
    expect(msg.body.equals(original)).toBe(true);
  });

  it('never delivers a rolled-back message, not even after a later commit', async () => {
    const { client } = await start();
    const half = halfOf(await client.invoke(BROKER, sendHalf('TxTopic', 'nope', 'PID_TX'), 3000));
    expect((await client.invoke(BROKER, endTransaction('PID_TX', half, 12), 3000)).code).toBe(ResponseCode.SUCCESS);
    expect((await client.invoke(BROKER, endTransaction('PID_TX', half, 8), 3000)).code).toBe(ResponseCode.SUCCESS);
    expect(await pullAll(client, 'TxTopic')).toHaveLength(0);
  });

  it('answers nothing to a oneway END_TRANSACTION and still applies it', async () => {
    const { client } = await start();
    const half = halfOf(await client.invoke(BROKER, sendHalf('TxTopic', 'oneway', 'PID_TX'), 3000));
    client.invokeOneway(BROKER, endTransaction('PID_TX', half, 8));
    await sleep(10);
    expect(await pullAll(client, 'TxTopic')).toHaveLength(1);
  });

  it('refuses END_TRANSACTION from the wrong group or with wrong offsets', async () => {
    const { client } = await start();
    const half = halfOf(await client.invoke(BROKER, sendHalf('TxTopic', 'x', 'PID_TX'), 3000));
    const wrongGroup = await client.invoke(BROKER, endTransaction('PID_OTHER', half, 8), 3000);
    expect(wrongGroup.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(wrongGroup.remark).toBe('The producer group wrong');
    const wrongOffset = await client.invoke(BROKER, endTransaction('PID_TX', { ...half, queueOffset: 7 }, 8), 3000);
    expect(wrongOffset.remark).toBe('The transaction state table offset wrong');
    const nowhere = await client.invoke(BROKER, endTransaction('PID_TX', { ...half, commitLogOffset: 5 }, 8), 3000);
    expect(nowhere.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(nowhere.remark).toBe('Find prepared transaction message failed');
    expect(await pullAll(client, 'TxTopic')).toHaveLength(0);
  });

  it('rejects delayed and batched transactional messages, and all of them when rejectTransactionMessage is on', async () => {
    const { client } = await start();
    const delayed = await client.invoke(BROKER, sendHalf('TxTopic', 'x', 'PID_TX', { properties: { DELAY: '3' } }), 3000);
    expect(delayed.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(delayed.remark).toContain('DELAY');
    const batch = RemotingCommand.createRequest(
      RequestCode.SEND_BATCH_MESSAGE,
      { a: 'PID_TX', b: 'TxTopic', c: 'TBW102', d: 4, e: 0, f: 0x4, g: Date.now(), h: 0, i: props({ TRAN_MSG: 'true', PGROUP: 'PID_TX' }), m: true },
      encodeBatchMessages([new Message('TxTopic', 'a', { properties: { UNIQ_KEY: uniqKey() } })]),
    );
    const batched = await client.invoke(BROKER, batch, 3000);
    expect(batched.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(batched.remark).toContain('transactional');
    expect(await pullAll(client, 'TxTopic')).toHaveLength(0);

    const strict = await startBundled({ broker: { rejectTransactionMessage: true, listenPort: 10921 }, nameServerAddress: '127.0.0.1:9877' });
    cleanups.push(strict.stop);
    const refused = await strict.client.invoke('127.0.0.1:10921', sendHalf('TxTopic', 'x', 'PID_TX'), 3000);
    expect(refused.code).toBe(ResponseCode.NO_PERMISSION);
  });

  it('checks an unknown transaction with a live producer of its group, and commits on its answer', async () => {
    const { mq, client } = await start(FAST);
    const checks = collectChecks(client);
    await client.invoke(BROKER, producerHeartbeat('127.0.0.1@tx1', 'PID_TX'), 3000);
    const response = await client.invoke(BROKER, sendHalf('TxTopic', 'later', 'PID_TX', { queueId: 1, properties: { color: 'blue' } }), 3000);
    const half = halfOf(response);
    expect((await client.invoke(BROKER, endTransaction('PID_TX', half, 0), 3000)).code).toBe(ResponseCode.SUCCESS);
    const sentAt = Date.now();
    await waitFor(() => checks.length > 0);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(90);
    const check = checks[0];
    expect(check.code).toBe(RequestCode.CHECK_TRANSACTION_STATE);
    expect(check.isOneway()).toBe(true);
    expect(check.extFields).toMatchObject({ topic: 'TxTopic', msgId: half.uniqKey, transactionId: half.uniqKey, bname: 'broker-a' });
    expect(Number(check.extFields.tranStateTableOffset)).toBeGreaterThan(Number(half.queueOffset));
    const msg = decodeMessageRecord(check.body!);
    expect(msg.topic).toBe('TxTopic');
    expect(msg.queueId).toBe(1);
    expect(msg.body.toString()).toBe('later');
    expect(msg.offsetMsgId).toBe(check.extFields.offsetMsgId);
    expect(msg.commitLogOffset).toBe(Number(check.extFields.commitLogOffset));
    expect(msg.properties).toMatchObject({ PGROUP: 'PID_TX', UNIQ_KEY: half.uniqKey, color: 'blue', TRANSACTION_CHECK_TIMES: '1', TRAN_MSG: 'true' });

    const answer = await client.invoke(BROKER, endTransaction('PID_TX', halfOfCheck(check), 8, true), 3000);
    expect(answer.code).toBe(ResponseCode.SUCCESS);
    const visible = await pullAll(client, 'TxTopic', 1);
    expect(visible.map((m) => m.msgId)).toEqual([half.uniqKey]);
    // Decided: no further checks, and the original half answered late changes nothing.
    const seen = checks.length;
    await sleep(200);
    expect(checks.length).toBe(seen);
    await client.invoke(BROKER, endTransaction('PID_TX', half, 8), 3000);
    expect(await pullAll(client, 'TxTopic', 1)).toHaveLength(1);
    expect(mq.brokerController.consumerOffsetManager.queryOffset('CID_RMQ_SYS_TRANS', 'RMQ_SYS_TRANS_HALF_TOPIC', 0)).toBeGreaterThan(0);
  });

  it('asks any live producer of the group, never one of another group', async () => {
    const { mq, client } = await start(FAST);
    const a = extraClient(mq, '127.0.0.1:50011');
    const b = extraClient(mq, '127.0.0.1:50012');
    const other = extraClient(mq, '127.0.0.1:50013');
    const checksA = collectChecks(a);
    const checksB = collectChecks(b);
    const checksOther = collectChecks(other);
    await a.invoke(BROKER, producerHeartbeat('127.0.0.1@a', 'PID_TX'), 3000);
    await b.invoke(BROKER, producerHeartbeat('127.0.0.1@b', 'PID_TX'), 3000);
    await other.invoke(BROKER, producerHeartbeat('127.0.0.1@o', 'PID_ELSE'), 3000);
    for (let i = 0; i < 4; i++) await client.invoke(BROKER, sendHalf('TxTopic', `m${i}`, 'PID_TX'), 3000);
    await waitFor(() => checksA.length + checksB.length >= 4);
    expect(checksA.length).toBeGreaterThan(0);
    expect(checksB.length).toBeGreaterThan(0);
    expect(checksOther).toHaveLength(0);
  });

  it('does not check before CHECK_IMMUNITY_TIME_IN_SECONDS has passed', async () => {
    const { client } = await start(FAST);
    const checks = collectChecks(client);
    await client.invoke(BROKER, producerHeartbeat('127.0.0.1@tx', 'PID_TX'), 3000);
    const sentAt = Date.now();
    await client.invoke(BROKER, sendHalf('TxTopic', 'immune', 'PID_TX', { properties: { CHECK_IMMUNITY_TIME_IN_SECONDS: '1' } }), 3000);
    await client.invoke(BROKER, sendHalf('TxTopic', 'plain', 'PID_TX'), 3000);
    await waitFor(() => checks.some((c) => decodeMessageRecord(c.body!).body.toString() === 'immune'), 2500);
    const first = checks.find((c) => decodeMessageRecord(c.body!).body.toString() === 'immune')!;
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1000);
    // The plain one behind it was not held up by the immune one.
    const plainIndex = checks.findIndex((c) => decodeMessageRecord(c.body!).body.toString() === 'plain');
    expect(plainIndex).toBeGreaterThanOrEqual(0);
    expect(plainIndex).toBeLessThan(checks.indexOf(first));
    expect(decodeMessageRecord(first.body!).properties.TRANSACTION_CHECK_TIMES).toBe('1');
  });

  it('moves a message aside to TRANS_CHECK_MAX_TIME_TOPIC after transactionCheckMax unanswered checks', async () => {
    const { client } = await start({ ...FAST, transactionCheckMax: 2 });
    const checks = collectChecks(client);
    await client.invoke(BROKER, producerHeartbeat('127.0.0.1@tx', 'PID_TX'), 3000);
    const half = halfOf(await client.invoke(BROKER, sendHalf('TxTopic', 'forever unknown', 'PID_TX'), 3000));
    let discarded: ReturnType<typeof decodeMessageRecord>[] = [];
    const deadline = Date.now() + 2000;
    while (discarded.length === 0 && Date.now() < deadline) {
      await sleep(20);
      discarded = await pullAll(client, 'TRANS_CHECK_MAX_TIME_TOPIC');
    }
    expect(discarded).toHaveLength(1);
    expect(checks.map((c) => decodeMessageRecord(c.body!).properties.TRANSACTION_CHECK_TIMES)).toEqual(['1', '2']);
    expect(discarded[0].properties).toMatchObject({ REAL_TOPIC: 'TxTopic', UNIQ_KEY: half.uniqKey, PGROUP: 'PID_TX' });
    expect(discarded[0].body.toString()).toBe('forever unknown');
    await sleep(200);
    expect(checks).toHaveLength(2);
    // A verdict arriving after the discard is too late.
    await client.invoke(BROKER, endTransaction('PID_TX', half, 8), 3000);
    expect(await pullAll(client, 'TxTopic')).toHaveLength(0);
  });

  it('skips the check while no producer of the group is connected, without counting it', async () => {
    const { mq, client } = await start(FAST);
    await client.invoke(BROKER, sendHalf('TxTopic', 'orphan', 'PID_TX'), 3000);
    await sleep(300);
    const late = extraClient(mq, '127.0.0.1:50021');
    const checks = collectChecks(late);
    await late.invoke(BROKER, producerHeartbeat('127.0.0.1@late', 'PID_TX'), 3000);
    await waitFor(() => checks.length > 0);
    expect(decodeMessageRecord(checks[0].body!).properties.TRANSACTION_CHECK_TIMES).toBe('1');
  });

  it('accepts transactionMsgTimeout as an alias of transactionTimeOut', () => {
    expect(resolveBrokerConfig({ transactionMsgTimeout: 1234 }).transactionTimeOut).toBe(1234);
    expect(resolveBrokerConfig({ transactionMsgTimeout: 1234, transactionTimeOut: 99 }).transactionTimeOut).toBe(99);
    const defaults = resolveBrokerConfig({});
    expect(defaults).toMatchObject({ transactionTimeOut: 6000, transactionCheckInterval: 60000, transactionCheckMax: 15, rejectTransactionMessage: false });
  });
});
