import * as fs from 'node:fs';
import { javaStringHashCode, readLong, writeLong } from '../../message/index.js';
import { FileDescriptorCache } from './file-descriptor-cache.js';

/** IndexHeader: beginTimestamp, endTimestamp, beginPhyOffset, endPhyOffset (int64), hashSlotCount, indexCount (int32). */
export const INDEX_HEADER_SIZE = 40;
const HASH_SLOT_SIZE = 4;
const INDEX_SIZE = 20;
const PAGE_SIZE = 4096;
const SLOTS_PER_PAGE = PAGE_SIZE / HASH_SLOT_SIZE;
const PENDING_MAX_ENTRIES = 4096;
const REBUILD_CHUNK_ENTRIES = 64 * 1024;

/** RocketMQ's indexKeyHashMethod: String.hashCode made non-negative. */
export function indexKeyHash(key: string): number {
  const h = Math.abs(javaStringHashCode(key));
  return h < 0 || h > 0x7fffffff ? 0 : h;
}

/**
 * One IndexFile in RocketMQ's layout: a 40-byte header, `hashSlotNum` int32 slots each holding the newest
 * entry number of its bucket, then `indexNum` 20-byte entries (keyHash int32, phyOffset int64, timeDiff
 * int32 seconds since beginTimestamp, prevIndex int32) chaining each bucket newest to oldest. Entry 0 is
 * never used. The file being written keeps its slot table and its newest entries in memory and writes
 * dirty slot pages and entries on flush; finished files are read with positional reads.
 */
export class IndexFile {
  beginTimestamp = 0;
  endTimestamp = 0;
  beginPhyOffset = 0;
  endPhyOffset = 0;
  hashSlotCount = 0;
  indexCount = 1;
  private slots: Int32Array | undefined;
  private readonly dirtyPages = new Set<number>();
  private pending = Buffer.alloc(0);
  /** Entry number of the first entry held in `pending`. */
  private pendingStart = 1;
  private pendingCount = 0;
  private headerDirty = false;

  constructor(
    readonly file: string,
    readonly hashSlotNum: number,
    readonly indexNum: number,
    private readonly fds: FileDescriptorCache,
  ) {}

  get isWriteFull(): boolean {
    return this.indexCount >= this.indexNum;
  }

  get isWritable(): boolean {
    return this.slots !== undefined;
  }

  /** Memory this file holds beyond its header. */
  get bufferedBytes(): number {
    return (this.slots?.byteLength ?? 0) + this.pending.length;
  }

  /** A new, empty, writable file. */
  create(): void {
    const fd = this.fds.get(this.file, true);
    fs.ftruncateSync(fd, 0);
    this.slots = new Int32Array(this.hashSlotNum);
    this.headerDirty = true;
    this.pendingStart = 1;
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
    const slots = new Int32Array(this.hashSlotNum);
    const fd = this.fds.get(this.file);
    if (rebuild) {
      const chunk = Buffer.allocUnsafe(REBUILD_CHUNK_ENTRIES * INDEX_SIZE);
      let used = 0;
      for (let i = 1; i < this.indexCount; ) {
        const n = Math.min(REBUILD_CHUNK_ENTRIES, this.indexCount - i);
        const got = fs.readSync(fd, chunk, 0, n * INDEX_SIZE, this.entryPosition(i));
        const whole = Math.floor(got / INDEX_SIZE);
        for (let k = 0; k < whole; k++) {
          const slot = chunk.readInt32BE(k * INDEX_SIZE) % this.hashSlotNum;
          if (slots[slot] === 0) used++;
          slots[slot] = i + k;
        }
        if (whole < n) {
          this.indexCount = i + whole;
          break;
        }
        i += n;
      }
      this.hashSlotCount = used;
      for (let page = 0; page * SLOTS_PER_PAGE < this.hashSlotNum; page++) this.dirtyPages.add(page);
      this.headerDirty = true;
    } else {
      const raw = Buffer.alloc(this.hashSlotNum * HASH_SLOT_SIZE);
      fs.readSync(fd, raw, 0, raw.length, INDEX_HEADER_SIZE);
      for (let s = 0; s < this.hashSlotNum; s++) slots[s] = raw.readInt32BE(s * HASH_SLOT_SIZE);
    }
    this.slots = slots;
    this.pendingStart = this.indexCount;
    this.pendingCount = 0;
  }

  /** Stops writing: flushes and drops the in-memory slot table. */
  seal(): void {
    this.flushWrites();
    this.slots = undefined;
    this.pending = Buffer.alloc(0);
  }

  /** Adds one key; false when the file is full (the service rolls to a new file). */
  putKey(key: string, phyOffset: number, storeTimestamp: number): boolean {
    const slots = this.slots;
    if (!slots) throw new Error(`index file ${this.file} is not writable`);
    if (this.isWriteFull) return false;
    const keyHash = indexKeyHash(key);
    const slot = keyHash % this.hashSlotNum;
    let prev = slots[slot];
    if (prev <= 0 || prev > this.indexCount) prev = 0;
    let timeDiff = 0;
    if (this.beginTimestamp > 0) timeDiff = Math.min(Math.max(Math.floor((storeTimestamp - this.beginTimestamp) / 1000), 0), 0x7fffffff);
    const index = this.indexCount;
    if (this.pendingCount * INDEX_SIZE === this.pending.length) {
      if (this.pendingCount >= PENDING_MAX_ENTRIES) this.writeEntries();
      if (this.pendingCount * INDEX_SIZE === this.pending.length) this.growPending();
    }
    const p = this.pendingCount * INDEX_SIZE;
    this.pending.writeInt32BE(keyHash, p);
    writeLong(this.pending, phyOffset, p + 4);
    this.pending.writeInt32BE(timeDiff, p + 12);
    this.pending.writeInt32BE(prev, p + 16);
    this.pendingCount++;
    slots[slot] = index;
    this.dirtyPages.add(Math.floor(slot / SLOTS_PER_PAGE));
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

  /** Writes the memory tail, the dirty slot pages and the header (page cache, no sync). */
  flushWrites(): void {
    if (!this.slots) return;
    this.writeEntries();
    const fd = this.fds.get(this.file);
    if (this.dirtyPages.size > 0) {
      const page = Buffer.allocUnsafe(PAGE_SIZE);
      for (const p of [...this.dirtyPages].sort((a, b) => a - b)) {
        const first = p * SLOTS_PER_PAGE;
        const n = Math.min(SLOTS_PER_PAGE, this.hashSlotNum - first);
        for (let k = 0; k < n; k++) page.writeInt32BE(this.slots[first + k], k * HASH_SLOT_SIZE);
        writeFully(fd, page.subarray(0, n * HASH_SLOT_SIZE), INDEX_HEADER_SIZE + first * HASH_SLOT_SIZE);
      }
      this.dirtyPages.clear();
    }
    if (this.headerDirty) {
      writeFully(fd, this.headerBytes(), 0);
      this.headerDirty = false;
    }
  }

  /** fdatasync off the event loop. */
  sync(): Promise<void> {
    const fd = this.fds.pin(this.file);
    return new Promise<void>((resolve, reject) =>
      fs.fdatasync(fd, (err) => {
        this.fds.unpin(this.file);
        if (err) reject(err);
        else resolve();
      }),
    );
  }

  syncNow(): void {
    fs.fdatasyncSync(this.fds.get(this.file));
  }

  destroy(): void {
    this.fds.close(this.file);
    fs.rmSync(this.file, { force: true });
    this.slots = undefined;
  }

  close(): void {
    this.fds.close(this.file);
  }

  private slotAt(slot: number): number {
    if (this.slots) return this.slots[slot];
    const buf = Buffer.alloc(HASH_SLOT_SIZE);
    const n = fs.readSync(this.fds.get(this.file), buf, 0, HASH_SLOT_SIZE, INDEX_HEADER_SIZE + slot * HASH_SLOT_SIZE);
    return n === HASH_SLOT_SIZE ? buf.readInt32BE(0) : 0;
  }

  private readEntry(index: number, into: Buffer): boolean {
    if (this.slots && index >= this.pendingStart) {
      const p = (index - this.pendingStart) * INDEX_SIZE;
      if (index - this.pendingStart >= this.pendingCount) return false;
      this.pending.copy(into, 0, p, p + INDEX_SIZE);
      return true;
    }
    return fs.readSync(this.fds.get(this.file), into, 0, INDEX_SIZE, this.entryPosition(index)) === INDEX_SIZE;
  }

  private entryPosition(index: number): number {
    return INDEX_HEADER_SIZE + this.hashSlotNum * HASH_SLOT_SIZE + index * INDEX_SIZE;
  }

  private writeEntries(): void {
    if (this.pendingCount === 0) return;
    writeFully(this.fds.get(this.file), this.pending.subarray(0, this.pendingCount * INDEX_SIZE), this.entryPosition(this.pendingStart));
    this.pendingStart += this.pendingCount;
    this.pendingCount = 0;
  }

  private growPending(): void {
    const capacity = Math.min(Math.max(64, this.pendingCount * 2), PENDING_MAX_ENTRIES);
    const next = Buffer.allocUnsafe(capacity * INDEX_SIZE);
    this.pending.copy(next, 0, 0, this.pendingCount * INDEX_SIZE);
    this.pending = next;
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

function writeFully(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, position + done);
}
