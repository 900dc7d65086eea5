import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DIST = join(process.cwd(), 'dist');
export const CLI = join(DIST, 'lib/cli/nestjs-rocketmq.js');
export const CLIENT_CHILD = join(DIST, 'test/multiprocess/mp-client-child.js');

/** A child process and the JSON lines it printed. */
export class Child {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly proc: ChildProcess) {
    let buffered = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.substring(0, nl);
        buffered = buffered.substring(nl + 1);
        this.output.push(line);
        if (line.startsWith('{')) {
          try {
            this.lines.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            // a log line that happens to start with a brace
          }
        }
      }
    });
    proc.stderr!.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')));
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  }

  messages(): Array<Record<string, unknown>> {
    return this.lines.filter((l) => l.type === 'msg');
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
  }
}

export function spawnNode(args: string[], cwd = process.cwd()): Child {
  return new Child(spawn(process.execPath, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

export async function waitFor(predicate: () => boolean, timeoutMillis: number, what: string): Promise<void> {
  const begin = Date.now();
  while (!predicate()) {
    if (Date.now() - begin > timeoutMillis) throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A standalone broker child (NameServer and/or Broker on free ports, file store in a temp dir). */
export async function startBrokerProcess(
  args: string[] = [],
): Promise<{ child: Child; nameServer?: string; broker?: string; dir: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'rmq-mp-'));
  const child = spawnNode([CLI, 'broker', '--namesrv-port', '0', 'listenPort=0', `storePathRootDir=${join(dir, 'store')}`, ...args], dir);
  const find = (re: RegExp) => {
    for (const line of child.output) {
      const m = re.exec(line);
      if (m) return m[1];
    }
    return undefined;
  };
  const namesrvOnly = args.includes('--namesrv-only');
  const brokerOnly = args.includes('--broker-only');
  try {
    await waitFor(
      () =>
        child.proc.exitCode !== null ||
        ((brokerOnly || !!find(/Name Server boot success\. listening on (\S+)/)) && (namesrvOnly || !!find(/The broker\[[^,]+, (\S+)\] boot success/))),
      15_000,
      'the broker process to start',
    );
  } catch (err) {
    child.kill();
    throw err;
  }
  if (child.proc.exitCode !== null) throw new Error(`the broker process exited ${child.proc.exitCode}: ${child.output.join('\n')}`);
  return {
    child,
    dir,
    nameServer: find(/Name Server boot success\. listening on (\S+)/),
    broker: find(/The broker\[[^,]+, (\S+)\] boot success/),
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await child.exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
