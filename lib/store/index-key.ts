import { javaStringHashCode, MessageConst, messageProperty } from '../message/index.js';

/** RocketMQ caps one index query at 64 hits (maxMsgsNumBatch) whatever the caller asks. */
export const MAX_MSGS_NUM_BATCH = 64;

/** RocketMQ's indexKeyHashMethod: String.hashCode of `topic#key` made non-negative. */
export function indexKeyHash(key: string): number {
  const h = Math.abs(javaStringHashCode(key));
  return h < 0 || h > 0x7fffffff ? 0 : h;
}

/**
 * The keys a message is indexed under (IndexService.buildIndex): its UNIQ_KEY, then each distinct,
 * non-empty entry of its space-separated KEYS other than the UNIQ_KEY.
 */
export function forEachIndexKey(propertiesString: string, visit: (key: string) => void): void {
  // Most messages carry only UNIQ_KEY/TAGS/KEYS; the string test spares any lookup when neither is there.
  if (!propertiesString.includes(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) && !propertiesString.includes(MessageConst.PROPERTY_KEYS)) {
    return;
  }
  const uniqKey = messageProperty(propertiesString, MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
  if (uniqKey) visit(uniqKey);
  const keys = messageProperty(propertiesString, MessageConst.PROPERTY_KEYS);
  if (!keys) return;
  const seen = new Set<string>();
  for (const key of keys.split(MessageConst.KEY_SEPARATOR)) {
    if (key.length > 0 && key !== uniqKey && !seen.has(key)) {
      seen.add(key);
      visit(key);
    }
  }
}

/** What queries by key need from a store's index, in files or in memory. */
export interface MessageKeyIndex {
  readonly indexLastUpdateTimestamp: number;
  readonly indexLastUpdatePhyoffset: number;
  /**
   * CommitLog offsets indexed under `topic#key` that `accept` confirms (it reads the record and checks
   * topic, key and store time within [begin, end]), newest first, at most min(maxNum, 64).
   */
  queryOffset(topic: string, key: string, maxNum: number, begin: number, end: number, accept: (phyOffset: number) => boolean): number[];
}
