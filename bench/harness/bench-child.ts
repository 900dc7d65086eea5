/**
 * One bench process. Prints JSON lines on stdout; the last one is the result.
 *   node dist/bench/harness/bench-child.js all <json>        every workload, producer and consumer in this process
 *   node dist/bench/harness/bench-child.js producer <json>   rmq-tcp: send rates, then e2e / latency production on "go"
 *   node dist/bench/harness/bench-child.js consumer <json>   rmq-tcp: the consuming side of e2e / latency
 * json: { system, size, namesrvAddr?, port?, prefix, durationMs, e2eMs, e2eMax, latencyMs, rate, task? }
 */
import { createInterface } from 'node:readline';
import { rmSync } from 'node:fs';
import { AdapterOptions, now, openAdapter } from './adapters.js';
import { drain, percentiles, produceAtRate, produceMax, producerFigures, sleep, Sink, warmUp } from './workload.js';

export interface ChildConfig extends AdapterOptions {
  prefix: string;
  durationMs: number;
  e2eMs: number;
  e2eMax: number;
  latencyMs: number;
  rate: number;
  /** producer / consumer roles: 'figures' | 'e2e' | 'latency'. */
  task?: 'figures' | 'e2e' | 'latency';
}

/** However the parent fares, a child never outlives this. */
const MAX_LIFETIME_MILLIS = 120_000;

const emit = (v: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(v)}\n`);
const maxRssMB = () => process.resourceUsage().maxRSS / 1024;

let tempDir: string | undefined;
process.on('exit', () => {
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

/** Lines from the parent on stdin. */
function stdinLines(): { next: (pred: (l: string) => boolean, timeoutMs: number) => Promise<string | undefined>; seen: string[] } {
  const seen: string[] = [];
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (l) => seen.push(l.trim()));
  return {
    seen,
    next: async (pred, timeoutMs) => {
      const deadline = now() + timeoutMs;
      while (now() < deadline) {
        const hit = seen.find(pred);
        if (hit !== undefined) return hit;
        await sleep(2);
      }
      return undefined;
    },
  };
}

async function runAll(cfg: ChildConfig): Promise<void> {
  const a = await openAdapter(cfg);
  tempDir = a.tempDir;
  if (tempDir) emit({ type: 'tempdir', dir: tempDir });
  try {
    emit({ type: 'progress', what: 'send rates' });
    const figures = await producerFigures(a, cfg.prefix, cfg.durationMs);

    emit({ type: 'progress', what: 'end-to-end' });
    const e2eTopic = `${cfg.prefix}_e2e`;
    const sink = new Sink();
    const unsub = await a.subscribe(e2eTopic, `${cfg.prefix}_cg_e2e`, sink.onT);
    const warm = await warmUp(a, e2eTopic, () => sink.warm);
    if (!warm) throw new Error('the consumer got no message within 15 s');
    const p = await produceMax(a, e2eTopic, cfg.e2eMs, cfg.e2eMax);
    await drain(sink, p.sent, 5_000);
    await unsub();
    await a.discard(e2eTopic);
    const e2eRate = sink.count / ((sink.last - p.start) / 1000);

    emit({ type: 'progress', what: 'latency' });
    const latTopic = `${cfg.prefix}_lat`;
    const ls = new Sink();
    ls.recordLatency = true;
    const unsub2 = await a.subscribe(latTopic, `${cfg.prefix}_cg_lat`, ls.onT);
    await warmUp(a, latTopic, () => ls.warm);
    const lp = await produceAtRate(a, latTopic, cfg.rate, cfg.latencyMs);
    await drain(ls, lp.sent, 3_000);
    await unsub2();
    await a.discard(latTopic);
    emit({
      type: 'result',
      ...figures,
      e2eRate,
      e2eSent: p.sent,
      e2eReceived: sink.count,
      latency: percentiles(ls.latencies),
      latencySent: lp.sent,
      latencyReceived: ls.count,
      clientRssMB: maxRssMB(),
    });
  } finally {
    await a.close();
  }
}

async function runProducer(cfg: ChildConfig): Promise<void> {
  const a = await openAdapter(cfg);
  const input = stdinLines();
  try {
    if (cfg.task === 'figures') {
      emit({ type: 'result', ...(await producerFigures(a, cfg.prefix, cfg.durationMs)), clientRssMB: maxRssMB() });
      return;
    }
    const topic = `${cfg.prefix}_${cfg.task}`;
    // Warm-up messages until the parent says the consumer saw one.
    await warmUp(a, topic, () => input.seen.includes('go'));
    const r = cfg.task === 'e2e' ? await produceMax(a, topic, cfg.e2eMs, cfg.e2eMax) : await produceAtRate(a, topic, cfg.rate, cfg.latencyMs);
    emit({ type: 'result', ...r, clientRssMB: maxRssMB() });
  } finally {
    await a.close();
  }
}

async function runConsumer(cfg: ChildConfig): Promise<void> {
  const a = await openAdapter(cfg);
  const input = stdinLines();
  try {
    const topic = `${cfg.prefix}_${cfg.task}`;
    const sink = new Sink();
    sink.recordLatency = cfg.task === 'latency';
    const unsub = await a.subscribe(topic, `${cfg.prefix}_cg_${cfg.task}`, sink.onT);
    emit({ type: 'ready' });
    const deadline = now() + 30_000;
    while (!sink.warm && now() < deadline) await sleep(2);
    emit({ type: 'warm', ok: sink.warm });
    const expectLine = await input.next((l) => l.startsWith('expect '), 60_000);
    await drain(sink, Number(expectLine?.slice(7) ?? 0), 5_000);
    await unsub();
    emit({ type: 'result', count: sink.count, last: sink.last, latency: percentiles(sink.latencies), clientRssMB: maxRssMB() });
  } finally {
    await a.close();
  }
}

async function main(): Promise<void> {
  const [role, json] = process.argv.slice(2);
  const lifetime = setTimeout(() => {
    emit({ type: 'error', error: `lifetime of ${MAX_LIFETIME_MILLIS} ms exceeded` });
    process.exit(3);
  }, MAX_LIFETIME_MILLIS);
  lifetime.unref();
  const cfg = JSON.parse(json) as ChildConfig;
  if (role === 'all') await runAll(cfg);
  else if (role === 'producer') await runProducer(cfg);
  else if (role === 'consumer') await runConsumer(cfg);
  else throw new Error(`unknown role ${role}`);
  process.exit(0);
}

main().catch((err: unknown) => {
  emit({ type: 'error', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
