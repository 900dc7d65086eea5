import { MessageConst, messageProperty } from '../message/index.js';

/** RocketMQ caps one index query at 64 hits (maxMsgsNumBatch) whatever the caller asks. */
export const MAX_MSGS_NUM_BATCH = 64;

/**
 * The message key index in memory (IndexService): each message's UNIQ_KEY and each space-separated entry
 * of its KEYS are indexed under `topic#key`, like RocketMQ's IndexFile, so QUERY_MESSAGE finds it by
 * business key or by msgId. The file store will back the same queries with IndexFiles.
 */
export class MemoryIndexService {
  /**
   * CommitLog offsets per `topic#key`, oldest first: a bare number for the common single hit (every UNIQ_KEY),
   * an array once a key repeats. Store times are read back from the CommitLog, so a hit costs one number.
   */
  private readonly table = new Map<string, number | number[]>();
  private lastUpdateTimestamp = 0;
  private lastUpdatePhyOffset = 0;

  constructor(private readonly storeTimestampAt: (phyOffset: number) => number) {}

  get indexLastUpdateTimestamp(): number {
    return this.lastUpdateTimestamp;
  }

  get indexLastUpdatePhyoffset(): number {
    return this.lastUpdatePhyOffset;
  }

  /** Indexes one stored message (IndexService.buildIndex). */
  buildIndex(topic: string, propertiesString: string, phyOffset: number, storeTimestamp: number): void {
    // Most messages carry only UNIQ_KEY/TAGS/KEYS; the string test spares a full parse when neither is there.
    if (!propertiesString.includes(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) && !propertiesString.includes(MessageConst.PROPERTY_KEYS)) {
      return;
    }
    const uniqKey = messageProperty(propertiesString, MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
    if (uniqKey) this.put(topic, uniqKey, phyOffset);
    const keys = messageProperty(propertiesString, MessageConst.PROPERTY_KEYS);
    if (keys) {
      for (const key of keys.split(MessageConst.KEY_SEPARATOR)) {
        if (key.length > 0 && key !== uniqKey) this.put(topic, key, phyOffset);
      }
    }
    this.lastUpdateTimestamp = storeTimestamp;
    this.lastUpdatePhyOffset = phyOffset;
  }

  /**
   * CommitLog offsets of the messages indexed under `topic#key` and stored within [begin, end], newest first,
   * at most min(maxNum, 64).
   */
  queryOffset(topic: string, key: string, maxNum: number, begin: number, end: number): number[] {
    const hits = this.table.get(buildKey(topic, key));
    const out: number[] = [];
    if (hits === undefined) return out;
    const offsets = typeof hits === 'number' ? [hits] : hits;
    const limit = Math.min(Math.max(0, maxNum), MAX_MSGS_NUM_BATCH);
    for (let i = offsets.length - 1; i >= 0 && out.length < limit; i--) {
      const t = this.storeTimestampAt(offsets[i]);
      if (t >= begin && t <= end) out.push(offsets[i]);
    }
    return out;
  }

  private put(topic: string, key: string, phyOffset: number): void {
    const k = buildKey(topic, key);
    const hits = this.table.get(k);
    if (hits === undefined) this.table.set(k, phyOffset);
    // A batch or a message whose KEYS repeat its UNIQ_KEY would add the same record twice.
    else if (typeof hits === 'number') {
      if (hits !== phyOffset) this.table.set(k, [hits, phyOffset]);
    } else if (hits[hits.length - 1] !== phyOffset) hits.push(phyOffset);
  }
}

function buildKey(topic: string, key: string): string {
  return topic + '#' + key;
}
