/**
 * nestjs-rocketmq side by side with BullMQ on Redis and RabbitMQ, on this machine, in one run.
 *   npm run bench                 3 runs, 100 B and 1 KiB (a few minutes)
 *   npm run bench -- --quick      2 short runs (about a minute or two)
 * Options: --runs N, --sizes 100,1024, --only rmq-memory,rabbitmq,..., --no-setup (never run bench/setup-peers.sh).
 * Writes bench/results/latest.json and bench/results/latest.svg.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { startBrokerProcess } from '../test/multiprocess/multiprocess-kit.js';
import type { SystemId } from './harness/adapters.js';
import type { ChildConfig } from './harness/bench-child.js';
import { METRICS, MetricKey, Stat, fmt, stat, svgChart, table } from './harness/report.js';
import { PeerServer, peerBinariesPresent, rssKiB, startRabbitMQ, startRedis } from './peers/peer-servers.js';

const SYSTEMS: Array<{ id: SystemId; label: string; description: string }> = [
  { id: 'rmq-memory', label: 'nestjs-rocketmq in-process, memory', description: 'BundledRocketMQ in-process, memory store; producer and consumer in the same process' },
  { id: 'rmq-file-async', label: 'nestjs-rocketmq in-process, file ASYNC', description: 'BundledRocketMQ in-process, file store ASYNC_FLUSH in a temp dir' },
  { id: 'rmq-file-sync', label: 'nestjs-rocketmq in-process, file SYNC', description: 'BundledRocketMQ in-process, file store SYNC_FLUSH in a temp dir (see sync×256 for many concurrent senders, i.e. group commit)' },
  { id: 'rmq-tcp', label: 'nestjs-rocketmq TCP, 3 processes', description: 'standalone broker CLI (file store, ASYNC_FLUSH) over TCP; producer and consumer each in its own child process' },
  { id: 'bullmq', label: 'BullMQ on Redis', description: 'BullMQ Queue + Worker (concurrency 50) on redis-server, AOF appendfsync everysec' },
  { id: 'rabbitmq', label: 'RabbitMQ (amqplib)', description: 'RabbitMQ via amqplib: durable queue, persistent messages, confirm channel, prefetch 100' },
];
const PEERS: SystemId[] = ['bullmq', 'rabbitmq'];

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('--quick');
const runs = Number(option('--runs') ?? (quick ? 2 : 3));
const sizes = (option('--sizes') ?? '1024,100').split(',').map(Number);
const only = option('--only')?.split(',');
const timing = quick ? { durationMs: 300, e2eMs: 1000, e2eMax: 300_000, latencyMs: 1000 } : { durationMs: 600, e2eMs: 1500, e2eMax: 600_000, latencyMs: 1500 };
const RATE = 2000;
const systems = SYSTEMS.filter((s) => !only || only.includes(s.id));
const RESULTS = join(process.cwd(), 'bench', 'results');
const CHILD = join(process.cwd(), 'dist', 'bench', 'harness', 'bench-child.js');

// ------------------------------------------------------------------------------------------ cleanup

const children = new Set<ChildProcess>();
const peers: PeerServer[] = [];
const stoppers: Array<() => void> = [];
function killEverything(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of stoppers) s();
  for (const p of peers) p.killNow();
}
process.on('exit', killEverything);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    process.stderr.write(`\n${sig}: stopping every child and server\n`);
    killEverything();
    process.exit(130);
  });
}

// ------------------------------------------------------------------------------------------ progress

const isTTY = process.stderr.isTTY;
let step = 0;
let totalSteps = 0;
function progress(text: string): void {
  const line = `[${step}/${totalSteps}] ${text}`;
  if (isTTY) process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
  else process.stderr.write(`${line}\n`);
}

// ------------------------------------------------------------------------------------------ children

interface Line extends Record<string, unknown> {
  type: string;
}

class BenchChild {
  readonly proc: ChildProcess;
  readonly lines: Line[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(role: string, cfg: ChildConfig, onLine?: (l: Line) => void) {
    this.proc = spawn(process.execPath, [CHILD, role, JSON.stringify(cfg)], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    children.add(this.proc);
    let buf = '';
    this.proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const raw = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!raw.startsWith('{')) continue;
        try {
          const l = JSON.parse(raw) as Line;
          this.lines.push(l);
          onLine?.(l);
        } catch {
          // a log line
        }
      }
    });
    this.proc.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.proc.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => (children.delete(this.proc), resolve(code))));
  }

  send(line: string): void {
    this.proc.stdin!.write(`${line}\n`);
  }

  async waitFor(type: string, timeoutMs: number): Promise<Line> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((l) => l.type === type);
      if (hit) return hit;
      const err = this.lines.find((l) => l.type === 'error');
      if (err) throw new Error(String(err.error).split('\n').slice(0, 3).join(' | '));
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
        await new Promise((r) => setTimeout(r, 50));
        const late = this.lines.find((l) => l.type === type || l.type === 'error');
        if (late?.type === type) return late;
        throw new Error(`child exited ${this.proc.exitCode ?? this.proc.signalCode} before '${type}': ${(late?.error as string) ?? this.stderr.join('').slice(-400)}`);
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for '${type}'`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

/** Peak RSS (MiB) of some pids, sampled with ps every 250 ms. */
function rssSampler(pids: () => number[]): { stop: () => number } {
  let peak = 0;
  const sample = () => {
    for (const pid of pids()) peak = Math.max(peak, rssKiB(pid) / 1024);
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

type Figures = Partial<Record<MetricKey, number | null>> & { notes?: string[] };

async function runInOneProcess(system: SystemId, size: number, run: number, port?: number, serverPid?: number): Promise<Figures> {
  const cfg: ChildConfig = { system, size, port, prefix: `b${Date.now().toString(36)}_${system.replace(/-/g, '')}_${size}_${run}`, rate: RATE, ...timing };
  const child = new BenchChild('all', cfg, (l) => {
    if (l.type === 'progress') progress(`run ${run + 1}/${runs} ${size} B ${system}: ${String(l.what)}`);
  });
  const sampler = serverPid ? rssSampler(() => [serverPid]) : undefined;
  try {
    const r = await child.waitFor('result', 110_000);
    const lat = r.latency as { p50: number; p99: number; p999: number };
    const notes: string[] = [];
    if ((r.e2eReceived as number) < (r.e2eSent as number)) notes.push(`e2e: ${String(r.e2eReceived)} of ${String(r.e2eSent)} received`);
    if ((r.latencyReceived as number) < (r.latencySent as number)) notes.push(`latency: ${String(r.latencyReceived)} of ${String(r.latencySent)} received`);
    return {
      syncRate: r.syncRate as number,
      sync64Rate: r.sync64Rate as number,
      sync256Rate: r.sync256Rate as number,
      batchRate: r.batchRate as number | null,
      onewayRate: r.onewayRate as number,
      e2eRate: r.e2eRate as number,
      p50: lat.p50,
      p99: lat.p99,
      p999: lat.p999,
      clientRssMB: r.clientRssMB as number,
      brokerRssMB: sampler ? sampler.stop() : null,
      notes,
    };
  } finally {
    sampler?.stop();
    // Let it close its clients and remove its temp dir; kill it only if it hangs.
    const timer = setTimeout(() => child.kill(), 10_000);
    await child.exited;
    clearTimeout(timer);
    const dir = child.lines.find((l) => l.type === 'tempdir')?.dir;
    if (typeof dir === 'string') rmSync(dir, { recursive: true, force: true });
  }
}

async function runTcp(size: number, run: number): Promise<Figures> {
  progress(`run ${run + 1}/${runs} ${size} B rmq-tcp: starting the broker process`);
  const broker = await startBrokerProcess();
  stoppers.push(() => broker.child.kill());
  const sampler = rssSampler(() => [broker.child.proc.pid!]);
  const base: ChildConfig = { system: 'rmq-tcp', size, namesrvAddr: broker.nameServer, prefix: `b${Date.now().toString(36)}_tcp_${size}_${run}`, rate: RATE, ...timing };
  const spawned: BenchChild[] = [];
  const open = (role: string, task: ChildConfig['task']) => {
    const c = new BenchChild(role, { ...base, task });
    spawned.push(c);
    return c;
  };
  try {
    progress(`run ${run + 1}/${runs} ${size} B rmq-tcp: send rates`);
    const figures = await open('producer', 'figures').waitFor('result', 90_000);
    const flow = async (task: 'e2e' | 'latency') => {
      progress(`run ${run + 1}/${runs} ${size} B rmq-tcp: ${task === 'e2e' ? 'end-to-end' : 'latency'}`);
      const consumer = open('consumer', task);
      await consumer.waitFor('ready', 30_000);
      const producer = open('producer', task);
      const warm = await consumer.waitFor('warm', 40_000);
      if (!warm.ok) throw new Error('the consumer process got no message within 30 s');
      producer.send('go');
      const produced = await producer.waitFor('result', 60_000);
      consumer.send(`expect ${String(produced.sent)}`);
      const consumed = await consumer.waitFor('result', 60_000);
      return { produced, consumed };
    };
    const e2e = await flow('e2e');
    const lat = await flow('latency');
    const latency = lat.consumed.latency as { p50: number; p99: number; p999: number };
    const notes: string[] = [];
    if ((e2e.consumed.count as number) < (e2e.produced.sent as number)) notes.push(`e2e: ${String(e2e.consumed.count)} of ${String(e2e.produced.sent)} received`);
    return {
      syncRate: figures.syncRate as number,
      sync64Rate: figures.sync64Rate as number,
      sync256Rate: figures.sync256Rate as number,
      batchRate: figures.batchRate as number,
      onewayRate: figures.onewayRate as number,
      e2eRate: (e2e.consumed.count as number) / (((e2e.consumed.last as number) - (e2e.produced.start as number)) / 1000),
      p50: latency.p50,
      p99: latency.p99,
      p999: latency.p999,
      clientRssMB: Math.max(...[figures, e2e.produced, e2e.consumed, lat.produced, lat.consumed].map((l) => l.clientRssMB as number)),
      brokerRssMB: sampler.stop(),
      notes,
    };
  } finally {
    sampler.stop();
    for (const c of spawned) c.kill();
    await Promise.all(spawned.map((c) => c.exited));
    await broker.stop();
  }
}

// ------------------------------------------------------------------------------------------ main

interface SystemOutcome {
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  runs: Record<number, Figures[]>;
  errors: string[];
}

async function main(): Promise<void> {
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}   (node ${process.argv.slice(1).map((a) => a.replace(process.cwd() + '/', '')).join(' ')})`;
  console.log(`command: ${command}`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`);
  console.log(`runs: ${runs}, sizes: ${sizes.join(', ')} B, per-figure time: ${timing.durationMs} ms, e2e ${timing.e2eMs} ms, latency ${timing.latencyMs} ms at ${RATE} msg/s\n`);
  const outcomes: Record<string, SystemOutcome> = {};
  for (const s of systems) outcomes[s.id] = { status: 'ok', runs: {}, errors: [] };

  // Peers: install if missing, then start each on 127.0.0.1 with a temp dir.
  const wanted = systems.filter((s) => PEERS.includes(s.id));
  let present = peerBinariesPresent();
  if (wanted.length && (!present.redis || !present.rabbitmq) && !flag('--no-setup')) {
    process.stderr.write('peers missing: running bench/setup-peers.sh\n');
    spawnSync('bash', [join(process.cwd(), 'bench', 'setup-peers.sh')], { stdio: 'inherit', timeout: 600_000 });
    present = peerBinariesPresent();
  }
  const servers: Partial<Record<SystemId, PeerServer>> = {};
  for (const s of wanted) {
    process.stderr.write(`starting ${s.id === 'bullmq' ? 'redis-server' : 'rabbitmq-server'}...\n`);
    try {
      const server = s.id === 'bullmq' ? await startRedis() : await startRabbitMQ();
      peers.push(server);
      servers[s.id] = server;
      process.stderr.write(`  ${server.name} ${server.version} on 127.0.0.1:${server.port} (pid ${server.pid})\n`);
    } catch (err) {
      outcomes[s.id] = { status: 'skipped', reason: err instanceof Error ? err.message : String(err), runs: {}, errors: [] };
      process.stderr.write(`  skipped: ${outcomes[s.id].reason}\n`);
    }
  }

  const active = systems.filter((s) => outcomes[s.id].status === 'ok');
  totalSteps = runs * sizes.length * active.length;
  const started = Date.now();
  try {
    for (let run = 0; run < runs; run++) {
      for (const size of sizes) {
        for (const s of active) {
          step++;
          progress(`run ${run + 1}/${runs} ${size} B ${s.id}`);
          try {
            const server = servers[s.id];
            const f = s.id === 'rmq-tcp' ? await runTcp(size, run) : await runInOneProcess(s.id, size, run, server?.port, server?.pid);
            (outcomes[s.id].runs[size] ??= []).push(f);
          } catch (err) {
            const msg = `run ${run + 1}, ${size} B: ${err instanceof Error ? err.message : String(err)}`;
            outcomes[s.id].errors.push(msg);
            if (isTTY) process.stderr.write('\n');
            process.stderr.write(`  ${s.id} failed: ${msg}\n`);
          }
        }
      }
    }
  } finally {
    if (isTTY) process.stderr.write('\n');
    for (const p of peers.splice(0)) await p.stop().catch(() => p.killNow());
  }
  const elapsed = (Date.now() - started) / 1000;

  // Aggregate.
  const stats: Record<string, Record<number, Partial<Record<MetricKey, Stat | null>>>> = {};
  for (const s of systems) {
    const o = outcomes[s.id];
    if (o.status === 'ok' && Object.keys(o.runs).length === 0) {
      o.status = 'failed';
      o.reason = o.errors[0];
    }
    stats[s.id] = {};
    for (const size of sizes) {
      const rs = o.runs[size] ?? [];
      stats[s.id][size] = {};
      for (const m of METRICS) stats[s.id][size][m.key] = stat(rs.map((r) => r[m.key]));
    }
  }
  const ratio = (a: Stat | null | undefined, b: Stat | null | undefined) => (a && b && b.median ? a.median / b.median : null);
  const livePeers = PEERS.filter((p) => outcomes[p]?.status === 'ok');

  // Terminal tables.
  for (const size of sizes) {
    console.log(`\n=== ${size} B messages — median of ${runs} runs (± spread = (max−min)/median) ===`);
    const rows = systems.map((s) => {
      if (outcomes[s.id].status !== 'ok') return [s.label, ...METRICS.map(() => '—')];
      return [
        s.label,
        ...METRICS.map((m) => {
          const st = stats[s.id][size][m.key];
          if (!st) return m.key === 'brokerRssMB' && !['rmq-tcp', ...PEERS].includes(s.id) ? '(in client)' : '—';
          return `${fmt(m.kind, st.median)} ±${st.spreadPct.toFixed(0)}%`;
        }),
      ];
    });
    console.log(table(['system', ...METRICS.map((m) => m.label)], rows));
    for (const peer of livePeers) {
      const peerLabel = SYSTEMS.find((x) => x.id === peer)!.label;
      console.log(`\n  ratio to ${peerLabel} (system ÷ peer; rates: higher is better, ms and MB: lower is better)`);
      const rrows = systems
        .filter((s) => s.id !== peer && outcomes[s.id].status === 'ok')
        .map((s) => [s.label, ...METRICS.map((m) => {
          const r = ratio(stats[s.id][size][m.key], stats[peer][size][m.key]);
          return r === null ? '—' : `×${r >= 10 ? r.toFixed(1) : r.toFixed(2)}`;
        })]);
      console.log(table(['  system', ...METRICS.map((m) => m.label)], rrows.map((r) => [`  ${r[0]}`, ...r.slice(1)])));
    }
  }
  console.log('');
  for (const s of systems) {
    const o = outcomes[s.id];
    if (o.status !== 'ok') console.log(`${s.label}: ${o.status.toUpperCase()} — ${o.reason ?? ''}`);
    for (const e of o.errors) console.log(`${s.label}: error in ${e}`);
    for (const size of sizes) for (const f of o.runs[size] ?? []) for (const n of f.notes ?? []) console.log(`${s.label}, ${size} B: ${n}`);
  }
  console.log('notes: sync = one sender awaiting each ack; sync×64 / ×256 = 64 / 256 concurrent senders; batch = 32 per call (RabbitMQ has no batch: —);');
  console.log('       oneway = fire-and-forget, 256 in flight (BullMQ has none: add() not awaited one by one, Redis still replies);');
  console.log('       e2e = acked sends with 256 in flight, rate = received ÷ (last receive − first send); latency at 2,000 msg/s after 1 s at that rate (not counted), send time in the body, measured at the consumer;');
  console.log('       in-process systems: broker and client share one process (client MB = both); peers: broker MB = redis-server / beam.smp RSS.');

  // JSON + SVG.
  mkdirSync(RESULTS, { recursive: true });
  const json = {
    command,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, totalMemGiB: totalmem() / 2 ** 30, node: process.version },
    settings: { runs, sizes, ...timing, latencyRate: RATE, batchSize: 32, onewayInFlight: 256, e2eInFlight: 256 },
    elapsedSeconds: elapsed,
    peers: Object.fromEntries(Object.entries(servers).map(([k, v]) => [k, { server: v.name, version: v.version }])),
    systems: systems.map((s) => ({
      id: s.id,
      label: s.label,
      description: s.description,
      status: outcomes[s.id].status,
      reason: outcomes[s.id].reason,
      errors: outcomes[s.id].errors,
      bySize: Object.fromEntries(
        sizes.map((size) => [
          size,
          {
            runs: outcomes[s.id].runs[size] ?? [],
            stats: stats[s.id][size],
            ratios: Object.fromEntries(
              livePeers.filter((p) => p !== s.id).map((p) => [p, Object.fromEntries(METRICS.map((m) => [m.key, ratio(stats[s.id][size][m.key], stats[p][size][m.key])]))]),
            ),
          },
        ]),
      ),
    })),
  };
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  const svg = svgChart(
    `nestjs-rocketmq vs BullMQ/Redis vs RabbitMQ — ${cpus().length} cores, median of ${runs} runs`,
    systems.map((s) => ({ id: s.id, label: outcomes[s.id].status === 'ok' ? s.label : `${s.label} (${outcomes[s.id].status})` })),
    sizes,
    (id, size, metric) => (outcomes[id].status === 'ok' ? (stats[id][size][metric] ?? null) : null),
    `${command.split('   ')[0]} — ${json.date}; whiskers: min–max over runs`,
  );
  writeFileSync(join(RESULTS, 'latest.svg'), svg);
  console.log(`\nwrote bench/results/latest.json and bench/results/latest.svg (${elapsed.toFixed(0)} s)`);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    killEverything();
    // Client libraries may hold sockets open; the bench is done.
    setTimeout(() => process.exit(), 200).unref();
  });
