import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Child, CLIENT_CHILD, spawnNode, startBrokerProcess, waitFor } from './multiprocess-kit.js';

jest.setTimeout(60_000);

describe('standalone broker with producer and consumer processes', () => {
  let broker: Awaited<ReturnType<typeof startBrokerProcess>>;
  const children: Child[] = [];
  const spawnClient = (...args: string[]) => {
    const child = spawnNode([CLIENT_CHILD, ...args]);
    children.push(child);
    return child;
  };
  const ready = (c: Child) => waitFor(() => c.lines.some((l) => l.type === 'ready' || l.type === 'error'), 15_000, 'a consumer to start');

  beforeAll(async () => {
    broker = await startBrokerProcess();
  });

  afterEach(async () => {
    for (const c of children.splice(0)) {
      c.kill();
      await c.exited;
    }
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('splits queues between two clustering consumers, each message consumed once; a killed consumer hands its queues over', async () => {
    const ns = broker.nameServer!;
    const a = spawnClient('consumer', ns, 'GID_MP_CLUSTER', 'MpCluster', 'clustering');
    const b = spawnClient('consumer', ns, 'GID_MP_CLUSTER', 'MpCluster', 'clustering');
    await Promise.all([ready(a), ready(b)]);
    const producer = spawnClient('producer', ns, 'MpCluster', '40', 'first');
    expect(await producer.exited).toBe(0);
    const bodies = () => [...a.messages(), ...b.messages()].map((m) => m.body as string);
    await waitFor(() => new Set(bodies()).size >= 40, 20_000, 'all 40 messages');
    await new Promise((r) => setTimeout(r, 300));
    expect(bodies()).toHaveLength(40);
    expect(a.messages().length).toBeGreaterThan(0);
    expect(b.messages().length).toBeGreaterThan(0);
    const queuesOf = (c: Child) => new Set(c.messages().map((m) => m.queueId));
    for (const q of queuesOf(a)) expect(queuesOf(b).has(q)).toBe(false);

    a.kill('SIGKILL');
    await a.exited;
    const before = b.messages().length;
    const second = spawnClient('producer', ns, 'MpCluster', '20', 'second');
    expect(await second.exited).toBe(0);
    await waitFor(() => b.messages().filter((m) => String(m.body).startsWith('second-')).length >= 20, 15_000, 'the survivor to take every queue');
    expect(new Set(b.messages().slice(before).map((m) => m.queueId)).size).toBe(4);
  });

  it('delivers every message to both broadcasting consumers', async () => {
    const ns = broker.nameServer!;
    const a = spawnClient('consumer', ns, 'GID_MP_BROADCAST', 'MpBroadcast', 'broadcasting');
    const b = spawnClient('consumer', ns, 'GID_MP_BROADCAST', 'MpBroadcast', 'broadcasting');
    await Promise.all([ready(a), ready(b)]);
    const producer = spawnClient('producer', ns, 'MpBroadcast', '20', 'bc');
    expect(await producer.exited).toBe(0);
    await waitFor(() => a.messages().length >= 20 && b.messages().length >= 20, 20_000, 'both consumers to get all 20');
    expect(new Set(a.messages().map((m) => m.body)).size).toBe(20);
    expect(new Set(b.messages().map((m) => m.body)).size).toBe(20);
  });

  it('keeps per-queue order across an orderly hand-over between two processes', async () => {
    const ns = broker.nameServer!;
    const a = spawnClient('consumer', ns, 'GID_MP_ORDERLY', 'MpOrderly', 'orderly');
    await ready(a);
    const producer = spawnClient('producer', ns, 'MpOrderly', '60', 'ord');
    // The second member joins while the first is busy: half the queues change hands mid-stream.
    await waitFor(() => a.messages().length >= 5, 15_000, 'the first orderly consumer to start consuming');
    const b = spawnClient('consumer', ns, 'GID_MP_ORDERLY', 'MpOrderly', 'orderly');
    expect(await producer.exited).toBe(0);
    await ready(b);
    const all = () => [...a.messages(), ...b.messages()];
    await waitFor(() => new Set(all().map((m) => m.body)).size >= 60, 30_000, 'all 60 orderly messages');
    const byQueue = new Map<number, Array<Record<string, unknown>>>();
    for (const m of all()) {
      const list = byQueue.get(m.queueId as number) ?? [];
      list.push(m);
      byQueue.set(m.queueId as number, list);
    }
    for (const list of byQueue.values()) {
      list.sort((x, y) => (x.t as number) - (y.t as number));
      const offsets = list.map((m) => m.queueOffset as number);
      // Never two consumers on one queue at once: consumption follows queue order, without repeats.
      expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
      expect(new Set(offsets).size).toBe(offsets.length);
    }
  });
});
