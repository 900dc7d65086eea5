import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { decodeMessageRecord } from '../../../lib/message/index.js';
import { FileMessageStore, GetMessageStatus, PutMessageResult } from '../../../lib/store/index.js';
import { cleanup, commitLogFiles, inner, ManualClock, openStore, tempDir } from './file-store-test-helpers.js';

const HOUR = 3_600_000;

describe('FileMessageStore retention and memory', () => {
  let dir: string | undefined;
  let store: FileMessageStore | undefined;
  afterEach(async () => {
    await store?.shutdown();
    store = undefined;
    cleanup(dir);
    dir = undefined;
  });

  async function fill(clock: ManualClock, count: number): Promise<PutMessageResult[]> {
    const results: PutMessageResult[] = [];
    for (let i = 0; i < count; i++) {
      results.push(await store!.putMessage(inner({ queueId: i % 2, body: Buffer.alloc(1000, i % 251), propertiesString: `KEYS\u0001k${i}\u0002` })));
      clock.advance(1000);
    }
    return results;
  }

  it('deletes expired segments at the deleteWhen hour, moves min offsets, and a pull below them gets OFFSET_TOO_SMALL', async () => {
    dir = tempDir();
    // 12:00 local time on the clock, deleteWhen at 14 local time.
    const start = new Date(2024, 0, 1, 12).getTime();
    const clock = new ManualClock(start);
    store = await openStore(dir, { mappedFileSizeCommitLog: 64 * 1024, fileReservedTime: 1, deleteWhen: '03;14' }, { clock: clock.fn, diskUsedRatio: () => 0.1 });
    const results = await fill(clock, 400);
    await store.flush();
    const segments = commitLogFiles(dir).length;
    expect(segments).toBeGreaterThan(4);

    // Not the hour yet, nor forced: nothing happens even though everything is old enough.
    expect(store.deleteExpiredFiles(start + HOUR + 30 * 60_000).commitLogFiles).toBe(0);
    // At 14:00 segments last written before 13:00 go; the current one always stays.
    const at = new Date(2024, 0, 1, 14, 0, 30).getTime();
    const deleted = store.deleteExpiredFiles(at);
    expect(deleted.commitLogFiles).toBe(segments - 1);
    expect(deleted.consumeQueueFiles).toBeGreaterThan(0);
    expect(commitLogFiles(dir)).toHaveLength(1);
    const minPhy = store.getMinPhyOffset();
    expect(minPhy).toBe((segments - 1) * 64 * 1024);

    const min0 = store.getMinOffsetInQueue('T', 0);
    expect(min0).toBeGreaterThan(0);
    const firstKept = results.filter((_, i) => i % 2 === 0)[min0];
    expect(firstKept.wroteOffset).toBeGreaterThanOrEqual(minPhy);
    expect(results.filter((_, i) => i % 2 === 0)[min0 - 1].wroteOffset).toBeLessThan(minPhy);
    const tooSmall = store.getMessage('g', 'T', 0, 0, 32, 1 << 30);
    expect(tooSmall.status).toBe(GetMessageStatus.OFFSET_TOO_SMALL);
    expect(tooSmall.nextBeginOffset).toBe(min0);
    const resumed = store.getMessage('g', 'T', 0, tooSmall.nextBeginOffset, 1, 1 << 30);
    expect(resumed.status).toBe(GetMessageStatus.FOUND);
    expect(decodeMessageRecord(resumed.messages[0]).commitLogOffset).toBe(firstKept.wroteOffset);
    expect(store.lookMessageByOffset(results[0].wroteOffset)).toBeUndefined();
    expect(store.queryMessage('T', 'k0', 5, 0, Number.MAX_SAFE_INTEGER).messages).toHaveLength(0);

    // The minimums survive a restart.
    await store.shutdown();
    store = await openStore(dir, { mappedFileSizeCommitLog: 64 * 1024 }, { clock: clock.fn });
    expect(store.getMinOffsetInQueue('T', 0)).toBe(min0);
    expect(store.getMinPhyOffset()).toBe(minPhy);
  });

  it('keeps segments younger than fileReservedTime and deletes regardless of age when the disk is full', async () => {
    dir = tempDir();
    const clock = new ManualClock();
    let ratio = 0.1;
    store = await openStore(dir, { mappedFileSizeCommitLog: 64 * 1024, fileReservedTime: 72, diskMaxUsedSpaceRatio: 80 }, { clock: clock.fn, diskUsedRatio: () => ratio });
    await fill(clock, 300);
    const segments = commitLogFiles(dir).length;
    expect(store.deleteExpiredFiles(clock.now + HOUR, true).commitLogFiles).toBe(0);
    ratio = 0.9;
    const deleted = store.deleteExpiredFiles(clock.now + HOUR);
    expect(deleted.commitLogFiles).toBe(Math.min(10, segments - 1));
    expect(store.getMinOffsetInQueue('T', 1)).toBeGreaterThan(0);
  });

  it('keeps its own buffers bounded while storing 50 MB in small segments', async () => {
    dir = tempDir();
    store = await openStore(dir, { mappedFileSizeCommitLog: 1024 * 1024, mappedFileSizeConsumeQueue: 20 * 1000, maxHashSlotNum: 1024, maxIndexNum: 200_000 });
    const body = Buffer.alloc(1024, 9);
    let peak = 0;
    let stored = 0;
    for (let i = 0; stored < 50 * 1024 * 1024; i++) {
      const r = (await store.putMessage(inner({ queueId: i % 8, body, propertiesString: `UNIQ_KEY\u0001u${i}\u0002` })));
      stored += r.wroteBytes;
      if (i % 1000 === 0) peak = Math.max(peak, store.stats().bufferedBytes);
    }
    await store.flush();
    const stats = store.stats();
    // At most three 1 MiB CommitLog windows (one written, two on their way to the file), 8 queue tails of
    // at most 20 KiB, one index slot table and tail.
    expect(Math.max(peak, stats.bufferedBytes)).toBeLessThan(3 * 1024 * 1024 + 8 * 20 * 1024 + 200 * 1024);
    expect(stats.commitLogSegments).toBeGreaterThanOrEqual(50);
    expect(stats.openFiles).toBeLessThanOrEqual(128);
    // Old data is still there, read from the files.
    expect(store.getMessage('g', 'T', 3, 0, 1, 1 << 30).status).toBe(GetMessageStatus.FOUND);
    expect(store.queryMessage('T', 'u7', 1, 0, Number.MAX_SAFE_INTEGER).messages).toHaveLength(1);
    expect(fs.statSync(path.join(dir, 'commitlog', '0'.repeat(20))).size).toBe(1024 * 1024);
  });
});
