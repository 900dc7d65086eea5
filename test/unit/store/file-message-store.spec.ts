import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { BLANK_MAGIC_CODE, decodeMessageRecord, javaStringHashCode, MessageSysFlag } from '../../../lib/message/index.js';
import {
  FileMessageStore,
  GetMessageStatus,
  MemoryMessageStore,
  MessageStore,
  PutMessageResult,
  PutMessageStatus,
} from '../../../lib/store/index.js';
import { cleanup, commitLogFiles, inner, openStore, tempDir } from './file-store-test-helpers.js';

interface Harness {
  make(config?: Record<string, unknown>): Promise<MessageStore>;
  dispose(): Promise<void>;
}

function memoryHarness(): Harness {
  return {
    async make(config = {}) {
      const store = new MemoryMessageStore(config);
      store.start();
      return store;
    },
    async dispose() {},
  };
}

function fileHarness(): Harness {
  const dirs: string[] = [];
  const stores: FileMessageStore[] = [];
  return {
    async make(config = {}) {
      const dir = tempDir();
      dirs.push(dir);
      const store = await openStore(dir, config);
      stores.push(store);
      return store;
    },
    async dispose() {
      for (const s of stores.splice(0)) await s.shutdown();
      for (const d of dirs.splice(0)) cleanup(d);
    },
  };
}

async function put(store: MessageStore, overrides: Parameters<typeof inner>[0] = {}): Promise<PutMessageResult> {
  return store.putMessage(inner(overrides));
}

// The memory store is the reference: every behaviour below must hold for both.
describe.each([
  ['MemoryMessageStore', memoryHarness],
  ['FileMessageStore', fileHarness],
])('%s shared semantics', (_name, makeHarness) => {
  let harness: Harness;
  afterEach(async () => {
    await harness.dispose();
  });

  it('assigns queue offsets per queue and physical offsets as the running sum of record sizes', async () => {
    harness = makeHarness();
    const store = await harness.make();
    const a = await put(store);
    const b = await put(store, { queueId: 1 });
    const c = await put(store);
    expect(a.status).toBe(PutMessageStatus.PUT_OK);
    expect([a.logicsOffset, b.logicsOffset, c.logicsOffset]).toEqual([0, 0, 1]);
    expect(a.wroteOffset).toBe(0);
    expect(b.wroteOffset).toBe(a.wroteBytes);
    expect(c.wroteOffset).toBe(a.wroteBytes + b.wroteBytes);
    expect(a.msgId).toBe('7F00000100002A9F0000000000000000');
    const ext = store.lookMessageByOffset(c.wroteOffset)!;
    expect(ext.queueOffset).toBe(1);
    expect(ext.commitLogOffset).toBe(c.wroteOffset);
    expect(ext.storeTimestamp).toBe(c.storeTimestamp);
    expect(store.getMaxOffsetInQueue('T', 0)).toBe(2);
    expect(store.getMaxOffsetInQueue('T', 9)).toBe(0);
    expect(store.getMaxPhyOffset()).toBe(c.wroteOffset + c.wroteBytes);
  });

  it('keeps records readable across segment rolls', async () => {
    harness = makeHarness();
    const store = await harness.make();
    const body = Buffer.alloc(100 * 1024, 7);
    const results: PutMessageResult[] = [];
    for (let i = 0; i < 10; i++) results.push(await put(store, { body }));
    for (const r of results) {
      const record = store.selectOneMessageByOffset(r.wroteOffset)!;
      expect(record.length).toBe(r.wroteBytes);
      expect(decodeMessageRecord(record).body.equals(body)).toBe(true);
    }
    const pulled = store.getMessage('g', 'T', 0, 0, 32, 1 << 30);
    expect(pulled.messages.map((m) => decodeMessageRecord(m).queueOffset)).toEqual([0, 1]);
  });

  it('stores prepared and rolled-back transaction messages without a ConsumeQueue entry', async () => {
    harness = makeHarness();
    const store = await harness.make();
    const prepared = await put(store, { sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE });
    await put(store, { sysFlag: MessageSysFlag.TRANSACTION_ROLLBACK_TYPE });
    expect(prepared.status).toBe(PutMessageStatus.PUT_OK);
    expect(store.getMaxOffsetInQueue('T', 0)).toBe(0);
    expect(store.lookMessageByOffset(prepared.wroteOffset)?.topic).toBe('T');
    const committed = await put(store, { sysFlag: MessageSysFlag.TRANSACTION_COMMIT_TYPE });
    expect(committed.logicsOffset).toBe(0);
    expect(store.getMaxOffsetInQueue('T', 0)).toBe(1);
  });

  it('rejects records above maxMessageSize with MESSAGE_ILLEGAL and a remark naming both sizes', async () => {
    harness = makeHarness();
    const store = await harness.make({ maxMessageSize: 1024 });
    const result = await put(store, { body: Buffer.alloc(2000) });
    expect(result.status).toBe(PutMessageStatus.MESSAGE_ILLEGAL);
    expect(result.remark).toContain('1024');
    expect(store.getMaxPhyOffset()).toBe(0);
  });

  it('puts a batch into consecutive queue offsets with comma-joined message ids', async () => {
    harness = makeHarness();
    const store = await harness.make();
    await put(store);
    const result = await store.putMessages([inner(), inner(), inner()]);
    expect(result.msgNum).toBe(3);
    expect(result.logicsOffset).toBe(1);
    expect(result.msgId.split(',')).toHaveLength(3);
    expect(store.getMaxOffsetInQueue('T', 0)).toBe(4);
  });

  it('answers getMessage with RocketMQ statuses and nextBeginOffset rules', async () => {
    harness = makeHarness();
    const store = await harness.make();
    expect(store.getMessage('g', 'T', 0, 5, 32, 1 << 30)).toMatchObject({ status: GetMessageStatus.NO_MATCHED_LOGIC_QUEUE, nextBeginOffset: 0 });
    for (let i = 0; i < 5; i++) await put(store);
    const found = store.getMessage('g', 'T', 0, 1, 2, 1 << 30);
    expect(found.status).toBe(GetMessageStatus.FOUND);
    expect(found.messages).toHaveLength(2);
    expect(found.nextBeginOffset).toBe(3);
    expect(found.minOffset).toBe(0);
    expect(found.maxOffset).toBe(5);
    expect(decodeMessageRecord(found.messages[0]).queueOffset).toBe(1);
    expect(store.getMessage('g', 'T', 0, 5, 32, 1 << 30)).toMatchObject({ status: GetMessageStatus.OFFSET_OVERFLOW_ONE, nextBeginOffset: 5 });
    expect(store.getMessage('g', 'T', 0, 9, 32, 1 << 30)).toMatchObject({ status: GetMessageStatus.OFFSET_OVERFLOW_BADLY, nextBeginOffset: 5 });
  });

  it('caps one getMessage at maxTransferCountOnMessageInMemory messages', async () => {
    harness = makeHarness();
    const store = await harness.make();
    for (let i = 0; i < 40; i++) await put(store);
    const result = store.getMessage('g', 'T', 0, 0, 64, 1 << 30);
    expect(result.messages).toHaveLength(32);
    expect(result.nextBeginOffset).toBe(32);
  });

  it('filters by tag hash and scans a bounded number of entries per call', async () => {
    harness = makeHarness();
    const store = await harness.make();
    const b = javaStringHashCode('B');
    for (let i = 0; i < 1000; i++) await put(store);
    await put(store, { tagsCode: b, propertiesString: 'TAGS\u0001B\u0002' });
    const filter = { isMatchedByConsumeQueue: (code: number) => code === b };
    const first = store.getMessage('g', 'T', 0, 0, 32, 1 << 30, filter);
    expect(first.status).toBe(GetMessageStatus.NO_MATCHED_MESSAGE);
    expect(first.nextBeginOffset).toBe(800);
    const second = store.getMessage('g', 'T', 0, first.nextBeginOffset, 32, 1 << 30, filter);
    expect(second.status).toBe(GetMessageStatus.FOUND);
    expect(second.messages).toHaveLength(1);
    expect(second.nextBeginOffset).toBe(1001);
    const byCommitLog = store.getMessage('g', 'T', 0, 1000, 32, 1 << 30, {
      isMatchedByConsumeQueue: () => true,
      isMatchedByCommitLog: () => false,
    });
    expect(byCommitLog.status).toBe(GetMessageStatus.NO_MATCHED_MESSAGE);
  });

  it('finds offsets by store time (lower and upper boundaries) and the earliest store time', async () => {
    harness = makeHarness();
    const store = await harness.make();
    const realNow = Date.now;
    const times = [1000, 1000, 2000, 3000, 3000, 5000];
    try {
      for (const t of times) {
        Date.now = () => t;
        await put(store);
      }
    } finally {
      Date.now = realNow;
    }
    expect(store.getOffsetInQueueByTime('T', 0, 500)).toBe(0);
    expect(store.getOffsetInQueueByTime('T', 0, 1000)).toBe(0);
    expect(store.getOffsetInQueueByTime('T', 0, 1000, 'upper')).toBe(1);
    expect(store.getOffsetInQueueByTime('T', 0, 2500)).toBe(3);
    expect(store.getOffsetInQueueByTime('T', 0, 2500, 'upper')).toBe(2);
    expect(store.getOffsetInQueueByTime('T', 0, 3000)).toBe(3);
    expect(store.getOffsetInQueueByTime('T', 0, 9000)).toBe(6);
    expect(store.getOffsetInQueueByTime('T', 0, 9000, 'upper')).toBe(5);
    expect(store.getOffsetInQueueByTime('nope', 0, 9000)).toBe(0);
    expect(store.getEarliestMessageTime('T', 0)).toBe(1000);
    expect(store.getEarliestMessageTime('T', 3)).toBe(-1);
    expect(store.getMessageStoreTimeStamp('T', 0, 2)).toBe(2000);
    expect(store.getMessageStoreTimeStamp('T', 0, 6)).toBe(-1);
  });

  it('checks whether a consume offset is still held', async () => {
    harness = makeHarness();
    const store = await harness.make();
    expect(store.checkInMemByConsumeOffset('T', 0, 0, 1)).toBe(false);
    await put(store);
    expect(store.checkInMemByConsumeOffset('T', 0, 0, 1)).toBe(true);
    expect(store.checkInMemByConsumeOffset('T', 0, 1, 1)).toBe(false);
  });

  it('calls the arrival listener after each ConsumeQueue dispatch', async () => {
    harness = makeHarness();
    const store = await harness.make();
    const seen: unknown[][] = [];
    store.setMessageArrivingListener((...args) => seen.push(args));
    const r = await put(store, { queueId: 2 });
    await put(store, { sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE });
    expect(seen).toEqual([['T', 2, 0, javaStringHashCode('A'), r.storeTimestamp, 'TAGS\u0001A\u0002']]);
  });

  it('returns ConsumeQueue entries as stored, undefined outside the queue', async () => {
    harness = makeHarness();
    const store = await harness.make();
    const r = await put(store, { tagsCode: -12345 });
    expect(store.getConsumeQueueEntry('T', 0, 0)).toEqual({ phyOffset: r.wroteOffset, size: r.wroteBytes, tagsCode: -12345 });
    expect(store.getConsumeQueueEntry('T', 0, 1)).toBeUndefined();
    expect(store.getConsumeQueueEntry('X', 0, 0)).toBeUndefined();
  });

  it('queries by key and by uniq key, newest first, within a time range, capped at 64', async () => {
    harness = makeHarness();
    const store = await harness.make();
    const results: PutMessageResult[] = [];
    for (let i = 0; i < 70; i++) {
      results.push(await put(store, { propertiesString: `KEYS\u0001order-1 k${i}\u0002UNIQ_KEY\u0001U${i}\u0002` }));
    }
    const other = await put(store, { topic: 'Other', propertiesString: 'KEYS\u0001order-1\u0002' });
    const byKey = store.queryMessage('T', 'order-1', 100, 0, Number.MAX_SAFE_INTEGER);
    expect(byKey.messages).toHaveLength(64);
    expect(decodeMessageRecord(byKey.messages[0]).commitLogOffset).toBe(results[69].wroteOffset);
    expect(byKey.indexLastUpdatePhyoffset).toBe(other.wroteOffset);
    expect(byKey.indexLastUpdateTimestamp).toBe(other.storeTimestamp);
    const byUniq = store.queryMessage('T', 'U7', 10, 0, Number.MAX_SAFE_INTEGER);
    expect(byUniq.messages.map((m) => decodeMessageRecord(m).commitLogOffset)).toEqual([results[7].wroteOffset]);
    expect(store.queryMessage('T', 'k3', 10, 0, Number.MAX_SAFE_INTEGER).messages).toHaveLength(1);
    expect(store.queryMessage('T', 'nope', 10, 0, Number.MAX_SAFE_INTEGER).messages).toHaveLength(0);
    const t = results[5].storeTimestamp;
    expect(store.queryMessage('T', 'U5', 10, t + 1, t + 10).messages).toHaveLength(0);
    expect(store.queryMessage('T', 'U5', 10, t, t).messages).toHaveLength(1);
    expect(store.queryMessage('Other', 'order-1', 10, 0, Number.MAX_SAFE_INTEGER).messages).toHaveLength(1);
  });

  it('refuses puts before start', async () => {
    harness = makeHarness();
    const store = await harness.make();
    await store.shutdown();
    expect((await put(store)).status).toBe(PutMessageStatus.SERVICE_NOT_AVAILABLE);
  });
});

describe('FileMessageStore files', () => {
  let dir: string | undefined;
  let store: FileMessageStore | undefined;
  afterEach(async () => {
    await store?.shutdown();
    store = undefined;
    cleanup(dir);
    dir = undefined;
  });

  it('fills the end of a segment with a blank record and starts the next record in the next file', async () => {
    dir = tempDir();
    store = await openStore(dir, { mappedFileSizeCommitLog: 64 * 1024 });
    const body = Buffer.alloc(20 * 1024, 1);
    const results: PutMessageResult[] = [];
    for (let i = 0; i < 7; i++) results.push(await store.putMessage(inner({ body })));
    await store.flush();
    const files = commitLogFiles(dir);
    expect(files.map((f) => path.basename(f))).toEqual([0, 65536, 131072].map((n) => String(n).padStart(20, '0')));
    const first = fs.readFileSync(files[0]);
    expect(first.length).toBe(64 * 1024);
    const blankAt = results[2].wroteOffset + results[2].wroteBytes;
    expect(first.readInt32BE(blankAt)).toBe(64 * 1024 - blankAt);
    expect(first.readInt32BE(blankAt + 4)).toBe(BLANK_MAGIC_CODE);
    expect(results[3].wroteOffset).toBe(64 * 1024);
    for (const r of results) expect(decodeMessageRecord(store.selectOneMessageByOffset(r.wroteOffset)!).body.equals(body)).toBe(true);
    const pulled = store.getMessage('g', 'T', 0, 0, 32, 1 << 30);
    expect(pulled.messages.length).toBe(7);
    expect(store.getCommitLogData(0)!.length).toBe(64 * 1024);
  });

  it('reopens after a clean shutdown with the same data and offsets, and appends continue', async () => {
    dir = tempDir();
    store = await openStore(dir, { mappedFileSizeCommitLog: 64 * 1024 });
    const before: PutMessageResult[] = [];
    for (let i = 0; i < 300; i++) before.push(await store.putMessage(inner({ queueId: i % 3, propertiesString: `KEYS\u0001k${i}\u0002` })));
    await store.shutdown();
    expect(fs.existsSync(path.join(dir, 'abort'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'lock'))).toBe(false);
    const maxPhy = store.getMaxPhyOffset();

    store = new FileMessageStore({ storePathRootDir: dir, mappedFileSizeCommitLog: 64 * 1024, mappedFileSizeConsumeQueue: 2000, maxHashSlotNum: 64, maxIndexNum: 400 });
    expect(await store.load()).toEqual({ cleanShutdown: true });
    await store.start();
    expect(store.getMaxPhyOffset()).toBe(maxPhy);
    expect([0, 1, 2].map((q) => store!.getMaxOffsetInQueue('T', q))).toEqual([100, 100, 100]);
    const pulled = store.getMessage('g', 'T', 1, 50, 5, 1 << 30);
    expect(pulled.messages.map((m) => decodeMessageRecord(m).commitLogOffset)).toEqual(
      before.filter((_, i) => i % 3 === 1).slice(50, 55).map((r) => r.wroteOffset),
    );
    expect(store.queryMessage('T', 'k42', 5, 0, Number.MAX_SAFE_INTEGER).messages.map((m) => decodeMessageRecord(m).commitLogOffset)).toEqual([
      before[42].wroteOffset,
    ]);
    const next = await store.putMessage(inner({ queueId: 1 }));
    expect(next.logicsOffset).toBe(100);
    expect(next.wroteOffset).toBe(maxPhy);
  });

  it('after an abnormal stop re-dispatches ConsumeQueue and index entries that were never flushed', async () => {
    dir = tempDir();
    store = await openStore(dir);
    const results: PutMessageResult[] = [];
    for (let i = 0; i < 50; i++) results.push(await store.putMessage(inner({ queueId: i % 2, propertiesString: `KEYS\u0001k${i}\u0002` })));
    // Let the CommitLog reach the file (as the write-behind does within a millisecond), but no ConsumeQueue flush.
    await new Promise((r) => setTimeout(r, 10));
    await store.halt();
    expect(fs.existsSync(path.join(dir, 'abort'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'consumequeue', 'T', '0'))).toBe(false);

    store = new FileMessageStore({ ...{ mappedFileSizeCommitLog: 256 * 1024, mappedFileSizeConsumeQueue: 2000, maxHashSlotNum: 64, maxIndexNum: 400 }, storePathRootDir: dir });
    const loaded = await store.load();
    expect(loaded.cleanShutdown).toBe(false);
    expect(loaded.recoveredFrom).toBe(0);
    expect(loaded.truncatedAt).toBeUndefined();
    await store.start();
    expect(store.getMaxOffsetInQueue('T', 0)).toBe(25);
    expect(store.getMaxOffsetInQueue('T', 1)).toBe(25);
    const pulled = store.getMessage('g', 'T', 1, 0, 32, 1 << 30);
    expect(pulled.messages.map((m) => decodeMessageRecord(m).commitLogOffset)).toEqual(results.filter((_, i) => i % 2 === 1).map((r) => r.wroteOffset));
    expect(store.queryMessage('T', 'k33', 5, 0, Number.MAX_SAFE_INTEGER).messages).toHaveLength(1);
    const next = await store.putMessage(inner({ queueId: 0 }));
    expect(next.logicsOffset).toBe(25);
    expect(next.wroteOffset).toBe(results[49].wroteOffset + results[49].wroteBytes);
  });

  it('SYNC_FLUSH: 200 concurrent puts resolve through far fewer fdatasyncs, each on disk when resolved', async () => {
    dir = tempDir();
    let syncs = 0;
    store = await openStore(dir, { flushDiskType: 'SYNC_FLUSH', mappedFileSizeCommitLog: 1024 * 1024 }, { onSync: (f) => (f.includes('commitlog') ? syncs++ : undefined) });
    const file = path.join(dir, 'commitlog', '0'.repeat(20));
    const checked: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      const p = Promise.resolve(store.putMessage(inner({ body: Buffer.from(`m${i}`) })));
      checked.push(
        p.then((r) => {
          expect(r.status).toBe(PutMessageStatus.PUT_OK);
          // Resolved means written and synced: the bytes are in the file now.
          const onDisk = fs.readFileSync(file).subarray(r.wroteOffset, r.wroteOffset + r.wroteBytes);
          expect(decodeMessageRecord(onDisk).body.toString()).toBe(`m${i}`);
        }),
      );
    }
    await Promise.all(checked);
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThan(20);
  });

  it('SYNC_FLUSH answers FLUSH_DISK_TIMEOUT when the fdatasync does not come in time', async () => {
    dir = tempDir();
    store = await openStore(dir, { flushDiskType: 'SYNC_FLUSH', syncFlushTimeout: 20 }, { onSync: () => {
      const until = Date.now() + 60;
      while (Date.now() < until) {
        // Stall the flush past the timeout.
      }
    } });
    const r = await store.putMessage(inner());
    expect(r.status).toBe(PutMessageStatus.FLUSH_DISK_TIMEOUT);
    expect(store.getMaxOffsetInQueue('T', 0)).toBe(1);
  });

  it('refuses a second open by a live process with RocketMQStoreLockedError and takes over a dead one', async () => {
    dir = tempDir();
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(path.join(dir, 'lock'), `${child.pid}\n`);
      const blocked = new FileMessageStore({ storePathRootDir: dir });
      await expect(blocked.load()).rejects.toMatchObject({ name: 'RocketMQStoreLockedError', ownerPid: child.pid });
      await expect(blocked.load()).rejects.toThrow(new RegExp(`in use by process ${child.pid}.*storePathRootDir`));
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('exit', r));
    store = await openStore(dir);
    expect(fs.readFileSync(path.join(dir, 'lock'), 'utf8').trim()).toBe(String(process.pid));
    expect((await store.putMessage(inner())).status).toBe(PutMessageStatus.PUT_OK);
  });
});
