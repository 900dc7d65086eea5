/**
 * Crash-recovery bench: `npm run bench:crash -- --rounds 20`. Each round SIGKILLs a SYNC_FLUSH child broker
 * at a random point mid-stream, recovers its store in this process and checks every acknowledged send.
 * Prints one line per round and a summary; exits 1 when anything acknowledged was lost or damaged.
 */
import { Logger } from '@nestjs/common';
import { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crashChildScript } from '../test/durability/crash-child-script.js';
import { killChildren, runCrashRound } from '../test/durability/crash-round.js';

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const rounds = argument('rounds', 20);
  const producers = argument('producers', 4);
  const maxKillMillis = argument('max-kill-ms', 3000);
  const children = new Set<ChildProcess>();
  process.on('SIGINT', () => {
    killChildren(children);
    process.exit(130);
  });
  const script = crashChildScript();
  let acknowledged = 0;
  let checked = 0;
  const recoveries: number[] = [];
  const problems: string[] = [];
  console.log(`crash-recovery bench: ${rounds} rounds, ${producers} producers, SYNC_FLUSH, kill at 100..${maxKillMillis} ms`);
  for (let round = 1; round <= rounds; round++) {
    const root = mkdtempSync(join(tmpdir(), 'rmq-crash-bench-'));
    const killAfterMillis = 100 + Math.floor(Math.random() * (maxKillMillis - 100));
    try {
      const r = await runCrashRound({ childScript: script, root, killAfterMillis, producers, children });
      acknowledged += r.acknowledged;
      checked += r.checked;
      recoveries.push(r.recoveryMillis);
      problems.push(...r.problems.map((p) => `round ${round}: ${p}`));
      console.log(
        `round ${String(round).padStart(2)}: killed at ${String(killAfterMillis).padStart(4)} ms, ${String(r.acknowledged).padStart(5)} acknowledged, ` +
          `${String(r.checked).padStart(5)} intact, ${String(r.recovered).padStart(5)} recovered, recovery ${r.recoveryMillis} ms, ` +
          `${r.offsetQueuesChecked} offset queues checked, ${r.problems.length} problems`,
      );
    } finally {
      killChildren(children);
      rmSync(root, { recursive: true, force: true });
    }
  }
  const sorted = [...recoveries].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  console.log('---');
  console.log(`rounds: ${rounds}`);
  console.log(`acknowledged messages checked: ${checked} of ${acknowledged}`);
  console.log(`recovery time (ms): min ${sorted[0]}, median ${pct(50)}, p90 ${pct(90)}, max ${sorted[sorted.length - 1]}`);
  console.log(`loss or damage: ${acknowledged - checked} messages; problems: ${problems.length}`);
  for (const p of problems.slice(0, 50)) console.log(`  ${p}`);
  process.exit(problems.length === 0 && checked === acknowledged ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
