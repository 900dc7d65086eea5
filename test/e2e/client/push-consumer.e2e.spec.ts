import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ConsumeFromWhere, MessageModel, SendStatus } from '../../../lib/client/index.js';
import { Message, MessageExt, messageQueueKey } from '../../../lib/message/index.js';
import { ClientHarness, sleep, waitFor } from './client-harness.js';

describe('RocketMQ client on the bundled broker', () => {
  let h: ClientHarness;

  beforeEach(async () => {
    // Short delay levels: a failed message comes back through %RETRY% after level 3, not 10 s.
    h = await new ClientHarness({ broker: { messageDelayLevel: '10ms 20ms 30ms 40ms 50ms 60ms 70ms 80ms 90ms 100ms 1s 1s 1s 1s 1s 1s 1s 1s' } }).start();
  });

  afterEach(async () => {
    await h.close();
  });

  it('delivers a message sent right after the consumer started, with its metadata', async () => {
    const got: MessageExt[] = [];
    await h.consumer({ consumerGroup: 'g1' }, 'fresh-topic', (m) => void got.push(m));
    const producer = await h.producer();
    const result = await producer.send(new Message('fresh-topic', 'hello', { tags: 'TagA', keys: ['k1', 'k2'] }));
    expect(result.sendStatus).toBe(SendStatus.SEND_OK);
    expect(result.offsetMsgId).toMatch(/^[0-9A-F]{32}$/);
    await waitFor(() => got.length === 1, 3000, 'the message');
    const m = got[0];
    expect(m.body.toString()).toBe('hello');
    expect(m.msgId).toBe(result.msgId);
    expect(m.offsetMsgId).toBe(result.offsetMsgId);
    expect(m.tags).toBe('TagA');
    expect(m.keys).toBe('k1 k2');
    expect(m.queueId).toBe(result.messageQueue.queueId);
    expect(m.queueOffset).toBe(result.queueOffset);
    expect(m.reconsumeTimes).toBe(0);
    expect(m.brokerName).toBe(result.messageQueue.brokerName);
  });

  it('clustering: two members of one group split the queues and see each message once', async () => {
    const seen = new Map<string, string>();
    const dup: string[] = [];
    const record = (who: string) => (m: MessageExt) => {
      if (seen.has(m.msgId)) dup.push(m.msgId);
      seen.set(m.msgId, who);
    };
    const a = await h.consumer({ consumerGroup: 'cg' }, 'split', record('a'));
    const b = await h.consumer({ consumerGroup: 'cg' }, 'split', record('b'));
    const owned = (c: typeof a) => c.assignedQueues.filter((q) => q.topic === 'split').length;
    await waitFor(() => owned(a) === 2 && owned(b) === 2, 3000, 'a balanced group');
    const all = [...a.assignedQueues, ...b.assignedQueues].map(messageQueueKey).filter((k) => k.startsWith('split@'));
    expect(new Set(all).size).toBe(4);
    const producer = await h.producer();
    for (let i = 0; i < 200; i++) await producer.send(new Message('split', `m${i}`));
    await waitFor(() => seen.size === 200, 5000, '200 messages');
    await sleep(50);
    expect(dup).toEqual([]);
    const byA = [...seen.values()].filter((w) => w === 'a').length;
    expect(byA).toBeGreaterThan(50);
    expect(byA).toBeLessThan(150);
  });

  it('two groups each receive every message', async () => {
    const g1: string[] = [];
    const g2: string[] = [];
    await h.consumer({ consumerGroup: 'billing' }, 'orders', (m) => void g1.push(m.body.toString()));
    await h.consumer({ consumerGroup: 'shipping' }, 'orders', (m) => void g2.push(m.body.toString()));
    const producer = await h.producer();
    for (let i = 0; i < 20; i++) await producer.send(new Message('orders', `o${i}`));
    await waitFor(() => g1.length === 20 && g2.length === 20, 3000, 'both groups');
    expect(new Set(g1).size).toBe(20);
    expect(new Set(g2).size).toBe(20);
  });

  it('broadcasting: every member receives every message', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const opts = { consumerGroup: 'cache', messageModel: MessageModel.BROADCASTING };
    await h.consumer(opts, 'prices', (m) => void a.push(m.body.toString()));
    await h.consumer(opts, 'prices', (m) => void b.push(m.body.toString()));
    const producer = await h.producer();
    for (let i = 0; i < 12; i++) await producer.send(new Message('prices', `p${i}`));
    await waitFor(() => a.length === 12 && b.length === 12, 3000, 'both members');
  });

  it('tag filtering delivers only the subscribed tags', async () => {
    const got: string[] = [];
    await h.consumer({ consumerGroup: 'tags' }, 'tagged', (m) => void got.push(m.tags!), { expression: 'A || B' });
    const producer = await h.producer();
    for (const tag of ['A', 'B', 'C', 'A', 'D']) await producer.send(new Message('tagged', 'x', { tags: tag }));
    await waitFor(() => got.length === 3, 3000, 'tagged messages');
    await sleep(50);
    expect(got.sort()).toEqual(['A', 'A', 'B']);
  });

  it('orderly: 10,000 messages over 8 keys arrive in order per key', async () => {
    const perKey = new Map<string, number[]>();
    let total = 0;
    await h.consumer(
      { consumerGroup: 'orderly', consumeThreadNumber: 8 },
      'status-changes',
      async (m) => {
        const [key, seq] = m.body.toString().split(':');
        if (!perKey.has(key)) perKey.set(key, []);
        perKey.get(key)!.push(Number(seq));
        total++;
        if (total % 97 === 0) await sleep(0);
      },
      { orderly: true },
    );
    const producer = await h.producer();
    const keys = Array.from({ length: 8 }, (_, i) => `order-${i}`);
    await Promise.all(
      keys.map(async (key) => {
        for (let seq = 0; seq < 1250; seq++) await producer.sendOrderly(new Message('status-changes', `${key}:${seq}`), key);
      }),
    );
    await waitFor(() => total === 10_000, 20_000, '10,000 messages');
    for (const key of keys) {
      const seqs = perKey.get(key)!;
      expect(seqs).toHaveLength(1250);
      expect(seqs.every((s, i) => s === i)).toBe(true);
    }
  }, 30_000);

  it('consumeThreadNumber bounds how many handlers run at once', async () => {
    let running = 0;
    let peak = 0;
    let done = 0;
    await h.consumer({ consumerGroup: 'bounded', consumeThreadNumber: 3 }, 'slow', async () => {
      running++;
      peak = Math.max(peak, running);
      await sleep(10);
      running--;
      done++;
    });
    const producer = await h.producer();
    for (let i = 0; i < 30; i++) await producer.send(new Message('slow', `s${i}`));
    await waitFor(() => done === 30, 5000, '30 slow messages');
    expect(peak).toBe(3);
  });

  it('ConsumeFromWhere: FIRST reads history, TIMESTAMP starts at its time, LAST on a queue still starting at 0 reads it all as RocketMQ does', async () => {
    const producer = await h.producer();
    for (let i = 0; i < 5; i++) await producer.send(new Message('history', `old${i}`));
    const first: string[] = [];
    await h.consumer(
      { consumerGroup: 'from-first', consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET },
      'history',
      (m) => void first.push(m.body.toString()),
    );
    const fromTime: string[] = [];
    // consumeTimestamp has second resolution: let the old messages fall into an earlier second.
    await sleep(1100);
    const now = new Date();
    const stamp = [
      now.getFullYear(),
      now.getMonth() + 1,
      now.getDate(),
      now.getHours(),
      now.getMinutes(),
      now.getSeconds(),
    ]
      .map((n, i) => String(n).padStart(i === 0 ? 4 : 2, '0'))
      .join('');
    await h.consumer(
      { consumerGroup: 'from-time', consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_TIMESTAMP, consumeTimestamp: stamp },
      'history',
      (m) => void fromTime.push(m.body.toString()),
    );
    const last: string[] = [];
    await h.consumer({ consumerGroup: 'from-last' }, 'history', (m) => void last.push(m.body.toString()));
    await producer.send(new Message('history', 'new'));
    await waitFor(
      () => first.length === 6 && fromTime.length === 1 && last.length === 6,
      3000,
      () => `first, timestamp and last consumers: ${JSON.stringify({ first, fromTime, last })}`,
    );
    expect(fromTime).toEqual(['new']);
  });

  it('a restarted member resumes from its committed offset without redelivery', async () => {
    const firstRun: string[] = [];
    const c1 = await h.consumer({ consumerGroup: 'resume' }, 'resumable', (m) => void firstRun.push(m.body.toString()));
    const producer = await h.producer();
    for (let i = 0; i < 10; i++) await producer.send(new Message('resumable', `a${i}`));
    await waitFor(() => firstRun.length === 10, 3000, 'first run');
    await c1.shutdown();
    for (let i = 0; i < 5; i++) await producer.send(new Message('resumable', `b${i}`));
    const secondRun: string[] = [];
    await h.consumer({ consumerGroup: 'resume' }, 'resumable', (m) => void secondRun.push(m.body.toString()));
    await waitFor(() => secondRun.length === 5, 3000, 'second run');
    await sleep(50);
    expect(secondRun.sort()).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
  });

  it('shutdown waits for a running handler and commits its offset', async () => {
    let finished = false;
    let started = false;
    const c = await h.consumer({ consumerGroup: 'drain' }, 'draining', async () => {
      started = true;
      await sleep(200);
      finished = true;
    });
    const producer = await h.producer();
    await producer.send(new Message('draining', 'x'));
    await waitFor(() => started, 3000, 'the handler to start');
    await c.shutdown(2000);
    expect(finished).toBe(true);
    const again: string[] = [];
    await h.consumer({ consumerGroup: 'drain' }, 'draining', (m) => void again.push(m.body.toString()));
    await sleep(100);
    expect(again).toEqual([]);
  });

  it('a member leaving hands its queues to the others', async () => {
    const a = await h.consumer({ consumerGroup: 'leave' }, 'handover', () => undefined);
    const b = await h.consumer({ consumerGroup: 'leave' }, 'handover', () => undefined);
    await waitFor(() => a.assignedQueues.filter((q) => q.topic === 'handover').length === 2, 3000, 'a balanced group');
    await b.shutdown();
    await waitFor(() => a.assignedQueues.filter((q) => q.topic === 'handover').length === 4, 3000, 'the hand-over');
  });

  it('a failed message is not acknowledged: it is consumed again', async () => {
    let attempts = 0;
    await h.consumer({ consumerGroup: 'failing' }, 'flaky', () => {
      attempts++;
      if (attempts === 1) throw new Error('first attempt fails');
    });
    const producer = await h.producer();
    await producer.send(new Message('flaky', 'x'));
    await waitFor(() => attempts >= 2, 8000, 'the second attempt');
  }, 15_000);
});
