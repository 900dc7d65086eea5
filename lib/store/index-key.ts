import { javaStringHashCode } from '../message/index.js';

/** RocketMQ caps one index query at 64 hits (maxMsgsNumBatch) whatever the caller asks. */
export const MAX_MSGS_NUM_BATCH = 64;

/** RocketMQ's indexKeyHashMethod: String.hashCode of `topic#key` made non-negative. */
export function indexKeyHash(key: string): number {
  const h = Math.abs(javaStringHashCode(key));
  return h < 0 || h > 0x7fffffff ? 0 : h;
}
