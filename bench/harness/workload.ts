/** The workloads, each bounded by a message count and a time limit. */
import { Adapter, now } from './adapters.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `concurrency` loops calling `op` until `durationMs` passes or `maxOps` were issued; ops per second. */
export async function rate(durationMs: number, maxOps: number, concurrency: number, op: () => Promise<void>): Promise<{ ops: number; seconds: number }> {
  let issued = 0;
  let done = 0;
  const started = now();
  const deadline = started + durationMs;
  const loop = async () => {
    while (issued < maxOps && now() < deadline) {
      issued++;
      await op();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { ops: done, seconds: (now() - started) / 1000 };
}

export interface ProducerFigures {
  syncRate: number;
  sync64Rate: number;
  /** 256 concurrent senders: what group commit under SYNC_FLUSH is for. */
  sync256Rate: number;
  batchRate: number | null;
  onewayRate: number;
}

export const BATCH = 32;

/** Sending at the latency workload's rate before its latencies count. */
export const LATENCY_WARM_MS = 1_000;

/** Sync (1 and 64 senders), batch and oneway send rates, each on its own fresh topic. */
export async function producerFigures(a: Adapter, prefix: string, durationMs: number): Promise<ProducerFigures> {
  const topic = (k: string) => `${prefix}_${k}`;
  // Warm-up: routes, connections, JIT.
  await rate(Math.min(300, durationMs), 5_000, 8, () => a.send(topic('warm'), now()));
  await a.discard(topic('warm'));
  const sync = await rate(durationMs, 1_000_000, 1, () => a.send(topic('sync'), now()));
  await a.discard(topic('sync'));
  const sync64 = await rate(durationMs, 2_000_000, 64, () => a.send(topic('sync64'), now()));
  await a.discard(topic('sync64'));
  const sync256 = await rate(durationMs, 2_000_000, 256, () => a.send(topic('sync256'), now()));
  await a.discard(topic('sync256'));
  let batchRate: number | null = null;
  if (a.hasBatch) {
    const b = await rate(durationMs, 200_000, 1, () => a.sendBatch(topic('batch'), Array.from({ length: BATCH }, () => now())));
    batchRate = (b.ops * BATCH) / b.seconds;
    await a.discard(topic('batch'));
  }
  const oneway = await rate(durationMs, 2_000_000, 256, () => a.sendOneway(topic('oneway'), now()));
  await a.discard(topic('oneway'));
  return { syncRate: sync.ops / sync.seconds, sync64Rate: sync64.ops / sync64.seconds, sync256Rate: sync256.ops / sync256.seconds, batchRate, onewayRate: oneway.ops / oneway.seconds };
}

/** What a consumer saw. */
export class Sink {
  count = 0;
  last = 0;
  warm = false;
  latencies: number[] = [];
  recordLatency = false;

  readonly onT = (t: number): void => {
    if (t < 0) {
      this.warm = true;
      return;
    }
    const n = now();
    this.count++;
    this.last = n;
    if (this.recordLatency && this.latencies.length < 1_000_000) this.latencies.push(n - t);
  };
}

/** Sends warm-up messages (t = -1) until `isWarm()` (the consumer got one) or `capMs` passes. */
export async function warmUp(a: Adapter, topic: string, isWarm: () => boolean, capMs = 15_000): Promise<boolean> {
  const deadline = now() + capMs;
  while (!isWarm() && now() < deadline) {
    await a.send(topic, -1);
    await sleep(20);
  }
  return isWarm();
}

/** Acknowledged sends with up to `window` in flight, as fast as possible, until `maxCount` or `durationMs`. */
export async function produceMax(a: Adapter, topic: string, durationMs: number, maxCount: number, window = 256): Promise<{ sent: number; start: number; end: number }> {
  const start = now();
  const r = await rate(durationMs, maxCount, window, () => a.send(topic, now()));
  return { sent: r.ops, start, end: now() };
}

/**
 * Sends at a fixed `perSecond` for `warmMs + durationMs` (not waiting for each; at most `maxInFlight` in
 * flight). What is sent during the first `warmMs` carries t = -1, so consumers ignore it: latency is
 * measured at the steady rate, not while connections, JIT and caches settle. `sent` counts the rest.
 */
export async function produceAtRate(
  a: Adapter,
  topic: string,
  perSecond: number,
  durationMs: number,
  maxInFlight = 2_000,
  warmMs = LATENCY_WARM_MS,
): Promise<{ sent: number; start: number; end: number }> {
  const began = now();
  let issued = 0;
  let sent = 0;
  let inFlight = 0;
  let failed: unknown;
  while (now() - began < warmMs + durationMs && failed === undefined) {
    const due = Math.floor(((now() - began) / 1000) * perSecond);
    while (issued < due && inFlight < maxInFlight) {
      issued++;
      inFlight++;
      const warming = now() - began < warmMs;
      if (!warming) sent++;
      a.send(topic, warming ? -1 : now()).then(
        () => inFlight--,
        (err: unknown) => {
          inFlight--;
          failed = err;
        },
      );
    }
    await sleep(1);
  }
  const drainBy = now() + 10_000;
  while (inFlight > 0 && now() < drainBy) await sleep(5);
  if (failed !== undefined) throw failed;
  return { sent, start: began + warmMs, end: now() };
}

/** Waits until the sink got `expected` or `timeoutMs` passes without progress. */
export async function drain(sink: Sink, expected: number, timeoutMs: number): Promise<void> {
  let lastCount = -1;
  let lastProgress = now();
  while (sink.count < expected) {
    if (sink.count !== lastCount) {
      lastCount = sink.count;
      lastProgress = now();
    } else if (now() - lastProgress > timeoutMs) {
      return;
    }
    await sleep(5);
  }
}

export function percentiles(values: number[]): { p50: number; p99: number; p999: number; max: number; n: number } {
  if (values.length === 0) return { p50: NaN, p99: NaN, p999: NaN, max: NaN, n: 0 };
  const s = Float64Array.from(values).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: s[s.length - 1], n: s.length };
}
