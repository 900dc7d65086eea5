import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLastRecord, IPV4_RECORD_BODY_AT, phyOffsetOfOffsetMsgId, RecordLocation } from './commit-log-walker.js';
import { crashChildScript } from './crash-child-script.js';
import { killChildren, runCrashRound } from './crash-round.js';

/** Damage done to the last CommitLog record after the kill. */
type Damage = 'chop' | 'flip';

function damage(root: string, kind: Damage): RecordLocation {
  const last = findLastRecord(join(root, 'commitlog'));
  if (!last) throw new Error('the child wrote no record');
  if (kind === 'chop') {
    // A torn write: the record's last bytes never reached the disk.
    truncateSync(last.file, last.position + last.size - 7);
  } else {
    const fd = openSync(last.file, 'r+');
    try {
      const bodyLength = Buffer.alloc(4);
      readSync(fd, bodyLength, 0, 4, last.position + IPV4_RECORD_BODY_AT - 4);
      const at = last.position + IPV4_RECORD_BODY_AT + Math.floor(bodyLength.readInt32BE(0) / 2);
      const byte = Buffer.alloc(1);
      readSync(fd, byte, 0, 1, at);
      byte[0] ^= 0x5a;
      writeSync(fd, byte, 0, 1, at);
    } finally {
      closeSync(fd);
    }
  }
  return last;
}

describe('a damaged last CommitLog record after a crash', () => {
  const children = new Set<ChildProcess>();
  const roots: string[] = [];

  afterAll(() => {
    killChildren(children);
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  for (const kind of ['chop', 'flip'] as const) {
    // 'chop' cuts only the last 7 bytes (the tail of the properties, which no CRC covers): recovery must
    // notice the record is short from the file length alone.
    it(`${kind === 'chop' ? 'cut short' : 'one byte flipped in its body'}: the broker starts, warns, and serves everything before it`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'rmq-tail-'));
      roots.push(root);
      let damaged: RecordLocation | undefined;
      const warn = jest.spyOn(Logger.prototype, 'warn');
      try {
        const result = await runCrashRound({
          childScript: crashChildScript(),
          root,
          killAfterMillis: 300,
          producers: 2,
          children,
          afterKill: () => {
            damaged = damage(root, kind);
          },
        });
        // Only the damaged record (acknowledged or not) is gone: nothing before it, no gap, no disorder.
        expect(result.lost.every((ack) => phyOffsetOfOffsetMsgId(ack.offsetMsgId) === damaged!.phyOffset)).toBe(true);
        expect(result.problems.filter((p) => !p.startsWith('lost:'))).toEqual([]);
        expect(result.checked).toBeGreaterThan(0);
        expect(warn).toHaveBeenCalled();
      } finally {
        warn.mockRestore();
      }
      rmSync(root, { recursive: true, force: true });
    }, 30_000);
  }
});
