import { growTypedArray } from '../common/index.js';
import { ConsumeQueueWithEntries } from './consume-queue-message-store.js';
import { ConsumeQueueEntry } from './query-message-result.js';

const INITIAL_CAPACITY = 64;

/**
 * One logical queue (topic, queueId) in memory: for each queue offset, where its record sits in the
 * CommitLog, how big it is and its tag hash. Typed arrays keep it at 20 bytes an entry, like the file.
 */
export class MemoryConsumeQueue implements ConsumeQueueWithEntries {
  private phyOffsets = new Float64Array(INITIAL_CAPACITY);
  private sizes = new Int32Array(INITIAL_CAPACITY);
  private tagsCodes = new Float64Array(INITIAL_CAPACITY);
  private count = 0;
  /** Queue offset of the first entry still held (always 0 until retention exists). */
  readonly minLogicOffset = 0;

  constructor(
    readonly topic: string,
    readonly queueId: number,
  ) {}

  /** The next queue offset to be written. */
  get maxOffset(): number {
    return this.minLogicOffset + this.count;
  }

  get minOffset(): number {
    return this.minLogicOffset;
  }

  append(phyOffset: number, size: number, tagsCode: number): number {
    if (this.count === this.sizes.length) this.grow();
    const index = this.count++;
    this.phyOffsets[index] = phyOffset;
    this.sizes[index] = size;
    this.tagsCodes[index] = tagsCode;
    return this.minLogicOffset + index;
  }

  entry(queueOffset: number): ConsumeQueueEntry | undefined {
    const i = queueOffset - this.minLogicOffset;
    if (i < 0 || i >= this.count) return undefined;
    return { phyOffset: this.phyOffsets[i], size: this.sizes[i], tagsCode: this.tagsCodes[i] };
  }

  phyOffsetAt(queueOffset: number): number {
    return this.phyOffsets[queueOffset - this.minLogicOffset];
  }

  sizeAt(queueOffset: number): number {
    return this.sizes[queueOffset - this.minLogicOffset];
  }

  tagsCodeAt(queueOffset: number): number {
    return this.tagsCodes[queueOffset - this.minLogicOffset];
  }

  forEachEntry(from: number, max: number, visit: (queueOffset: number, phyOffset: number, size: number, tagsCode: number) => boolean): void {
    const end = Math.min(this.maxOffset, from + max);
    for (let q = Math.max(from, this.minLogicOffset); q < end; q++) {
      const i = q - this.minLogicOffset;
      if (!visit(q, this.phyOffsets[i], this.sizes[i], this.tagsCodes[i])) return;
    }
  }

  private grow(): void {
    const capacity = this.sizes.length * 2;
    this.phyOffsets = growTypedArray(this.phyOffsets, capacity);
    this.sizes = growTypedArray(this.sizes, capacity);
    this.tagsCodes = growTypedArray(this.tagsCodes, capacity);
  }
}
