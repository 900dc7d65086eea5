import { readLong, writeLong } from '../../message/index.js';
import { CQ_STORE_UNIT_SIZE } from '../message-store-config.js';
import { ConsumeQueueEntry } from '../query-message-result.js';
import { FileDescriptorCache } from './file-descriptor-cache.js';
import { MappedFile, MappedFileQueue } from './mapped-file-queue.js';

const PENDING_MIN_ENTRIES = 16;
/** Entries held in memory before they are written out, whatever the flush interval: 20 KiB a queue. */
const PENDING_MAX_ENTRIES = 1024;
const PAGE_SIZE = 4096;

/** A run of consecutive entries read at once: `count` entries of 20 bytes in `buf`. */
export interface ConsumeQueueEntries {
  buf: Buffer;
  count: number;
}

/**
 * One logical queue on disk (ConsumeQueue): 20-byte entries (commitLogOffset int64, size int32, tagsCode
 * int64) in segment files named by byte offset. New entries stay in a small in-memory tail until written;
 * everything older is read back with positional reads. Entries are in CommitLog order, so searches by
 * physical offset are binary searches.
 */
export class ConsumeQueue {
  readonly queue: MappedFileQueue;
  private minLogic = 0;
  private committedCount = 0;
  private pending = Buffer.alloc(0);
  private pendingCount = 0;
  /** Byte offset up to which the files were fdatasynced. */
  private syncedBytes = 0;
  private lastPhyEnd = -1;

  constructor(
    readonly topic: string,
    readonly queueId: number,
    dir: string,
    fileSize: number,
    fds: FileDescriptorCache,
  ) {
    this.queue = new MappedFileQueue(dir, fileSize, fds);
  }

  get minOffset(): number {
    return this.minLogic;
  }

  get maxOffset(): number {
    return this.committedCount + this.pendingCount;
  }

  /** CommitLog offset just past the last entry's record, -1 when empty. */
  get maxPhysicOffset(): number {
    return this.lastPhyEnd;
  }

  get bufferedBytes(): number {
    return this.pending.length;
  }

  get dirtyBytes(): number {
    return this.maxOffset * CQ_STORE_UNIT_SIZE - this.syncedBytes;
  }

  /** Reads the segments and finds the last valid entry (offset >= 0 and size > 0); cuts anything after. */
  load(): void {
    this.queue.load();
    const fileSize = this.queue.fileSize;
    let end = 0;
    const files = this.queue.files;
    for (let i = files.length - 1; i >= 0 && end === 0; i--) {
      const mapped = files[i];
      const length = Math.min(this.queue.fileLength(mapped), fileSize);
      const buf = length > 0 ? this.queue.read(mapped.fileFromOffset, length) : undefined;
      let valid = 0;
      if (buf) {
        for (let p = 0; p + CQ_STORE_UNIT_SIZE <= buf.length; p += CQ_STORE_UNIT_SIZE) {
          if (readLong(buf, p) < 0 || buf.readInt32BE(p + 8) <= 0) break;
          valid = p + CQ_STORE_UNIT_SIZE;
        }
      }
      if (valid > 0 || i === 0) end = mapped.fileFromOffset + valid;
    }
    if (files.length > 0) this.queue.truncateFrom(end);
    this.committedCount = end / CQ_STORE_UNIT_SIZE;
    this.syncedBytes = end;
    this.minLogic = (this.queue.first?.fileFromOffset ?? end) / CQ_STORE_UNIT_SIZE;
    this.refreshLastPhyEnd();
  }

  /** Appends the entry for queue offset `maxOffset`. */
  append(phyOffset: number, size: number, tagsCode: number): number {
    if (this.pendingCount * CQ_STORE_UNIT_SIZE === this.pending.length) {
      if (this.pendingCount >= PENDING_MAX_ENTRIES) this.commit();
      else this.growPending();
    }
    const p = this.pendingCount * CQ_STORE_UNIT_SIZE;
    writeLong(this.pending, phyOffset, p);
    this.pending.writeInt32BE(size, p + 8);
    writeLong(this.pending, tagsCode, p + 12);
    this.pendingCount++;
    this.lastPhyEnd = phyOffset + size;
    return this.maxOffset - 1;
  }

  /** Makes an empty queue start at `queueOffset` (its older entries were deleted with their segments). */
  resetStart(queueOffset: number): void {
    this.queue.destroy();
    this.minLogic = this.committedCount = queueOffset;
    this.pendingCount = 0;
    this.syncedBytes = queueOffset * CQ_STORE_UNIT_SIZE;
  }

  entry(queueOffset: number): ConsumeQueueEntry | undefined {
    const run = this.readEntries(queueOffset, 1);
    if (!run || run.count < 1) return undefined;
    return { phyOffset: readLong(run.buf, 0), size: run.buf.readInt32BE(8), tagsCode: readLong(run.buf, 12) };
  }

  forEachEntry(from: number, max: number, visit: (queueOffset: number, phyOffset: number, size: number, tagsCode: number) => boolean): void {
    const end = Math.min(this.maxOffset, from + max);
    let queueOffset = from;
    while (queueOffset < end) {
      const run = this.readEntries(queueOffset, end - queueOffset);
      if (!run || run.count === 0) return;
      for (let k = 0; k < run.count; k++, queueOffset++) {
        const p = k * CQ_STORE_UNIT_SIZE;
        if (!visit(queueOffset, readLong(run.buf, p), run.buf.readInt32BE(p + 8), readLong(run.buf, p + 12))) return;
      }
    }
  }

  phyOffsetAt(queueOffset: number): number {
    return this.entry(queueOffset)?.phyOffset ?? -1;
  }

  /**
   * Up to `max` consecutive entries from `from`, from one place (a file segment or the memory tail), so a
   * caller loops; undefined outside [minOffset, maxOffset).
   */
  readEntries(from: number, max: number): ConsumeQueueEntries | undefined {
    if (from < this.minLogic || from >= this.maxOffset || max <= 0) return undefined;
    if (from >= this.committedCount) {
      const start = (from - this.committedCount) * CQ_STORE_UNIT_SIZE;
      const count = Math.min(max, this.maxOffset - from);
      return { buf: this.pending.subarray(start, start + count * CQ_STORE_UNIT_SIZE), count };
    }
    const byteOffset = from * CQ_STORE_UNIT_SIZE;
    const segEnd = this.queue.segmentStart(byteOffset) + this.queue.fileSize;
    const count = Math.min(max, this.committedCount - from, (segEnd - byteOffset) / CQ_STORE_UNIT_SIZE);
    try {
      const buf = this.queue.read(byteOffset, count * CQ_STORE_UNIT_SIZE);
      if (!buf) return undefined;
      return { buf, count: Math.floor(buf.length / CQ_STORE_UNIT_SIZE) };
    } catch {
      return undefined;
    }
  }

  /** First queue offset in [minOffset, maxOffset) whose entry points at or past `phyOffset` (maxOffset if none). */
  findByPhyOffset(phyOffset: number): number {
    let lo = this.minLogic;
    let hi = this.maxOffset;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const phy = this.phyOffsetAt(mid);
      if (phy >= 0 && phy < phyOffset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops entries whose record starts at or past `phyOffset` (truncateDirtyLogicFiles). */
  truncateByPhyOffset(phyOffset: number): void {
    if (this.lastPhyEnd <= phyOffset && this.lastPhyEnd >= 0) return;
    this.truncateTo(this.findByPhyOffset(phyOffset));
  }

  /** Keeps queue offsets below `queueOffset`. */
  truncateTo(queueOffset: number): void {
    if (queueOffset >= this.maxOffset) return;
    if (queueOffset >= this.committedCount) {
      this.pendingCount = queueOffset - this.committedCount;
    } else {
      this.pendingCount = 0;
      this.queue.truncateFrom(queueOffset * CQ_STORE_UNIT_SIZE);
      this.committedCount = Math.max(queueOffset, this.minLogic);
      this.syncedBytes = Math.min(this.syncedBytes, this.committedCount * CQ_STORE_UNIT_SIZE);
    }
    this.refreshLastPhyEnd();
  }

  /** Moves minOffset to the first entry whose record is still in the CommitLog (correctMinOffset). */
  correctMinOffset(minPhyOffset: number): void {
    this.minLogic = this.findByPhyOffset(minPhyOffset);
  }

  /**
   * Deletes whole segments (never the last) whose entries all point below `minPhyOffset`, then corrects
   * minOffset. Returns how many segments went.
   */
  deleteExpiredFile(minPhyOffset: number): number {
    let deleted = 0;
    const files = this.queue.files;
    while (files.length > 1) {
      const first = files[0];
      const lastEntry = first.fileFromOffset / CQ_STORE_UNIT_SIZE + this.queue.fileSize / CQ_STORE_UNIT_SIZE - 1;
      const phy = this.phyOffsetAt(lastEntry);
      if (phy < 0 || phy >= minPhyOffset) break;
      this.queue.deleteFirst();
      deleted++;
    }
    const floor = (files[0]?.fileFromOffset ?? this.committedCount * CQ_STORE_UNIT_SIZE) / CQ_STORE_UNIT_SIZE;
    if (this.minLogic < floor) this.minLogic = floor;
    this.correctMinOffset(minPhyOffset);
    return deleted;
  }

  /** Writes the memory tail to the segment files (page cache). */
  commit(): void {
    let written = 0;
    const fileSize = this.queue.fileSize;
    while (written < this.pendingCount) {
      const byteOffset = (this.committedCount + written) * CQ_STORE_UNIT_SIZE;
      const room = (this.queue.segmentStart(byteOffset) + fileSize - byteOffset) / CQ_STORE_UNIT_SIZE;
      const n = Math.min(room, this.pendingCount - written);
      this.queue.write(byteOffset, this.pending.subarray(written * CQ_STORE_UNIT_SIZE, (written + n) * CQ_STORE_UNIT_SIZE));
      written += n;
    }
    this.committedCount += this.pendingCount;
    this.pendingCount = 0;
  }

  /**
   * Commits, then fdatasyncs the segments written since the last sync when at least `leastPages` pages
   * are dirty (0: always). Resolves true when nothing is left unsynced.
   */
  async flush(leastPages: number, onSync?: (file: string) => void): Promise<boolean> {
    this.commit();
    const target = this.committedCount * CQ_STORE_UNIT_SIZE;
    const dirty = target - this.syncedBytes;
    if (dirty <= 0) return true;
    if (leastPages > 0 && dirty < leastPages * PAGE_SIZE) return false;
    for (const mapped of this.filesBetween(this.syncedBytes, target)) {
      onSync?.(mapped.file);
      await this.queue.sync(mapped);
    }
    if (target > this.syncedBytes) this.syncedBytes = target;
    return this.syncedBytes >= this.committedCount * CQ_STORE_UNIT_SIZE && this.pendingCount === 0;
  }

  flushSync(onSync?: (file: string) => void): void {
    this.commit();
    const target = this.committedCount * CQ_STORE_UNIT_SIZE;
    if (target <= this.syncedBytes) return;
    for (const mapped of this.filesBetween(this.syncedBytes, target)) {
      onSync?.(mapped.file);
      this.queue.syncNow(mapped);
    }
    this.syncedBytes = target;
  }

  close(): void {
    this.queue.closeAll();
  }

  private filesBetween(from: number, to: number): MappedFile[] {
    const fileSize = this.queue.fileSize;
    return this.queue.files.filter((f) => f.fileFromOffset + fileSize > from && f.fileFromOffset < to);
  }

  private refreshLastPhyEnd(): void {
    const last = this.maxOffset - 1;
    const entry = last >= this.minLogic ? this.entry(last) : undefined;
    this.lastPhyEnd = entry ? entry.phyOffset + entry.size : -1;
  }

  private growPending(): void {
    const capacity = Math.min(Math.max(PENDING_MIN_ENTRIES, this.pendingCount * 2), PENDING_MAX_ENTRIES);
    const next = Buffer.allocUnsafe(capacity * CQ_STORE_UNIT_SIZE);
    this.pending.copy(next, 0, 0, this.pendingCount * CQ_STORE_UNIT_SIZE);
    this.pending = next;
  }
}
