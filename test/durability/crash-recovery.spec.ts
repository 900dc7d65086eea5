import { afterAll, describe, expect, it } from '@jest/globals';
import { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crashChildScript } from './crash-child-script.js';
import { killChildren, runCrashRound } from './crash-round.js';

const ROUNDS = 3;

describe('crash recovery: a broker SIGKILLed mid-stream loses nothing it acknowledged (SYNC_FLUSH)', () => {
  const children = new Set<ChildProcess>();
  const roots: string[] = [];

  afterAll(() => {
    killChildren(children);
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}: every acknowledged message at its offset, intact, in order; the group resumes`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'rmq-crash-'));
      roots.push(root);
      const killAfterMillis = 200 + Math.floor(Math.random() * 1000);
      const result = await runCrashRound({ childScript: crashChildScript(), root, killAfterMillis, children });
      expect(result.problems).toEqual([]);
      expect(result.acknowledged).toBeGreaterThan(0);
      expect(result.checked).toBe(result.acknowledged);
      expect(result.recovered).toBeGreaterThanOrEqual(result.acknowledged);
      rmSync(root, { recursive: true, force: true });
    }, 30_000);
  }
});
