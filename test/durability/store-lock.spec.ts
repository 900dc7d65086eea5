import { afterAll, describe, expect, it } from '@jest/globals';
import { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundledRocketMQ } from '../../lib/broker/index.js';
import { RocketMQStoreLockedError } from '../../lib/store/file/index.js';
import { crashChildScript } from './crash-child-script.js';
import { crashStoreOptions } from './crash-child-protocol.js';
import { killChildren, runCrashRound } from './crash-round.js';

describe('one store directory, one live broker process', () => {
  const children = new Set<ChildProcess>();
  const roots: string[] = [];

  afterAll(() => {
    killChildren(children);
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it('a second process cannot start a broker on a store in use; once the owner is gone it can', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rmq-lock-'));
    roots.push(root);
    let refused: unknown;
    const result = await runCrashRound({
      childScript: crashChildScript(),
      root,
      killAfterMillis: 200,
      producers: 1,
      children,
      whileRunning: async () => {
        const intruder = new BundledRocketMQ({ broker: crashStoreOptions(root) as never });
        refused = await intruder.start().then(() => undefined, (err: unknown) => err);
        // A refused start leaves nothing behind: shutting it down is harmless.
        await intruder.shutdown();
      },
    });
    expect(refused).toBeInstanceOf(RocketMQStoreLockedError);
    // The round itself recovered the same directory after the kill: the stale lock was taken over.
    expect(result.problems).toEqual([]);
    rmSync(root, { recursive: true, force: true });
  }, 30_000);
});
