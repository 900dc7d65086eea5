/**
 * Starts the peer brokers the bench compares against — redis-server (for BullMQ) and rabbitmq-server —
 * from the Debian packages, on 127.0.0.1, each with its own temp dir and free port, never as a service;
 * and stops them. A server that cannot start is reported with the reason, never faked.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PeerServer {
  name: string;
  port: number;
  /** The OS process holding the data (for RSS). */
  pid: number;
  version: string;
  stop(): Promise<void>;
  /** Synchronous best-effort kill, for process 'exit' handlers. */
  killNow(): void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function which(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin'])) {
    const p = join(dir, bin);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

export function peerBinariesPresent(): { redis: boolean; rabbitmq: boolean } {
  return { redis: !!which('redis-server'), rabbitmq: !!which('rabbitmq-server') && !!which('rabbitmqctl') };
}

function ping(port: number, request: string, expect: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    let data = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('error', () => done(false));
    sock.on('data', (d) => {
      data += d.toString();
      if (data.includes(expect)) done(true);
    });
    sock.connect(port, '127.0.0.1', () => sock.write(request));
  });
}

function alive(proc: ChildProcess): boolean {
  return proc.exitCode === null && proc.signalCode === null;
}

function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export async function startRedis(): Promise<PeerServer> {
  const bin = which('redis-server');
  if (!bin) throw new Error('redis-server is not installed (run bench/setup-peers.sh)');
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  const port = await freePort();
  const log = openSync(join(dir, 'redis.log'), 'a');
  const proc = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no', '--protected-mode', 'no'],
    { stdio: ['ignore', log, log] },
  );
  const version = (spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '').trim().split(' ').find((w) => w.startsWith('v='))?.slice(2) ?? '?';
  const killNow = () => {
    if (alive(proc)) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await ping(port, 'PING\r\n', '+PONG'))) {
    if (!alive(proc) || Date.now() > deadline) {
      const out = readFileSync(join(dir, 'redis.log'), 'utf8').slice(-800);
      killNow();
      throw new Error(`redis-server did not start: ${out.trim() || `exit ${proc.exitCode}`}`);
    }
    await sleep(50);
  }
  return {
    name: 'redis',
    port,
    pid: proc.pid!,
    version,
    killNow,
    stop: async () => {
      if (alive(proc)) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, sleep(5000)]);
      }
      killNow();
    },
  };
}

export async function startRabbitMQ(): Promise<PeerServer> {
  const server = which('rabbitmq-server');
  const ctl = which('rabbitmqctl');
  if (!server || !ctl) throw new Error('rabbitmq-server is not installed (run bench/setup-peers.sh)');
  const epmdWasRunning = spawnSync('pgrep', ['-x', 'epmd']).status === 0;
  const dir = mkdtempSync(join(tmpdir(), 'bench-rabbitmq-'));
  const port = await freePort();
  const distPort = await freePort();
  const node = 'bench@localhost';
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dir, 'rabbitmq.conf'), 'loopback_users = none\n');
  const env = {
    ...process.env,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_NODENAME: node,
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_LOGS: join(dir, 'log', 'rabbit.log'),
  };
  const log = openSync(join(dir, 'server.out'), 'a');
  // As root, Debian's wrapper scripts run the server and rabbitmqctl as the rabbitmq user: it must own the dir.
  if (process.getuid?.() === 0) {
    const owner = spawnSync('id', ['-u', 'rabbitmq'], { encoding: 'utf8' });
    if (owner.status === 0) spawnSync('chown', ['-R', 'rabbitmq:', dir]);
  }
  const proc = spawn(server, [], { env, stdio: ['ignore', log, log], detached: true });
  let beamPid = 0;
  const killNow = () => {
    if (beamPid) killPid(beamPid, 'SIGKILL');
    if (alive(proc)) killPid(-proc.pid!, 'SIGKILL');
    // su gives the server its own session: find what is left of it by the environment it inherited.
    for (const pid of pidsWithEnv(`RABBITMQ_MNESIA_BASE=${join(dir, 'mnesia')}`)) killPid(pid, 'SIGKILL');
    if (!epmdWasRunning) spawnSync('epmd', ['-kill'], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  const ctlRun = (args: string[], timeoutMs: number) => spawnSync(ctl, ['-n', node, ...args], { env, encoding: 'utf8', timeout: timeoutMs });
  // await_startup needs the node up first: ping until the Erlang node answers (or the server gives up).
  const pingBy = Date.now() + 60_000;
  while (Date.now() < pingBy && alive(proc) && ctlRun(['ping'], 15_000).status !== 0) await sleep(500);
  const wait = ctlRun(['await_startup', '--timeout', '60'], 70_000);
  if (wait.status !== 0 || !alive(proc)) {
    let out = '';
    try {
      out = readFileSync(join(dir, 'server.out'), 'utf8').slice(-600);
    } catch {
      // no log
    }
    killNow();
    throw new Error(`rabbitmq-server did not start: ${(wait.stderr || wait.stdout || '').trim().slice(-400)} ${out.trim()}`.trim());
  }
  const pidOut = ctlRun(['eval', 'os:getpid().'], 20_000).stdout ?? '';
  beamPid = Number(/\d+/.exec(pidOut)?.[0] ?? 0);
  const version = (/[\d.]+/.exec(ctlRun(['version'], 20_000).stdout ?? '')?.[0] ?? '?').trim();
  return {
    name: 'rabbitmq',
    port,
    pid: beamPid || proc.pid!,
    version,
    killNow,
    stop: async () => {
      ctlRun(['stop'], 30_000);
      const deadline = Date.now() + 10_000;
      while (beamPid && Date.now() < deadline) {
        try {
          process.kill(beamPid, 0);
        } catch {
          break;
        }
        await sleep(100);
      }
      killNow();
    },
  };
}

/** Processes (readable under /proc) whose environment holds `entry` exactly. */
function pidsWithEnv(entry: string): number[] {
  const found: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(entry)) found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** RSS in KiB of a process, by ps; 0 when it is gone. */
export function rssKiB(pid: number): number {
  try {
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) || 0;
  } catch {
    return 0;
  }
}
