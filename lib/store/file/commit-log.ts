import * as fs from 'node:fs';
import { Logger } from '@nestjs/common';
import {
  BLANK_MAGIC_CODE,
  bodyCrc32,
  MESSAGE_MAGIC_CODE,
  MESSAGE_MAGIC_CODE_V2,
  MessageRecordInput,
  MessageRecordLayout,
  MessageSysFlag,
  readLong,
  writeMessageRecord,
} from '../../message/index.js';
import { FileDescriptorCache } from './file-descriptor-cache.js';
import { MappedFile, MappedFileQueue } from './mapped-file-queue.js';
import { CommitLogReadCache, READ_AHEAD_CHUNK_SIZE } from './commit-log-read-cache.js';
import { CommitLogWriteWindows } from './commit-log-write-windows.js';

/** A segment always keeps room for a blank record's size and magic code (END_FILE_MIN_BLANK_LENGTH). */
export const END_FILE_MIN_BLANK_LENGTH = 8;
/** Smallest possible record: the fixed IPv4 header plus the three length fields, empty body and topic. */
const MIN_RECORD_SIZE = 84 + 4 + 1 + 2;
const DEFAULT_WRITE_BUFFER_SIZE = 4 * 1024 * 1024;
const SCAN_CHUNK_SIZE = 4 * 1024 * 1024;

/** How far a CommitLog scan got: `end` is the offset after the last good record. */
export interface CommitLogScanResult {
  end: number;
  /** Why the scan stopped before the end of the data, when it did (the tail to cut). */
  reason?: string;
}

export interface CommitLogOptions {
  dir: string;
  fileSize: number;
  /** Largest record accepted; the write buffer is at least this big. */
  maxMessageSize: number;
  fds: FileDescriptorCache;
  clock: () => number;
  onSync?: (file: string) => void;
  writeBufferSize?: number;
}

/**
 * The CommitLog as RocketMQ lays it out (segments named by start offset, a blank record filling the end
 * of a segment so no record spans two), written through in-memory windows handed to the file by
 * asynchronous writes instead of an mmap (CommitLogWriteWindows). `maxOffset` is where the next record
 * goes, `committedPos` what has reached the file (page cache), `flushedPos` what an fdatasync covered.
 */
export class CommitLog {
  private readonly logger = new Logger(CommitLog.name);
  readonly queue: MappedFileQueue;
  private readonly windows: CommitLogWriteWindows;
  private flushedPosition = 0;
  /** Finished segments whose last bytes may not be synced yet. */
  private readonly unsynced: MappedFile[] = [];
  private lastAppendTimestamp = 0;
  private flushedTimestamp = 0;
  private flushChain: Promise<void> = Promise.resolve();
  private readonly readCache = new CommitLogReadCache();

  constructor(private readonly options: CommitLogOptions) {
    this.queue = new MappedFileQueue(options.dir, options.fileSize, options.fds);
    const size = Math.min(options.fileSize, Math.max(options.writeBufferSize ?? DEFAULT_WRITE_BUFFER_SIZE, options.maxMessageSize));
    this.windows = new CommitLogWriteWindows(this.queue, size, (err) =>
      this.logger.error(`writing the CommitLog failed; the store takes no more messages: ${err.message}`),
    );
  }

  private get writePosition(): number {
    return this.windows.writePosition;
  }

  private get committedPosition(): number {
    return this.windows.committedPosition;
  }

  get fileSize(): number {
    return this.options.fileSize;
  }

  get maxOffset(): number {
    return this.writePosition;
  }

  get minOffset(): number {
    return this.queue.first?.fileFromOffset ?? this.segmentStart(this.writePosition);
  }

  get committedPos(): number {
    return this.committedPosition;
  }

  get flushedPos(): number {
    return this.flushedPosition;
  }

  /** Store time of the last record an fdatasync covered (the checkpoint's physicMsgTimestamp). */
  get flushedStoreTimestamp(): number {
    return this.flushedTimestamp;
  }

  /** Bytes the CommitLog holds in memory, whatever the volume stored. */
  get bufferedBytes(): number {
    return this.windows.bufferedBytes;
  }

  /** Largest record a segment can hold next to the minimal blank. */
  get maxRecordSize(): number {
    return this.options.fileSize - END_FILE_MIN_BLANK_LENGTH;
  }

  load(): void {
    this.queue.load();
  }

  /** Positions the writer at `offset` (the recovered end); everything before it is on disk. */
  setEnd(offset: number): void {
    this.readCache.clear();
    this.windows.reset(offset);
    this.flushedPosition = offset;
  }

  segmentStart(offset: number): number {
    return offset - (offset % this.options.fileSize);
  }

  /**
   * Encodes the record of `input` (`size` bytes, from messageRecordSize) at the end, setting its
   * commitLogOffset, rolling to a new segment behind a blank when it does not fit. Returns the record's
   * offset. I/O errors propagate with nothing appended.
   */
  append(input: MessageRecordInput, size: number, storeTimestamp: number): number {
    if (size > this.maxRecordSize) throw new RangeError(`record of ${size} bytes does not fit a segment of ${this.options.fileSize} bytes`);
    const failed = this.windows.writeError;
    if (failed) throw failed;
    const segEnd = this.segmentStart(this.writePosition) + this.options.fileSize;
    if (this.writePosition + size + END_FILE_MIN_BLANK_LENGTH > segEnd) this.roll(segEnd);
    const offset = this.writePosition;
    const buf = this.windows.room(size);
    input.commitLogOffset = offset;
    writeMessageRecord(input, size, buf, this.windows.writeIndex);
    this.windows.advance(size);
    this.lastAppendTimestamp = storeTimestamp;
    return offset;
  }

  /** Hands what the windows hold beyond what was handed over to the segment file (page cache, no sync), off the event loop. */
  commit(): void {
    this.windows.commitAsync();
  }

  /**
   * Commits and fdatasyncs up to the current end; concurrent calls queue behind each other, so one
   * fdatasync may cover many appends (what group commit relies on). Resolves with the flushed offset.
   * `writeHere`: write the pending bytes on this thread when no asynchronous write is running, for group
   * commit, whose senders all wait for this flush anyway: one thread-pool hop per cycle instead of two.
   */
  flush(writeHere = false): Promise<number> {
    const run = this.flushChain.then(() => this.doFlush(writeHere));
    this.flushChain = run.then(
      () => undefined,
      () => undefined,
    );
    return run.then(() => this.flushedPosition);
  }

  private async doFlush(writeHere: boolean): Promise<void> {
    const target = this.writePosition;
    const timestamp = this.lastAppendTimestamp;
    if (target <= this.flushedPosition && this.unsynced.length === 0) return;
    if (writeHere && this.windows.inFlightCount === 0) this.windows.commitSync();
    else this.commit();
    await this.windows.whenCommitted(target);
    const files = this.unsynced.splice(0);
    const current = this.queue.find(this.segmentStart(Math.max(target - 1, 0)));
    if (current && !files.includes(current) && target > current.fileFromOffset) files.push(current);
    await Promise.all(
      files.map((f) => {
        this.options.onSync?.(f.file);
        return this.queue.sync(f);
      }),
    );
    if (target > this.flushedPosition) this.flushedPosition = target;
    if (timestamp > this.flushedTimestamp) this.flushedTimestamp = timestamp;
  }

  /**
   * Bytes [offset, offset+length), undefined when any part is outside the log. A copy, unless `view`: then
   * possibly a view of the write window, valid only until the next append (for a reader that copies at once).
   */
  read(offset: number, length: number, view = false): Buffer | undefined {
    if (offset < 0 || length < 0 || offset + length > this.writePosition) return undefined;
    const inMemory = this.windows.read(offset, length, view);
    if (inMemory) return inMemory;
    const segStart = this.segmentStart(offset);
    if (offset + length > segStart + this.options.fileSize) return undefined;
    try {
      const held = this.windows.heldRun(offset);
      if (held && offset + length <= held.to) {
        // Read ahead, but only over bytes the file surely holds: a cached chunk is never read again.
        const aligned = segStart + Math.floor((offset - segStart) / READ_AHEAD_CHUNK_SIZE) * READ_AHEAD_CHUNK_SIZE;
        const chunkStart = Math.max(aligned, held.from);
        const chunkEnd = Math.min(aligned + READ_AHEAD_CHUNK_SIZE, segStart + this.options.fileSize, held.to);
        const cached = this.readCache.read(offset, length, chunkStart, chunkEnd, view, (start, len) => {
          const chunk = this.queue.read(start, len);
          return chunk && chunk.length === len ? chunk : undefined;
        });
        if (cached) return cached;
        const buf = this.queue.read(offset, length);
        return buf && buf.length === length ? buf : undefined;
      }
      // Straddles what the file holds and what the windows hold: the head from the file, the rest from memory.
      const out = Buffer.allocUnsafe(length);
      const fromFile = Math.max(0, Math.min(length, this.committedPosition - offset));
      if (fromFile > 0) {
        const head = this.queue.read(offset, fromFile, out.subarray(0, fromFile));
        if (!head || head.length !== fromFile) return undefined;
      }
      const copied = this.windows.copyOut(offset + fromFile, length - fromFile, out, fromFile);
      return fromFile + copied === length ? out : undefined;
    } catch {
      return undefined;
    }
  }

  /** The whole message record at `offset` (size read from it), undefined when no record starts there; `view` as for read(). */
  readRecord(offset: number, size?: number, view = false): Buffer | undefined {
    if (size === undefined) {
      const head = this.read(offset, 8);
      if (!head) return undefined;
      size = head.readInt32BE(0);
      const magic = head.readInt32BE(4);
      if (magic !== MESSAGE_MAGIC_CODE && magic !== MESSAGE_MAGIC_CODE_V2) return undefined;
    }
    if (size < MIN_RECORD_SIZE) return undefined;
    const record = this.read(offset, size, view);
    if (!record) return undefined;
    const magic = record.readInt32BE(4);
    if (record.readInt32BE(0) !== size || (magic !== MESSAGE_MAGIC_CODE && magic !== MESSAGE_MAGIC_CODE_V2)) return undefined;
    return record;
  }

  /** STORETIMESTAMP of the record at `offset`, -1 when unreadable. */
  pickupStoreTimestamp(offset: number): number {
    const head = this.read(offset, Math.min(80, this.writePosition - offset));
    if (!head || head.length < 64) return -1;
    return storeTimestampOf(head);
  }

  /** STORETIMESTAMP of the first record of a segment, 0 when it has none (isMappedFileMatchedRecover). */
  firstStoreTimestamp(mapped: MappedFile): number {
    try {
      const head = this.queue.read(mapped.fileFromOffset, 80);
      if (!head || head.length < 80) return 0;
      const magic = head.readInt32BE(4);
      if (magic !== MESSAGE_MAGIC_CODE && magic !== MESSAGE_MAGIC_CODE_V2) return 0;
      return storeTimestampOf(head);
    } catch {
      return 0;
    }
  }

  /**
   * Walks records from `from` (a record boundary), checking magic code, size, offset field and, when
   * asked, body CRC; calls `onRecord` with each good record (a view valid during the call only). Stops at
   * the end of the data or at the first bad record and says why.
   */
  scan(from: number, checkCrc: boolean, onRecord?: (record: Buffer, offset: number) => void): CommitLogScanResult {
    const fileSize = this.options.fileSize;
    const files = this.queue.files;
    let index = files.findIndex((f) => f.fileFromOffset === this.segmentStart(from));
    if (index < 0) return { end: from };
    let chunk = Buffer.alloc(0);
    let chunkStart = 0;
    let chunkLength = 0;
    let pos = from - files[index].fileFromOffset;
    for (;;) {
      const mapped = files[index];
      const base = mapped.fileFromOffset;
      const length = this.queue.fileLength(mapped);
      chunkStart = -1;
      const view = (at: number, need: number): Buffer | undefined => {
        if (chunkStart >= 0 && at >= chunkStart && at + need <= chunkStart + chunkLength) return chunk.subarray(at - chunkStart, at - chunkStart + need);
        const want = Math.min(Math.max(SCAN_CHUNK_SIZE, need), length - at);
        if (want < need) return undefined;
        if (chunk.length < want) chunk = Buffer.allocUnsafe(Math.max(want, SCAN_CHUNK_SIZE));
        const got = this.queue.read(base + at, want, chunk.subarray(0, want));
        if (!got || got.length < need) return undefined;
        chunkStart = at;
        chunkLength = got.length;
        return chunk.subarray(0, need);
      };
      for (;;) {
        if (pos >= length) {
          if (pos < fileSize) return { end: base + pos };
          break;
        }
        const head = view(pos, 8);
        if (!head) return { end: base + pos, reason: `a torn record header (${length - pos} bytes)` };
        const size = head.readInt32BE(0);
        const magic = head.readInt32BE(4);
        if (magic === BLANK_MAGIC_CODE) {
          if (size !== fileSize - pos) return { end: base + pos, reason: `a blank filler of ${size} bytes where ${fileSize - pos} remain` };
          if (length < fileSize) return { end: base + pos, reason: `a half-written blank filler (${length - pos} of ${size} bytes)` };
          pos = fileSize;
          break;
        }
        if (size === 0 && magic === 0) return { end: base + pos, reason: 'zeros where a record should start' };
        if (magic !== MESSAGE_MAGIC_CODE && magic !== MESSAGE_MAGIC_CODE_V2) return { end: base + pos, reason: `bad magic code ${magic}` };
        if (size < MIN_RECORD_SIZE || size > fileSize - pos - END_FILE_MIN_BLANK_LENGTH) return { end: base + pos, reason: `impossible record size ${size}` };
        const record = view(pos, size);
        if (!record) return { end: base + pos, reason: `a record of ${size} bytes cut after ${length - pos} bytes` };
        const invalid = checkRecord(record, base + pos, checkCrc);
        if (invalid) return { end: base + pos, reason: invalid };
        onRecord?.(record, base + pos);
        pos += size;
      }
      // A full segment: the data goes on at the start of the next one, if it exists.
      const next = files[index + 1];
      if (!next || next.fileFromOffset !== base + fileSize) return { end: base + fileSize };
      index++;
      pos = 0;
    }
  }

  /** Drops everything from `offset` on, in memory and on disk (a cut tail or a reset). */
  truncateFrom(offset: number): void {
    this.readCache.clear();
    this.queue.truncateFrom(offset);
  }

  /** Sets a finished segment's mtime from the store clock: retention ages segments by it. */
  touch(mapped: MappedFile, at = this.options.clock()): void {
    const seconds = at / 1000;
    try {
      fs.utimesSync(mapped.file, seconds, seconds);
    } catch (err) {
      this.logger.warn(`cannot set the modification time of ${mapped.file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Flushes synchronously (shutdown, after drain()) and stamps the current segment's mtime. */
  flushSync(): void {
    this.windows.commitSync();
    for (const f of this.unsynced.splice(0)) this.syncSegmentNow(f);
    const current = this.queue.find(this.segmentStart(Math.max(this.writePosition - 1, 0)));
    if (current && this.writePosition > current.fileFromOffset) {
      this.syncSegmentNow(current);
      this.touch(current);
    }
    this.flushedPosition = this.writePosition;
    this.flushedTimestamp = Math.max(this.flushedTimestamp, this.lastAppendTimestamp);
  }

  /** Waits for flushes and writes in flight (shutdown must not close descriptors under them). */
  async drain(): Promise<void> {
    await this.flushChain;
    await this.settleWrites();
  }

  /** Resolves once every write handed over has finished, successfully or not. */
  settleWrites(): Promise<void> {
    return this.windows.whenCommitted(this.windows.submittedPosition).catch(() => undefined);
  }

  /** Deletes the oldest segment (never the one being written). */
  deleteFirstSegment(): MappedFile | undefined {
    const first = this.queue.first;
    if (!first || first.fileFromOffset + this.options.fileSize > this.writePosition) return undefined;
    const i = this.unsynced.indexOf(first);
    if (i >= 0) this.unsynced.splice(i, 1);
    this.readCache.clear();
    return this.queue.deleteFirst();
  }

  private syncSegmentNow(mapped: MappedFile): void {
    this.options.onSync?.(mapped.file);
    this.queue.syncNow(mapped);
  }

  /** Ends the current segment with a blank record and moves the writer to the next one. */
  private roll(segEnd: number): void {
    const remaining = segEnd - this.writePosition;
    const blank = Buffer.alloc(remaining);
    blank.writeInt32BE(remaining, 0);
    blank.writeInt32BE(BLANK_MAGIC_CODE, 4);
    this.queue.write(this.writePosition, blank);
    const finished = this.queue.find(this.segmentStart(this.writePosition));
    this.queue.getOrCreate(segEnd);
    this.windows.skipTo(segEnd);
    if (finished) {
      this.unsynced.push(finished);
      // Stamped once its last write has landed: a write after the stamp would reset the time retention ages it by.
      const stamp = this.options.clock();
      this.windows.whenCommitted(segEnd).then(
        () => this.touch(finished, stamp),
        () => undefined,
      );
    }
  }
}

/** Undefined when the record at `offset` is internally consistent, else why not. */
export function checkRecord(record: Buffer, offset: number, checkCrc: boolean): string | undefined {
  const size = record.length;
  const sysFlag = record.readInt32BE(MessageRecordLayout.SYS_FLAG);
  const bornWidth = sysFlag & MessageSysFlag.BORNHOST_V6_FLAG ? 20 : 8;
  const storeWidth = sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG ? 20 : 8;
  const bodyLenAt = 48 + bornWidth + 8 + storeWidth + 4 + 8;
  if (bodyLenAt + 4 > size) return 'a header longer than the record';
  if (readLong(record, MessageRecordLayout.PHYSICAL_OFFSET) !== offset) {
    return `PHYSICALOFFSET ${readLong(record, MessageRecordLayout.PHYSICAL_OFFSET)} differs from the record's position`;
  }
  const bodyLen = record.readInt32BE(bodyLenAt);
  const v2 = record.readInt32BE(4) === MESSAGE_MAGIC_CODE_V2;
  let p = bodyLenAt + 4 + bodyLen;
  if (bodyLen < 0 || p + (v2 ? 2 : 1) > size) return `body length ${bodyLen} overruns the record`;
  const topicLen = v2 ? record.readInt16BE(p) : record.readUInt8(p);
  p += (v2 ? 2 : 1) + topicLen;
  if (p + 2 > size) return `topic length ${topicLen} overruns the record`;
  const propsLen = record.readInt16BE(p);
  if (p + 2 + propsLen !== size) return `field lengths add up to ${p + 2 + propsLen} bytes, not the record's ${size}`;
  if (checkCrc) {
    const crc = bodyCrc32(record.subarray(bodyLenAt + 4, bodyLenAt + 4 + bodyLen));
    const stored = record.readInt32BE(MessageRecordLayout.BODY_CRC);
    if (crc !== stored) return `body CRC ${crc} differs from the stored ${stored}`;
  }
  return undefined;
}

function storeTimestampOf(head: Buffer): number {
  const sysFlag = head.readInt32BE(MessageRecordLayout.SYS_FLAG);
  const bornWidth = sysFlag & MessageSysFlag.BORNHOST_V6_FLAG ? 20 : 8;
  return readLong(head, MessageRecordLayout.BORN_HOST + bornWidth);
}
