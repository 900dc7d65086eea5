import { growTypedArray } from '../common/index.js';
import { forEachIndexKey, indexKeyHash, MAX_MSGS_NUM_BATCH, MessageKeyIndex } from './index-key.js';

const INITIAL_SLOTS = 1024;
const INITIAL_ENTRIES = 1024;

/**
 * The message key index in memory (IndexService): each message's UNIQ_KEY and each space-separated entry
 * of its KEYS are indexed under the hash of `topic#key`, so QUERY_MESSAGE finds a message by business key
 * or by msgId. Laid out like an IndexFile, in typed arrays: hash slots pointing at the newest entry, each
 * entry holding the key hash, the CommitLog offset and the previous entry of its slot. A memory store
 * indexes every message it keeps; a Map of key strings cost the heap (and the garbage collector) more than
 * the messages' own bytes, this costs 16 bytes an entry outside the heap's object graph. Hashes collide,
 * so the store confirms each hit against its record (`accept`).
 */
export class MemoryIndexService implements MessageKeyIndex {
  private slots = new Int32Array(INITIAL_SLOTS);
  private hashes = new Int32Array(INITIAL_ENTRIES);
  private offsets = new Float64Array(INITIAL_ENTRIES);
  private previous = new Int32Array(INITIAL_ENTRIES);
  /** Entries are numbered from 1; 0 ends a chain. */
  private count = 0;
  private lastUpdateTimestamp = 0;
  private lastUpdatePhyOffset = 0;

  get indexLastUpdateTimestamp(): number {
    return this.lastUpdateTimestamp;
  }

  get indexLastUpdatePhyoffset(): number {
    return this.lastUpdatePhyOffset;
  }

  /** Indexes one stored message (IndexService.buildIndex). */
  buildIndex(topic: string, propertiesString: string, phyOffset: number, storeTimestamp: number): void {
    let indexed = false;
    forEachIndexKey(propertiesString, (key) => {
      indexed = true;
      this.put(topic, key, phyOffset);
    });
    if (!indexed) return;
    this.lastUpdateTimestamp = storeTimestamp;
    this.lastUpdatePhyOffset = phyOffset;
  }

  /** MessageKeyIndex.queryOffset; this index keeps no store times, so `accept` alone checks [begin, end]. */
  queryOffset(topic: string, key: string, maxNum: number, _begin: number, _end: number, accept: (phyOffset: number) => boolean): number[] {
    const out: number[] = [];
    const limit = Math.min(Math.max(0, maxNum), MAX_MSGS_NUM_BATCH);
    if (limit === 0) return out;
    const hash = indexKeyHash(topic + '#' + key);
    let last = -1;
    for (let e = this.slots[hash % this.slots.length]; e !== 0 && out.length < limit; e = this.previous[e]) {
      const offset = this.offsets[e];
      // One record may be indexed twice under one hash (its UNIQ_KEY and a KEYS entry colliding).
      if (this.hashes[e] !== hash || offset === last) continue;
      last = offset;
      if (accept(offset)) out.push(offset);
    }
    return out;
  }

  private put(topic: string, key: string, phyOffset: number): void {
    const hash = indexKeyHash(topic + '#' + key);
    const slot = hash % this.slots.length;
    const head = this.slots[slot];
    // A batch or a message whose KEYS repeat its UNIQ_KEY would add the same record twice.
    if (head !== 0 && this.offsets[head] === phyOffset && this.hashes[head] === hash) return;
    if (this.count + 1 >= this.hashes.length) this.growEntries();
    const e = ++this.count;
    this.hashes[e] = hash;
    this.offsets[e] = phyOffset;
    this.previous[e] = head;
    this.slots[slot] = e;
    if (this.count > this.slots.length * 2) this.rehash();
  }

  private growEntries(): void {
    const capacity = this.hashes.length * 2;
    this.hashes = growTypedArray(this.hashes, capacity);
    this.offsets = growTypedArray(this.offsets, capacity);
    this.previous = growTypedArray(this.previous, capacity);
  }

  /** Twice the slots, chains rebuilt oldest first so each still runs newest to oldest. */
  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    for (let e = 1; e <= this.count; e++) {
      const slot = this.hashes[e] % slots.length;
      this.previous[e] = slots[slot];
      slots[slot] = e;
    }
    this.slots = slots;
  }
}
