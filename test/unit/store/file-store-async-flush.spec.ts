import { afterEach, describe, expect, it } from '@jest/globals';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readLong } from '../../../lib/message/index.js';
import { FileDescriptorCache } from '../../../lib/store/file/file-descriptor-cache.js';
import { IndexFile } from '../../../lib/store/file/index-file.js';
import { IndexService } from '../../../lib/store/file/index-service.js';
import { StoreCheckpoint } from '../../../lib/store/file/store-checkpoint.js';
import { FileMessageStore, PutMessageResult } from '../../../lib/store/index.js';
import { cleanup, inner, ManualClock, openStore, SMALL, tempDir } from './file-store-test-helpers.js';

interface CheckpointOnDisk {
  physic: number;
  logics: number;
  index: number;
}

function readCheckpoint(dir: string): CheckpointOnDisk {
  const buf = fs.readFileSync(path.join(dir, 'checkpoint'));
  if (buf.length < 24) return { physic: 0, logics: 0, index: 0 };
  return { physic: readLong(buf, 0), logics: readLong(buf, 8), index: readLong(buf, 16) };
}

function uniq(i: number): string {
  return `UNIQ_KEY\u0001u${i}\u0002`;
}

/** Every key `u0..u{count-1}` the index of `store` finds (each checked against its record). */
function foundKeys(store: FileMessageStore, count: number): number {
  let found = 0;
  for (let i = 0; i < count; i++) found += store.queryMessage('T', `u${i}`, 1, 0, Number.MAX_SAFE_INTEGER).messages.length;
  return found;
}

/** Keeps each libuv thread-pool thread busy for a while (pbkdf2 runs there, as fs calls do). */
function occupyThreadPool(): Promise<unknown> {
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  return Promise.all(
    Array.from({ length: threads }, () => new Promise((resolve, reject) => crypto.pbkdf2('p', 's', 100_000, 32, 'sha256', (err) => (err ? reject(err) : resolve(undefined))))),
  );
}

async function putKeyed(store: FileMessageStore, count: number, from = 0): Promise<PutMessageResult[]> {
  const results: PutMessageResult[] = [];
  for (let i = from; i < from + count; i++) results.push(await store.putMessage(inner({ queueId: i % 4, propertiesString: uniq(i) })));
  return results;
}

describe('FileMessageStore periodic flushes off the event loop', () => {
  let dir: string | undefined;
  let store: FileMessageStore | undefined;

  afterEach(async () => {
    await store?.shutdown();
    store = undefined;
    cleanup(dir);
    dir = undefined;
  });

  it('flush() leaves the new timestamps in the checkpoint file', async () => {
    dir = tempDir();
    const clock = new ManualClock();
    store = await openStore(dir, {}, { clock: clock.fn });
    await putKeyed(store, 5);
    clock.advance(5000);
    const last = (await putKeyed(store, 1, 5))[0];
    await store.flush();
    expect(readCheckpoint(dir)).toEqual({ physic: last.storeTimestamp, logics: last.storeTimestamp, index: last.storeTimestamp });
  });

  it('never records an index time in the checkpoint before the index is synced', async () => {
    dir = tempDir();
    let failIndexSync = true;
    store = await openStore(dir, {}, {
      onSync: (file) => {
        if (failIndexSync && file.includes(`${path.sep}index${path.sep}`)) throw new Error('disk gone');
      },
    });
    const results = await putKeyed(store, 30);
    await store.flush();
    expect(readCheckpoint(dir).index).toBe(0);
    // The failed flush keeps everything in memory; the next one writes it.
    expect(foundKeys(store, 30)).toBe(30);
    failIndexSync = false;
    await store.flush();
    expect(readCheckpoint(dir).index).toBe(results[29].storeTimestamp);
    await store.shutdown();
    store = await openStore(dir);
    expect(foundKeys(store, 30)).toBe(30);
  });

  it('finds every key while flushes run, after a clean restart and after halt()', async () => {
    dir = tempDir();
    store = await openStore(dir);
    // 400 entries per IndexFile: files fill and roll while flushes are in flight.
    await putKeyed(store, 500);
    const flushing = store.flush();
    await putKeyed(store, 700, 500);
    expect(foundKeys(store, 1200)).toBe(1200);
    await flushing;
    expect(foundKeys(store, 1200)).toBe(1200);
    await store.shutdown();

    store = await openStore(dir);
    expect(foundKeys(store, 1200)).toBe(1200);
    await putKeyed(store, 300, 1200);
    await store.flush();
    await putKeyed(store, 100, 1500);
    // The CommitLog write-behind runs within a millisecond; the crash comes after it.
    await new Promise((r) => setTimeout(r, 10));
    await store.halt();

    store = new FileMessageStore({ ...SMALL, storePathRootDir: dir });
    expect((await store.load()).cleanShutdown).toBe(false);
    await store.start();
    expect(foundKeys(store, 1600)).toBe(1600);
  });
});

describe('StoreCheckpoint', () => {
  let dir: string | undefined;

  afterEach(() => {
    cleanup(dir);
    dir = undefined;
  });

  it('runs concurrent flushes one after another, the last one writing the latest times', async () => {
    dir = tempDir();
    const cp = new StoreCheckpoint(path.join(dir, 'checkpoint'));
    cp.load();
    const flushes: Promise<void>[] = [];
    for (let t = 1; t <= 5; t++) {
      cp.physicMsgTimestamp = cp.logicsMsgTimestamp = cp.indexMsgTimestamp = t * 1000;
      flushes.push(cp.flush());
      await Promise.resolve();
    }
    await Promise.all(flushes);
    expect(readCheckpoint(dir)).toEqual({ physic: 5000, logics: 5000, index: 5000 });
    expect(fs.statSync(path.join(dir, 'checkpoint')).size).toBe(4096);
    cp.close();
  });

  it('lets a flush in flight finish when closed, and refuses one queued behind it', async () => {
    dir = tempDir();
    const cp = new StoreCheckpoint(path.join(dir, 'checkpoint'));
    cp.load();
    cp.physicMsgTimestamp = 7;
    const running = cp.flush();
    // The first flush starts a microtask later; wait for it to hold the descriptor.
    await Promise.resolve();
    await Promise.resolve();
    const queued = cp.flush();
    cp.close();
    await expect(running).resolves.toBeUndefined();
    await expect(queued).rejects.toMatchObject({ name: 'StoreCheckpointClosedError' });
    expect(readCheckpoint(dir).physic).toBe(7);
  });

  it('flushSync after drain() writes the final times', async () => {
    dir = tempDir();
    const cp = new StoreCheckpoint(path.join(dir, 'checkpoint'));
    cp.load();
    cp.indexMsgTimestamp = 1;
    void cp.flush();
    cp.indexMsgTimestamp = 2;
    await cp.drain();
    cp.indexMsgTimestamp = 3;
    cp.flushSync();
    cp.close();
    expect(readCheckpoint(dir).index).toBe(3);
  });
});

describe('IndexFile and IndexService flushes', () => {
  let dir: string | undefined;
  const fds = new FileDescriptorCache(16);

  afterEach(() => {
    fds.closeAll();
    cleanup(dir);
    dir = undefined;
  });

  /** phyOffsets indexed under `key` in a file opened read-only from disk (slots and entries as stored). */
  function lookUpOnDisk(file: string, hashSlotNum: number, indexNum: number, key: string): number[] {
    const reader = new IndexFile(file, hashSlotNum, indexNum, fds);
    reader.open();
    const out: number[] = [];
    reader.selectPhyOffset(key, 0, Number.MAX_SAFE_INTEGER, (phy) => {
      out.push(phy);
      return true;
    });
    return out;
  }

  it.each([
    ['flush()', (f: IndexFile) => f.flush()],
    ['flushSync()', (f: IndexFile) => Promise.resolve(f.flushSync())],
  ])('%s leaves slot pages, entries and header readable from the file', async (_name, flush) => {
    dir = tempDir();
    const file = path.join(dir, '20240101000000000');
    // 10,000 slots (10 pages), keys spread over all of them.
    const index = new IndexFile(file, 10_000, 50_000, fds);
    index.create();
    const t0 = Date.UTC(2024, 0, 1);
    for (let i = 0; i < 5000; i++) index.putKey(`T#k${i}`, i * 100, t0 + i);
    await flush(index);
    const reader = new IndexFile(file, 10_000, 50_000, fds);
    reader.open();
    expect(reader.indexCount).toBe(5001);
    expect(reader.endTimestamp).toBe(t0 + 4999);
    for (const i of [0, 1, 777, 2500, 4999]) expect(lookUpOnDisk(file, 10_000, 50_000, `T#k${i}`)).toContain(i * 100);
  });

  it('keeps keys put during a flush in memory and writes them with the next one', async () => {
    dir = tempDir();
    const file = path.join(dir, '20240101000000000');
    const index = new IndexFile(file, 2048, 50_000, fds);
    index.create();
    for (let i = 0; i < 3000; i++) index.putKey(`T#k${i}`, i, 1000 + i);
    // With every thread-pool thread busy, the flush's writes wait: what it took must still read from memory.
    const busy = occupyThreadPool();
    const first = index.flush();
    await Promise.resolve();
    for (let i = 3000; i < 9000; i++) index.putKey(`T#k${i}`, i, 1000 + i);
    const found = (i: number) => {
      const out: number[] = [];
      index.selectPhyOffset(`T#k${i}`, 0, Number.MAX_SAFE_INTEGER, (phy) => out.push(phy) > 0);
      return out;
    };
    for (const i of [5, 2999, 3000, 8999]) expect(found(i)).toContain(i);
    await Promise.all([first, busy]);
    for (const i of [5, 2999, 3000, 8999]) expect(found(i)).toContain(i);
    await index.flush();
    for (const i of [5, 2999, 3000, 8999]) expect(lookUpOnDisk(file, 2048, 50_000, `T#k${i}`)).toContain(i);
  });

  it('IndexService: flushedStoreTimestamp moves only after the fdatasync, across rolled files', async () => {
    dir = tempDir();
    const synced: Array<{ file: string; flushed: number }> = [];
    const service: IndexService = new IndexService({
      dir,
      hashSlotNum: 64,
      indexNum: 100,
      fds,
      clock: () => Date.UTC(2024, 0, 1),
      onSync: (file) => synced.push({ file, flushed: service.flushedStoreTimestamp }),
    });
    service.load(true, 0, 0);
    const t0 = Date.UTC(2024, 0, 1);
    for (let i = 0; i < 450; i++) service.buildIndex('T', uniq(i), i * 10, t0 + i);
    expect(service.fileCount).toBe(5);
    const flushing = service.flush();
    expect(service.flushedStoreTimestamp).toBe(0);
    await flushing;
    expect(service.flushedStoreTimestamp).toBe(t0 + 449);
    expect(synced.length).toBeGreaterThanOrEqual(5);
    expect(synced.every((s) => s.flushed === 0)).toBe(true);
    const query = (s: IndexService, i: number) => s.queryOffset('T', `u${i}`, 4, 0, Number.MAX_SAFE_INTEGER, () => true);
    for (const i of [0, 99, 100, 250, 449]) expect(query(service, i)).toContain(i * 10);
    await service.drain();
    service.close();

    const reopened = new IndexService({ dir, hashSlotNum: 64, indexNum: 100, fds, clock: () => t0 });
    reopened.load(true, 0, Number.MAX_SAFE_INTEGER);
    for (const i of [0, 99, 100, 250, 449]) expect(query(reopened, i)).toContain(i * 10);
    reopened.close();
  });
});
