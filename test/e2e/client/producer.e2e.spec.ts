import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { MQClientError, SendStatus } from '../../../lib/client/index.js';
import { Message, MessageExt } from '../../../lib/message/index.js';
import { ClientHarness, waitFor } from './client-harness.js';

describe('DefaultMQProducer on the bundled broker', () => {
  let h: ClientHarness;

  beforeEach(async () => {
    h = await new ClientHarness().start();
  });

  afterEach(async () => {
    await h.close();
  });

  it('round-robins sync sends over the 4 queues of an auto-created topic', async () => {
    const producer = await h.producer();
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await producer.send(new Message('rr', `m${i}`)));
    const perQueue = new Map<number, number>();
    for (const r of results) perQueue.set(r.messageQueue.queueId, (perQueue.get(r.messageQueue.queueId) ?? 0) + 1);
    expect([...perQueue.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect([...perQueue.values()]).toEqual([2, 2, 2, 2]);
    expect(new Set(results.map((r) => r.msgId)).size).toBe(8);
  });

  it('keeps the event loop turning while a loop awaits thousands of in-process sends', async () => {
    // In-process answers are promise continuations; without yielding, timers (and an app's HTTP requests)
    // would wait for the whole burst.
    const producer = await h.producer();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    try {
      for (let i = 0; i < 5000; i++) await producer.send(new Message('burst', `m${i}`));
    } finally {
      clearInterval(timer);
    }
    const elapsed = performance.now() - started;
    // A tick at least every ~10 ms of the burst (the channel yields every 2 ms of microtasks).
    expect(ticks).toBeGreaterThanOrEqual(Math.max(1, Math.floor(elapsed / 10)));
  });

  it('delivers each message of a batch with its own tags, keys, user properties and a unique id', async () => {
    const got: MessageExt[] = [];
    await h.consumer({ consumerGroup: 'batch-props' }, 'batch-props', (m) => void got.push(m));
    const producer = await h.producer();
    const a = new Message('batch-props', 'a', { tags: 'TagA', keys: ['k1', 'k2'] });
    a.putUserProperty('region', 'eu');
    const b = new Message('batch-props', 'b', { tags: 'TagB' });
    b.putUserProperty('region', 'us');
    const c = new Message('batch-props', 'c');
    const result = await producer.sendBatch([a, b, c]);
    await waitFor(() => got.length === 3, 3000, () => `3 messages, got ${got.length}`);
    const byBody = new Map(got.map((m) => [m.body.toString(), m]));
    expect(byBody.get('a')!.tags).toBe('TagA');
    expect(byBody.get('a')!.keys).toBe('k1 k2');
    expect(byBody.get('a')!.getProperty('region')).toBe('eu');
    expect(byBody.get('b')!.tags).toBe('TagB');
    expect(byBody.get('b')!.getProperty('region')).toBe('us');
    expect(byBody.get('c')!.tags).toBeUndefined();
    for (const m of got) expect(m.getProperty('CLUSTER')).toBeDefined();
    // Each message keeps the id the producer gave it, and the ids differ.
    expect(got.map((m) => m.msgId).sort()).toEqual(result.msgId.split(',').sort());
    expect(new Set(got.map((m) => m.msgId)).size).toBe(3);
  });

  it('async, oneway and batch sends all arrive', async () => {
    const got: string[] = [];
    await h.consumer({ consumerGroup: 'modes' }, 'modes', (m) => void got.push(m.body.toString()));
    const producer = await h.producer();
    const asyncResult = await producer.sendAsync(new Message('modes', 'async'));
    expect(asyncResult.sendStatus).toBe(SendStatus.SEND_OK);
    await producer.sendOneway(new Message('modes', 'oneway'));
    const batch = await producer.sendBatch([new Message('modes', 'b1'), new Message('modes', 'b2'), new Message('modes', 'b3')]);
    expect(batch.msgId.split(',')).toHaveLength(3);
    expect(batch.offsetMsgId.split(',')).toHaveLength(3);
    await waitFor(() => got.length === 5, 3000, () => `5 messages, got ${got}`);
    expect(got.sort()).toEqual(['async', 'b1', 'b2', 'b3', 'oneway']);
  });

  it('compresses large bodies and the consumer inflates them', async () => {
    const got: MessageExt[] = [];
    await h.consumer({ consumerGroup: 'big' }, 'big', (m) => void got.push(m));
    const producer = await h.producer();
    const body = Buffer.from('x'.repeat(100_000));
    await producer.send(new Message('big', body));
    await waitFor(() => got.length === 1, 3000, 'the large message');
    expect(got[0].body.equals(body)).toBe(true);
    expect(got[0].sysFlag & 0x1).toBe(1);
  });

  it('rejects bad input with a clear error and keeps working', async () => {
    const producer = await h.producer();
    await expect(producer.send(new Message('bad topic!', 'x'))).rejects.toThrow(/may contain only letters/);
    await expect(producer.send(new Message('empty', Buffer.alloc(0)))).rejects.toThrow(/body of topic empty is empty/);
    await expect(producer.send(new Message('huge', Buffer.alloc(4 * 1024 * 1024 + 1)))).rejects.toThrow(
      /over the maximum of 4194304/,
    );
    await expect(producer.send(new Message('SCHEDULE_TOPIC_XXXX', 'x'))).rejects.toBeInstanceOf(MQClientError);
    await expect(producer.sendBatch([new Message('a', 'x'), new Message('b', 'y')])).rejects.toThrow(/share one topic/);
    expect((await producer.send(new Message('fine', 'x'))).sendStatus).toBe(SendStatus.SEND_OK);
  });
});
