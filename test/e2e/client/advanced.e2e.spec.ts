import { afterEach, describe, expect, it } from '@jest/globals';
import {
  ConsumeConcurrentlyStatus,
  DefaultLitePullConsumer,
  DefaultMQProducer,
  DefaultMQPushConsumer,
  ExpressionType,
  LocalTransactionState,
  MQAdminClient,
  RequestTimeoutError,
} from '../../../lib/client/index.js';
import { Message, MessageExt } from '../../../lib/message/index.js';
import { ClientHarness, sleep, waitFor } from './client-harness.js';

/** Delay levels short enough for tests, 18 of them as RocketMQ has. */
const FAST_LEVELS = Array.from({ length: 18 }, (_, i) => `${(i + 1) * 5}ms`).join(' ');

describe('RocketMQ client: advanced semantics on the bundled broker', () => {
  let h: ClientHarness;

  afterEach(async () => {
    await h?.close();
  });

  async function start(broker: Record<string, unknown> = {}) {
    h = await new ClientHarness({ broker: { messageDelayLevel: FAST_LEVELS, ...broker } }).start();
    return h;
  }

  it('a message that always fails is retried 16 times, same msgId, then lands in %DLQ%<group>', async () => {
    await start();
    const deliveries: MessageExt[] = [];
    await h.consumer({ consumerGroup: 'doomed' }, 'fragile', (m) => {
      deliveries.push(m);
      throw new Error('always fails');
    });
    const dead: MessageExt[] = [];
    await h.consumer({ consumerGroup: 'dlq-watcher' }, '%DLQ%doomed', (m) => void dead.push(m));
    const producer = await h.producer();
    const sent = await producer.send(new Message('fragile', 'x', { keys: 'k-1' }));
    await waitFor(() => dead.length === 1, 10_000, () => `the DLQ (deliveries so far: ${deliveries.length})`);
    expect(deliveries.map((m) => m.reconsumeTimes)).toEqual(Array.from({ length: 17 }, (_, i) => i));
    expect(new Set(deliveries.map((m) => m.msgId))).toEqual(new Set([sent.msgId]));
    expect(deliveries.every((m) => m.topic === 'fragile')).toBe(true);
    expect(dead[0].msgId).toBe(sent.msgId);
    expect(dead[0].body.toString()).toBe('x');
  }, 20_000);

  it('maxReconsumeTimes and a message that succeeds on its third attempt', async () => {
    await start();
    let attempts = 0;
    await h.consumer({ consumerGroup: 'third-time', maxReconsumeTimes: 2 }, 'lucky', () => {
      attempts++;
      if (attempts < 3) throw new Error('not yet');
    });
    const limited: number[] = [];
    await h.consumer({ consumerGroup: 'limited', maxReconsumeTimes: 2 }, 'unlucky', (m) => {
      limited.push(m.reconsumeTimes);
      throw new Error('never');
    });
    const dead: string[] = [];
    await h.consumer({ consumerGroup: 'dlq-third' }, '%DLQ%third-time', (m) => void dead.push(m.msgId));
    const deadLimited: string[] = [];
    await h.consumer({ consumerGroup: 'dlq-limited' }, '%DLQ%limited', (m) => void deadLimited.push(m.msgId));
    const producer = await h.producer();
    await producer.send(new Message('lucky', 'x'));
    await producer.send(new Message('unlucky', 'y'));
    await waitFor(() => attempts === 3 && deadLimited.length === 1, 5000, 'both');
    await sleep(100);
    expect(dead).toEqual([]);
    expect(limited).toEqual([0, 1, 2]);
  });

  it('an orderly queue blocked by a failing message moves on after maxReconsumeTimes; nothing is lost', async () => {
    await start();
    const seen: string[] = [];
    await h.consumer(
      { consumerGroup: 'orderly-dlq', maxReconsumeTimes: 3, suspendCurrentQueueTimeMillis: 10 },
      'steps',
      (m) => {
        seen.push(`${m.body}:${m.reconsumeTimes}`);
        if (m.body.toString() === 'poison') throw new Error('poison');
      },
      { orderly: true },
    );
    const dead: string[] = [];
    await h.consumer({ consumerGroup: 'orderly-dlq-watch' }, '%DLQ%orderly-dlq', (m) => void dead.push(m.body.toString()));
    const producer = await h.producer();
    for (const body of ['a', 'poison', 'b']) await producer.sendOrderly(new Message('steps', body), 'one-key');
    await waitFor(() => dead.length === 1 && seen.includes('b:0'), 5000, () => `DLQ and b (seen ${seen})`);
    expect(seen).toEqual(['a:0', 'poison:0', 'poison:1', 'poison:2', 'poison:3', 'b:0']);
  });

  it('a delayed message arrives after its delay level, never early', async () => {
    await start({ messageDelayLevel: '100ms 200ms 300ms 400ms 500ms 600ms 700ms 800ms 900ms 1s 1s 1s 1s 1s 1s 1s 1s 1s' });
    const got: number[] = [];
    await h.consumer({ consumerGroup: 'late' }, 'reminders', () => void got.push(Date.now()));
    const producer = await h.producer();
    const msg = new Message('reminders', 'pay up');
    msg.delayTimeLevel = 2;
    const sentAt = Date.now();
    await producer.send(msg);
    await waitFor(() => got.length === 1, 3000, 'the delayed message');
    expect(got[0] - sentAt).toBeGreaterThanOrEqual(200);
    expect(got[0] - sentAt).toBeLessThan(200 + 150);
  });

  it('timer messages: delay in ms and an absolute delivery time', async () => {
    await start();
    const got = new Map<string, number>();
    await h.consumer({ consumerGroup: 'timers' }, 'timed', (m) => void got.set(m.body.toString(), Date.now()));
    const producer = await h.producer();
    const a = new Message('timed', 'in-150ms');
    a.delayTimeMs = 150;
    const b = new Message('timed', 'at-250ms');
    const sentAt = Date.now();
    b.deliverTimeMs = sentAt + 250;
    await producer.send(a);
    await producer.send(b);
    await waitFor(() => got.size === 2, 3000, 'both timers');
    expect(got.get('in-150ms')! - sentAt).toBeGreaterThanOrEqual(150);
    expect(got.get('at-250ms')!).toBeGreaterThanOrEqual(sentAt + 250);
    expect(got.get('at-250ms')! - sentAt).toBeLessThan(250 + 150);
  });

  it('SQL92: only messages whose properties match reach the consumer', async () => {
    await start();
    const got: string[] = [];
    await h.consumer({ consumerGroup: 'sql' }, 'props', (m) => void got.push(m.body.toString()), {
      expression: "a > 5 AND b = 'abc'",
      type: ExpressionType.SQL92,
    });
    const producer = await h.producer();
    for (const [a, b] of [[10, 'abc'], [1, 'abc'], [7, 'xyz'], [6, 'abc']] as const) {
      const m = new Message('props', `${a}-${b}`);
      m.putUserProperty('a', a);
      m.putUserProperty('b', b);
      m.putUserProperty('c', true);
      await producer.send(m);
    }
    await waitFor(() => got.length === 2, 3000, 'the matching messages');
    await sleep(50);
    expect(got.sort()).toEqual(['10-abc', '6-abc']);
  });

  it('transactions: COMMIT visible once, ROLLBACK never, UNKNOW resolved by check-back, a throwing execute too', async () => {
    await start({ transactionTimeOut: 100, transactionCheckInterval: 50 });
    const got: string[] = [];
    await h.consumer({ consumerGroup: 'tx-reader' }, 'tx-orders', (m) => void got.push(m.body.toString()));
    const producer = new DefaultMQProducer({ producerGroup: 'tx-group' }, h.clientConfig(), h.manager());
    const checked: string[] = [];
    producer.setTransactionListener({
      executeLocalTransaction: async (msg) => {
        const body = msg.body.toString();
        expect(msg.transactionId).toBeTruthy();
        if (body === 'commit') return LocalTransactionState.COMMIT_MESSAGE;
        if (body === 'rollback') return LocalTransactionState.ROLLBACK_MESSAGE;
        if (body === 'throws') throw new Error('local write failed');
        return LocalTransactionState.UNKNOW;
      },
      checkLocalTransaction: (msg) => {
        checked.push(msg.body.toString());
        expect(msg.topic).toBe('tx-orders');
        expect(msg.getProperty('order')).toBe(msg.body.toString());
        return LocalTransactionState.COMMIT_MESSAGE;
      },
    });
    await producer.start();
    const results = [];
    for (const body of ['commit', 'rollback', 'unknown', 'throws']) {
      const m = new Message('tx-orders', body);
      m.putUserProperty('order', body);
      results.push(await producer.sendMessageInTransaction(m, { note: body }));
    }
    expect(results.map((r) => r.localTransactionState)).toEqual(['COMMIT_MESSAGE', 'ROLLBACK_MESSAGE', 'UNKNOW', 'UNKNOW']);
    await waitFor(() => got.length === 3, 5000, () => `committed messages (got ${got})`);
    await sleep(200);
    expect(got.sort()).toEqual(['commit', 'throws', 'unknown']);
    expect(checked.sort()).toEqual(['throws', 'unknown']);
    await producer.shutdown();
  });

  it('transactions reject delayed messages and need a listener', async () => {
    await start();
    const producer = await h.producer('no-listener');
    await expect(producer.sendMessageInTransaction(new Message('t', 'x'))).rejects.toThrow(/no TransactionListener/);
    producer.setTransactionListener({ executeLocalTransaction: () => LocalTransactionState.COMMIT_MESSAGE, checkLocalTransaction: () => LocalTransactionState.COMMIT_MESSAGE });
    const delayed = new Message('t', 'x');
    delayed.delayTimeLevel = 2;
    await expect(producer.sendMessageInTransaction(delayed)).rejects.toThrow(/cannot be delayed/);
  });

  it('request-reply: concurrent requests each get their own reply; a missing reply times out', async () => {
    await start();
    const replier = new DefaultMQPushConsumer({ consumerGroup: 'quotes' }, h.clientConfig(), h.manager());
    replier.subscribe('price-requests', '*');
    replier.registerMessageListener({
      consumeMessage: async (msgs) => {
        for (const m of msgs) await replier.sendReply(m, Buffer.from(`quote:${m.body}`));
        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
      },
    });
    await replier.start();
    const producer = await h.producer('requester');
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => producer.request(new Message('price-requests', `sku-${i}`), 3000)),
    );
    expect(replies.map((r) => r.body.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `quote:sku-${i}`));
    const err = await producer.request(new Message('nobody-listens', 'x'), 200).catch((e) => e);
    expect(err).toBeInstanceOf(RequestTimeoutError);
    expect(String(err.message)).toMatch(/nobody-listens.*200 ms/);
    await replier.shutdown();
  });

  it('lite pull consumer: poll hands out messages and commits them', async () => {
    await start();
    const lite = new DefaultLitePullConsumer({ consumerGroup: 'puller', topic: 'pulled', pullBatchSize: 5 }, h.clientConfig(), h.manager());
    await lite.start();
    const producer = await h.producer();
    for (let i = 0; i < 12; i++) await producer.send(new Message('pulled', `p${i}`));
    const got: string[] = [];
    while (got.length < 12) {
      const batch = await lite.poll(1000);
      expect(batch.length).toBeLessThanOrEqual(5);
      if (batch.length === 0) break;
      got.push(...batch.map((m) => m.body.toString()));
    }
    expect(got.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `p${i}`).sort());
    expect(await lite.poll(50)).toEqual([]);
    await lite.shutdown();
  });

  it('admin: query by key, by msgId and by offset id; reset offset by time re-consumes', async () => {
    await start();
    const got: string[] = [];
    await h.consumer({ consumerGroup: 'rewind' }, 'ledger', (m) => void got.push(m.body.toString()));
    const producer = await h.producer();
    const first = await producer.send(new Message('ledger', 'entry-1', { keys: ['acct-9', 'x'] }));
    await sleep(20);
    const resetPoint = Date.now();
    await sleep(20);
    await producer.send(new Message('ledger', 'entry-2'));
    await waitFor(() => got.length === 2, 3000, 'both entries');
    const admin = new MQAdminClient(h.clientConfig(), h.manager());
    await admin.start();
    const byKey = await admin.queryMessageByKey('ledger', 'acct-9');
    expect(byKey.map((m) => m.body.toString())).toEqual(['entry-1']);
    expect((await admin.queryMessageByUniqKey('ledger', first.msgId))?.body.toString()).toBe('entry-1');
    expect((await admin.viewMessage(first.offsetMsgId)).msgId).toBe(first.msgId);
    await admin.resetOffsetByTime('rewind', 'ledger', resetPoint);
    await waitFor(() => got.length === 3, 3000, () => `the re-consumed entry (got ${got})`);
    expect(got[2]).toBe('entry-2');
    await admin.shutdown();
  });

  it('consumeTimeout: a stuck handler does not hold the queue; its message is retried', async () => {
    await start();
    const seen: number[] = [];
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    await h.consumer({ consumerGroup: 'stuck', consumeTimeout: 0.002 /* 120 ms */ }, 'slowpoke', async (m) => {
      seen.push(m.reconsumeTimes);
      if (m.reconsumeTimes === 0) await stuck;
    });
    const producer = await h.producer();
    await producer.send(new Message('slowpoke', 'x'));
    await waitFor(() => seen.includes(1), 3000, () => `the retry (seen ${seen})`);
    release();
  });
});
