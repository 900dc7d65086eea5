import { MessageRecordInput, MessageSysFlag, readLong, writeMessageRecord } from '../message/index.js';

const FIRST_SEGMENT_SIZE = 256 * 1024;
const MAX_SEGMENT_SIZE = 32 * 1024 * 1024;
/** STORETIMESTAMP sits right after the born host, whose width depends on BORNHOST_V6_FLAG. */
const BORN_HOST_POSITION = 48;

/**
 * The CommitLog held in memory: records packed back to back in large Buffers, addressed by physical
 * offset. Physical offsets are the running sum of record sizes (no end-of-segment padding), so a record
 * never straddles two segments: a segment is sealed when the next record does not fit.
 */
export class MemoryCommitLog {
  private readonly segments: Buffer[] = [];
  private readonly bases: number[] = [];
  private current: Buffer = Buffer.alloc(0);
  private currentBase = 0;
  private writePos = 0;
  private nextSegmentSize = FIRST_SEGMENT_SIZE;

  /** The physical offset the next record gets. */
  get maxOffset(): number {
    return this.currentBase + this.writePos;
  }

  get minOffset(): number {
    return 0;
  }

  /** Encodes the record of `input` (its commitLogOffset equal to `maxOffset`, `size` from messageRecordSize) at the end. */
  append(input: MessageRecordInput, size: number): void {
    if (this.writePos + size > this.current.length) this.roll(size);
    writeMessageRecord(input, size, this.current, this.writePos);
    this.writePos += size;
  }

  /** A view on the record at `offset` (size read from the record when not given), or undefined. */
  select(offset: number, size?: number): Buffer | undefined {
    if (offset < 0 || offset >= this.maxOffset) return undefined;
    let segment: Buffer;
    let base: number;
    if (offset >= this.currentBase) {
      segment = this.current;
      base = this.currentBase;
    } else {
      const index = this.segmentIndex(offset);
      if (index < 0) return undefined;
      segment = this.segments[index];
      base = this.bases[index];
    }
    const pos = offset - base;
    const length = size ?? segment.readInt32BE(pos);
    if (pos + length > segment.length) return undefined;
    return segment.subarray(pos, pos + length);
  }

  pickupStoreTimestamp(offset: number, size?: number): number {
    const record = this.select(offset, size);
    if (!record) return -1;
    const sysFlag = record.readInt32BE(36);
    const bornHostWidth = sysFlag & MessageSysFlag.BORNHOST_V6_FLAG ? 20 : 8;
    return readLong(record, BORN_HOST_POSITION + bornHostWidth);
  }

  clear(): void {
    this.segments.length = 0;
    this.bases.length = 0;
    this.current = Buffer.alloc(0);
    this.currentBase = 0;
    this.writePos = 0;
    this.nextSegmentSize = FIRST_SEGMENT_SIZE;
  }

  private roll(minSize: number): void {
    if (this.writePos > 0) {
      this.segments.push(this.current.subarray(0, this.writePos));
      this.bases.push(this.currentBase);
    }
    this.currentBase += this.writePos;
    const size = Math.max(minSize, this.nextSegmentSize);
    // Start small so idle brokers (tests, many in one process) cost little, then grow to cut segment count.
    this.nextSegmentSize = Math.min(this.nextSegmentSize * 2, MAX_SEGMENT_SIZE);
    this.current = Buffer.allocUnsafe(size);
    this.writePos = 0;
  }

  private segmentIndex(offset: number): number {
    let lo = 0;
    let hi = this.bases.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const base = this.bases[mid];
      if (offset < base) hi = mid - 1;
      else if (offset >= base + this.segments[mid].length) lo = mid + 1;
      else return mid;
    }
    return -1;
  }
}
