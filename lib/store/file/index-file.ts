import * as fs from 'node:fs';
import { readLong, writeLong } from '../../message/index.js';
import { indexKeyHash } from '../index-key.js';
import { CoalescingRunner } from '../../common/coalescing-runner.js';
import { FileDescriptorCache } from './file-descriptor-cache.js';
import { fdatasyncAsync, writeAt, writeAtSync, writevAt, writevAtSync } from './positional-write.js';

/** IndexHeader: beginTimestamp, endTimestamp, beginPhyOffset, endPhyOffset (int64), hashSlotCount, indexCount (int32). */
export const INDEX_HEADER_SIZE = 40;
const HASH_SLOT_SIZE = 4;
const INDEX_SIZE = 20;
const PAGE_SIZE = 4096;
const SLOTS_PER_PAGE = PAGE_SIZE / HASH_SLOT_SIZE;
const CHUNK_MIN_ENTRIES = 64;
const CHUNK_MAX_ENTRIES = 4096;
/** Full entry chunks kept while their async write has not landed, before one is written on the spot. */
const MAX_UNWRITTEN_FULL_CHUNKS = 2;
const REBUILD_CHUNK_ENTRIES = 64 * 1024;
/**
 * Clean slot pages a write carries along to join two dirty runs: copying and rewriting up to 64 KiB the
 * disk already holds costs the event loop less than one more write and its callback.
 */
const MAX_CLEAN_GAP_PAGES = 16;
/**
 * Most slot pages one async write copies (256 KiB): the event loop copies at most this much per step,
 * into one staging buffer reused by every write, so the copy touches no fresh memory.
 */
const MAX_ASYNC_RUN_PAGES = 64;


/** A write or flush of an IndexFile that was closed or destroyed before it could run. */
export class IndexFileClosedError extends Error {
  constructor(file: string) {
    super(`index file ${file} is closed`);
    this.name = 'IndexFileClosedError';
  }
}

/** Consecutive entries, starting at entry number `start`, held in memory until they are in the file. */
interface EntryChunk {
  start: number;
  count: number;
  buf: Buffer;
}

/** Slot pages [first, end). */
interface PageRun {
  first: number;
  end: number;
}

/**
 * One IndexFile in RocketMQ's layout: a 40-byte header, `hashSlotNum` int32 slots each holding the newest
 * entry number of its bucket, then `indexNum` 20-byte entries (keyHash int32, phyOffset int64, timeDiff
 * int32 seconds since beginTimestamp, prevIndex int32) chaining each bucket newest to oldest. Entry 0 is
 * never used.
 *
 * The file being written keeps its slot table (big-endian, as on disk) and the entries not yet in the file
 * in memory; `flush()` writes them off the event loop, so queries read memory until a write has landed.
 * A sealed file keeps its memory until its last flush is synced, then is read with positional reads.
 * Flushes of one file run one at a time, so its writes land in the order they were taken.
 */
export class IndexFile {
  beginTimestamp = 0;
  endTimestamp = 0;
  beginPhyOffset = 0;
  endPhyOffset = 0;
  hashSlotCount = 0;
  indexCount = 1;
  private slots: Buffer | undefined;
  private writable = false;
  private closed = false;
  private dirty = new Uint8Array(0);
  private dirtyCount = 0;
  private headerDirty = false;
  /** Entries not yet written, ascending and back to back; the last one may still take appends. */
  private entries: EntryChunk[] = [];
  private appendable: EntryChunk | undefined;
  /** Writes that have landed (or failed, maybe half done), and how many of them an fdatasync covers. */
  private writesLanded = 0;
  private writesSynced = 0;
  /** An async flush is between taking its snapshot and its fdatasync: the memory must stay. */
  private writingOut = false;
  /** Where async flushes copy slot pages; one write at a time uses it. */
  private staging: Buffer | undefined;
  private readonly flusher = new CoalescingRunner(() => this.writeOut());
  /** Writes full entry chunks between flushes, so a burst does not pile entries up in memory. */
  private readonly entryWriter = new CoalescingRunner(() => this.writeFullChunks());

  constructor(
    readonly file: string,
    readonly hashSlotNum: number,
    readonly indexNum: number,
    private readonly fds: FileDescriptorCache,
    private readonly onSync?: (file: string) => void,
  ) {}

  get isWriteFull(): boolean {
    return this.indexCount >= this.indexNum;
  }

  /** Takes new keys. */
  get isWritable(): boolean {
    return this.writable;
  }

  /** Holds state in memory that a flush still has to write: the file being written or a sealed one not yet synced. */
  get holdsUnflushed(): boolean {
    return this.slots !== undefined;
  }

  /** Memory this file holds beyond its header. */
  get bufferedBytes(): number {
    let bytes = (this.slots?.length ?? 0) + (this.staging?.length ?? 0);
    for (const chunk of this.entries) bytes += chunk.buf.length;
    return bytes;
  }

  /** A new, empty, writable file. */
  create(): void {
    const fd = this.fds.get(this.file, true);
    fs.ftruncateSync(fd, 0);
    this.holdInMemory(Buffer.alloc(this.hashSlotNum * HASH_SLOT_SIZE));
    this.headerDirty = true;
  }

  /** Reads the header of an existing file. */
  open(): void {
    const head = Buffer.alloc(INDEX_HEADER_SIZE);
    fs.readSync(this.fds.get(this.file), head, 0, INDEX_HEADER_SIZE, 0);
    this.beginTimestamp = readLong(head, 0);
    this.endTimestamp = readLong(head, 8);
    this.beginPhyOffset = readLong(head, 16);
    this.endPhyOffset = readLong(head, 24);
    this.hashSlotCount = head.readInt32BE(32);
    this.indexCount = Math.max(1, Math.min(head.readInt32BE(36), this.indexNum));
  }

  /**
   * Makes a loaded file writable again. `rebuild` derives the slot table from the entries up to the
   * header's count (after a crash slot pages may be newer than the header), else it is read as stored.
   */
  makeWritable(rebuild: boolean): void {
    const slots = Buffer.alloc(this.hashSlotNum * HASH_SLOT_SIZE);
    const fd = this.fds.get(this.file);
    if (rebuild) {
      this.hashSlotCount = this.rebuildSlots(fd, slots);
    } else {
      fs.readSync(fd, slots, 0, slots.length, INDEX_HEADER_SIZE);
    }
    this.holdInMemory(slots);
    if (rebuild) {
      this.dirty.fill(1);
      this.dirtyCount = this.dirty.length;
      this.headerDirty = true;
    }
  }

  /** Stops taking keys; the memory goes once a flush has synced everything. */
  seal(): void {
    this.writable = false;
  }

  /** Adds one key; false when the file is full (the service rolls to a new file). */
  putKey(key: string, phyOffset: number, storeTimestamp: number): boolean {
    const slots = this.slots;
    if (!slots || !this.writable) throw new Error(`index file ${this.file} is not writable`);
    if (this.isWriteFull) return false;
    const keyHash = indexKeyHash(key);
    const slot = keyHash % this.hashSlotNum;
    let prev = slots.readInt32BE(slot * HASH_SLOT_SIZE);
    if (prev <= 0 || prev > this.indexCount) prev = 0;
    let timeDiff = 0;
    if (this.beginTimestamp > 0) timeDiff = Math.min(Math.max(Math.floor((storeTimestamp - this.beginTimestamp) / 1000), 0), 0x7fffffff);
    const index = this.indexCount;
    const chunk = this.appendTarget();
    const p = chunk.count * INDEX_SIZE;
    chunk.buf.writeInt32BE(keyHash, p);
    writeLong(chunk.buf, phyOffset, p + 4);
    chunk.buf.writeInt32BE(timeDiff, p + 12);
    chunk.buf.writeInt32BE(prev, p + 16);
    chunk.count++;
    slots.writeInt32BE(index, slot * HASH_SLOT_SIZE);
    this.markDirty(Math.floor(slot / SLOTS_PER_PAGE));
    if (prev === 0) this.hashSlotCount++;
    if (this.indexCount <= 1) {
      this.beginPhyOffset = phyOffset;
      this.beginTimestamp = storeTimestamp;
    }
    this.indexCount++;
    this.endPhyOffset = phyOffset;
    this.endTimestamp = storeTimestamp;
    this.headerDirty = true;
    return true;
  }

  /** RocketMQ's isTimeMatched: does [begin, end] overlap what this file holds. */
  isTimeMatched(begin: number, end: number): boolean {
    return (
      (begin < this.beginTimestamp && end > this.endTimestamp) ||
      (begin >= this.beginTimestamp && begin <= this.endTimestamp) ||
      (end >= this.beginTimestamp && end <= this.endTimestamp)
    );
  }

  /**
   * Walks the bucket of `key` newest first, calling `visit` with the phyOffset of each entry whose hash
   * matches and whose (second-granular) time may fall in [begin, end]; stops when `visit` returns false.
   * Hash collisions pass through: the caller checks the record.
   */
  selectPhyOffset(key: string, begin: number, end: number, visit: (phyOffset: number) => boolean): void {
    if (this.indexCount <= 1) return;
    const keyHash = indexKeyHash(key);
    let next = this.slotAt(keyHash % this.hashSlotNum);
    if (next <= 0 || next >= this.indexCount) return;
    const entry = Buffer.allocUnsafe(INDEX_SIZE);
    for (let steps = 0; steps < this.indexCount; steps++) {
      if (!this.readEntry(next, entry)) return;
      const timeDiff = entry.readInt32BE(12);
      if (timeDiff < 0) return;
      // Entries keep whole seconds: a store time in [timeRead, timeRead + 999] may be inside the range.
      const timeRead = this.beginTimestamp + timeDiff * 1000;
      if (entry.readInt32BE(0) === keyHash && timeRead <= end && timeRead + 999 >= begin) {
        if (!visit(readLong(entry, 4))) return;
      }
      const prev = entry.readInt32BE(16);
      if (prev <= 0 || prev >= this.indexCount || prev === next || timeRead + 999 < begin) return;
      next = prev;
    }
  }

  /**
   * Writes what memory holds beyond the file (entries, dirty slot pages, header) and fdatasyncs it, off
   * the event loop. Resolves once everything that was in memory when the flush started is synced; rejects
   * with IndexFileClosedError when the file was closed first.
   */
  flush(): Promise<void> {
    return this.flusher.run();
  }

  /**
   * The same on the calling thread (shutdown). drain() first: an async flush still writing could land
   * older slot pages after these.
   */
  flushSync(): void {
    if (!this.slots || this.closed) return;
    const fd = this.fds.get(this.file);
    const taken = this.takeEntries();
    if (taken.length > 0) writevAtSync(fd, taken.map(entryBytes), this.entryPosition(taken[0].start));
    this.dropEntries(taken);
    for (let run = this.takeDirtyRun(0, Infinity); run; run = this.takeDirtyRun(run.end, Infinity)) {
      writeAtSync(fd, this.slots.subarray(run.first * PAGE_SIZE, this.pageRunEnd(run)), this.pagePosition(run.first));
    }
    writeAtSync(fd, this.headerBytes(), 0);
    this.headerDirty = false;
    this.onSync?.(this.file);
    const upTo = ++this.writesLanded;
    fs.fdatasyncSync(fd);
    this.writesSynced = Math.max(this.writesSynced, upTo);
    this.releaseIfSealed();
  }

  /** Settles once no flush is running or queued. */
  async drain(): Promise<void> {
    await Promise.all([this.flusher.drain(), this.entryWriter.drain()]);
  }

  destroy(): void {
    this.close();
    fs.rmSync(this.file, { force: true });
  }

  close(): void {
    this.closed = true;
    this.writable = false;
    this.release();
    this.fds.close(this.file);
  }

  private slotAt(slot: number): number {
    if (this.slots) return this.slots.readInt32BE(slot * HASH_SLOT_SIZE);
    const buf = Buffer.alloc(HASH_SLOT_SIZE);
    const n = fs.readSync(this.fds.get(this.file), buf, 0, HASH_SLOT_SIZE, INDEX_HEADER_SIZE + slot * HASH_SLOT_SIZE);
    return n === HASH_SLOT_SIZE ? buf.readInt32BE(0) : 0;
  }

  private readEntry(index: number, into: Buffer): boolean {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const chunk = this.entries[i];
      if (index < chunk.start) continue;
      if (index >= chunk.start + chunk.count) return false;
      const p = (index - chunk.start) * INDEX_SIZE;
      chunk.buf.copy(into, 0, p, p + INDEX_SIZE);
      return true;
    }
    return fs.readSync(this.fds.get(this.file), into, 0, INDEX_SIZE, this.entryPosition(index)) === INDEX_SIZE;
  }

  private entryPosition(index: number): number {
    return INDEX_HEADER_SIZE + this.hashSlotNum * HASH_SLOT_SIZE + index * INDEX_SIZE;
  }

  private pagePosition(page: number): number {
    return INDEX_HEADER_SIZE + page * PAGE_SIZE;
  }

  /** Byte offset in the slot table where `run` ends (the last page may be partial). */
  private pageRunEnd(run: PageRun): number {
    return Math.min(run.end * PAGE_SIZE, this.slots!.length);
  }

  /** The chunk the next entry goes to, grown (doubling) or started as needed. */
  private appendTarget(): EntryChunk {
    const chunk = this.appendable;
    if (chunk && chunk.count * INDEX_SIZE < chunk.buf.length) return chunk;
    if (chunk && chunk.count < CHUNK_MAX_ENTRIES) {
      const grown = Buffer.allocUnsafe(Math.min(chunk.count * 2, CHUNK_MAX_ENTRIES) * INDEX_SIZE);
      chunk.buf.copy(grown, 0, 0, chunk.count * INDEX_SIZE);
      chunk.buf = grown;
      return chunk;
    }
    const capacity = chunk ? CHUNK_MAX_ENTRIES : CHUNK_MIN_ENTRIES;
    const next: EntryChunk = { start: this.indexCount, count: 0, buf: Buffer.allocUnsafe(capacity * INDEX_SIZE) };
    this.entries.push(next);
    this.appendable = next;
    if (chunk) this.writeBehind();
    return next;
  }

  /**
   * Sends full chunks to the file off the event loop. Only when the loop has not turned for so long that
   * they pile up (a caller putting in a tight loop) are they written on the spot, to bound the memory.
   */
  private writeBehind(): void {
    const full = this.entries.length - 1;
    if (full < MAX_UNWRITTEN_FULL_CHUNKS) {
      this.entryWriter.run().catch(() => undefined);
      return;
    }
    const taken = this.entries.slice(0, full);
    try {
      writevAtSync(this.fds.get(this.file), taken.map(entryBytes), this.entryPosition(taken[0].start));
    } finally {
      this.writesLanded++;
    }
    this.dropEntries(taken);
  }

  /** Entries whose chunk no longer takes appends, written without a sync (the next flush syncs them). */
  private async writeFullChunks(): Promise<void> {
    const full = this.entries.filter((c) => c !== this.appendable);
    if (full.length === 0 || this.closed) return;
    // A failure keeps the chunks in memory; the next flush writes them again and reports it.
    const fd = this.fds.pin(this.file);
    try {
      await this.landing(writevAt(fd, full.map(entryBytes), this.entryPosition(full[0].start)));
      this.dropEntries(full);
    } finally {
      this.fds.unpin(this.file, fd);
    }
  }

  /** The entries to write now; later keys go to a new chunk so these stay as taken. */
  private takeEntries(): EntryChunk[] {
    this.appendable = undefined;
    return this.entries.slice();
  }

  /** Forgets `taken` once written: from now on the file answers for them. */
  private dropEntries(taken: readonly EntryChunk[]): void {
    if (taken.length === 0) return;
    const last = this.entries.indexOf(taken[taken.length - 1]);
    if (last >= 0) this.entries.splice(0, last + 1);
  }

  private markDirty(page: number): void {
    if (this.dirty[page] === 0) {
      this.dirty[page] = 1;
      this.dirtyCount++;
    }
  }

  /**
   * The next run of dirty pages at or after page `from`, joined across short clean gaps and at most
   * `maxPages` long, marked clean: a key put after this call dirties its page again.
   */
  private takeDirtyRun(from: number, maxPages: number): PageRun | undefined {
    const dirty = this.dirty;
    if (this.dirtyCount === 0) return undefined;
    let first = from;
    while (first < dirty.length && dirty[first] === 0) first++;
    if (first >= dirty.length) return undefined;
    let end = first + 1;
    for (let p = end; p < dirty.length && p - first < maxPages; p++) {
      if (dirty[p] !== 0) end = p + 1;
      else if (p + 1 - end > MAX_CLEAN_GAP_PAGES) break;
    }
    for (let p = first; p < end; p++) {
      if (dirty[p] !== 0) {
        dirty[p] = 0;
        this.dirtyCount--;
      }
    }
    return { first, end };
  }

  /**
   * One async flush: entries first, then slot pages (each run copied just before its write, so the event
   * loop never copies more than MAX_ASYNC_RUN_PAGES at once), then the header taken with the entries, then
   * fdatasync. Anything whose write fails is marked to be written again by the next flush.
   */
  private async writeOut(): Promise<void> {
    if (this.closed) throw new IndexFileClosedError(this.file);
    if (!this.slots) return;
    const fd = this.fds.pin(this.file);
    const taken = this.takeEntries();
    const header = this.headerDirty ? this.headerBytes() : undefined;
    this.headerDirty = false;
    this.writingOut = true;
    try {
      if (taken.length > 0) {
        await this.landing(writevAt(fd, taken.map(entryBytes), this.entryPosition(taken[0].start)));
        this.dropEntries(taken);
      }
      await this.writeDirtyPages(fd);
      if (header) await this.landing(writeAt(fd, header, 0));
      if (this.unsynced) {
        this.throwIfClosed();
        this.onSync?.(this.file);
        const upTo = this.writesLanded;
        await fdatasyncAsync(fd);
        this.writesSynced = Math.max(this.writesSynced, upTo);
      }
    } catch (err) {
      if (header) this.headerDirty = true;
      throw err;
    } finally {
      this.writingOut = false;
      this.fds.unpin(this.file, fd);
    }
    this.releaseIfSealed();
  }

  private async writeDirtyPages(fd: number): Promise<void> {
    for (let run = this.takeDirtyRun(0, MAX_ASYNC_RUN_PAGES); run; run = this.takeDirtyRun(run.end, MAX_ASYNC_RUN_PAGES)) {
      this.throwIfClosed();
      const slots = this.slots;
      if (!slots) return;
      this.staging ??= Buffer.allocUnsafe(Math.min(MAX_ASYNC_RUN_PAGES * PAGE_SIZE, slots.length));
      const copy = this.staging.subarray(0, slots.copy(this.staging, 0, run.first * PAGE_SIZE, this.pageRunEnd(run)));
      try {
        await this.landing(writeAt(fd, copy, this.pagePosition(run.first)));
      } catch (err) {
        for (let p = run.first; p < run.end; p++) this.markDirty(p);
        throw err;
      }
    }
  }

  private get unsynced(): boolean {
    return this.writesLanded > this.writesSynced;
  }

  /** Counts `write` once it settles: only what has landed before an fdatasync starts is covered by it. */
  private async landing(write: Promise<void>): Promise<void> {
    try {
      await write;
    } finally {
      this.writesLanded++;
    }
  }

  private throwIfClosed(): void {
    if (this.closed) throw new IndexFileClosedError(this.file);
  }

  /** Slot table from the entries up to the header's count (cut where the entries end); returns the slots used. */
  private rebuildSlots(fd: number, slots: Buffer): number {
    const chunk = Buffer.allocUnsafe(REBUILD_CHUNK_ENTRIES * INDEX_SIZE);
    let used = 0;
    for (let i = 1; i < this.indexCount; ) {
      const n = Math.min(REBUILD_CHUNK_ENTRIES, this.indexCount - i);
      const got = fs.readSync(fd, chunk, 0, n * INDEX_SIZE, this.entryPosition(i));
      const whole = Math.floor(got / INDEX_SIZE);
      for (let k = 0; k < whole; k++) {
        const keyHash = chunk.readInt32BE(k * INDEX_SIZE);
        if (keyHash < 0) continue;
        const at = (keyHash % this.hashSlotNum) * HASH_SLOT_SIZE;
        if (slots.readInt32BE(at) === 0) used++;
        slots.writeInt32BE(i + k, at);
      }
      if (whole < n) {
        this.indexCount = i + whole;
        break;
      }
      i += n;
    }
    return used;
  }

  private holdInMemory(slots: Buffer): void {
    this.slots = slots;
    this.dirty = new Uint8Array(Math.ceil(this.hashSlotNum / SLOTS_PER_PAGE));
    this.dirtyCount = 0;
    this.entries = [];
    this.appendable = undefined;
    this.writable = true;
  }

  /** A sealed file whose every byte is synced is read from disk from now on. */
  private releaseIfSealed(): void {
    if (this.writable || this.writingOut || this.dirtyCount > 0 || this.entries.length > 0 || this.headerDirty || this.unsynced) return;
    this.release();
  }

  private release(): void {
    this.slots = undefined;
    this.staging = undefined;
    this.dirty = new Uint8Array(0);
    this.dirtyCount = 0;
    this.entries = [];
    this.appendable = undefined;
  }

  private headerBytes(): Buffer {
    const head = Buffer.alloc(INDEX_HEADER_SIZE);
    writeLong(head, this.beginTimestamp, 0);
    writeLong(head, this.endTimestamp, 8);
    writeLong(head, this.beginPhyOffset, 16);
    writeLong(head, this.endPhyOffset, 24);
    head.writeInt32BE(this.hashSlotCount, 32);
    head.writeInt32BE(this.indexCount, 36);
    return head;
  }
}

function entryBytes(chunk: EntryChunk): Buffer {
  return chunk.buf.subarray(0, chunk.count * INDEX_SIZE);
}
