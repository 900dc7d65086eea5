import { GetMessageStatus } from './get-message-status.js';
import { BoundaryType, GetMessageResult } from './message-store.js';
import { CQ_STORE_UNIT_SIZE, MessageStoreConfig } from './message-store-config.js';
import { MessageFilter } from './message-filter.js';

/** One pull never returns more than this many bytes, whatever the client asks. */
const MAX_PULL_MSG_SIZE = 128 * 1024 * 1024;

/** What the reads below need from a ConsumeQueue, in memory or in files. */
export interface ConsumeQueueView {
  /** Queue offset of the first entry still held. */
  readonly minOffset: number;
  /** The next queue offset to be written. */
  readonly maxOffset: number;
  /** Visits up to `max` entries from `from`, in order, while `visit` returns true. */
  forEachEntry(from: number, max: number, visit: (queueOffset: number, phyOffset: number, size: number, tagsCode: number) => boolean): void;
}

/** Reads one stored record of `size` bytes at a CommitLog offset; undefined once it was deleted. */
export type CommitLogRecordReader = (phyOffset: number, size: number) => Buffer | undefined;

/**
 * DefaultMessageStore.getMessage over any store: the status and nextBeginOffset rules, then a scan of
 * at most maxFilterMessageSize bytes of ConsumeQueue entries, so a long run the filter rejects never
 * blocks a pull.
 */
export function getMessageFromConsumeQueue(
  cq: ConsumeQueueView | undefined,
  offset: number,
  maxMsgNums: number,
  maxTotalMsgSize: number,
  filter: MessageFilter | undefined,
  config: MessageStoreConfig,
  readRecord: CommitLogRecordReader,
): GetMessageResult {
  const result: GetMessageResult = {
    status: GetMessageStatus.NO_MESSAGE_IN_QUEUE,
    nextBeginOffset: offset,
    minOffset: 0,
    maxOffset: 0,
    messages: [],
    bufferTotalSize: 0,
  };
  if (!cq) {
    result.status = GetMessageStatus.NO_MATCHED_LOGIC_QUEUE;
    result.nextBeginOffset = 0;
    return result;
  }
  const minOffset = cq.minOffset;
  const maxOffset = cq.maxOffset;
  result.minOffset = minOffset;
  result.maxOffset = maxOffset;
  if (maxOffset === 0) {
    result.status = GetMessageStatus.NO_MESSAGE_IN_QUEUE;
    result.nextBeginOffset = 0;
  } else if (offset < minOffset) {
    result.status = GetMessageStatus.OFFSET_TOO_SMALL;
    result.nextBeginOffset = minOffset;
  } else if (offset === maxOffset) {
    result.status = GetMessageStatus.OFFSET_OVERFLOW_ONE;
    result.nextBeginOffset = offset;
  } else if (offset > maxOffset) {
    result.status = GetMessageStatus.OFFSET_OVERFLOW_BADLY;
    result.nextBeginOffset = maxOffset;
  } else {
    collect(cq, offset, maxMsgNums, maxTotalMsgSize, filter, config, readRecord, result);
  }
  return result;
}

function collect(
  cq: ConsumeQueueView,
  offset: number,
  maxMsgNums: number,
  maxTotalMsgSize: number,
  filter: MessageFilter | undefined,
  config: MessageStoreConfig,
  readRecord: CommitLogRecordReader,
  result: GetMessageResult,
): void {
  const maxPullSize = Math.min(Math.max(maxTotalMsgSize, 100), MAX_PULL_MSG_SIZE);
  const maxScan = Math.max(config.maxFilterMessageSize, maxMsgNums * CQ_STORE_UNIT_SIZE);
  const maxBytesInMem = config.maxTransferBytesOnMessageInMemory;
  const maxCountInMem = config.maxTransferCountOnMessageInMemory;
  const commitLogCheck = filter?.isMatchedByCommitLog ? filter : undefined;
  const messages = result.messages;
  let total = 0;
  let status: GetMessageStatus = GetMessageStatus.NO_MATCHED_MESSAGE;
  let next = offset;
  cq.forEachEntry(offset, Math.ceil(maxScan / CQ_STORE_UNIT_SIZE), (queueOffset, phyOffset, size, tagsCode) => {
    const count = messages.length;
    if (total > 0 && count > 0) {
      if (count + 1 > maxMsgNums) return false;
      if (total + size > maxPullSize) return false;
      if (total + size > maxBytesInMem) return false;
      if (count > maxCountInMem - 1) return false;
    }
    if (total >= maxPullSize) return false;
    next = queueOffset + 1;
    if (filter && !filter.isMatchedByConsumeQueue(tagsCode)) return true;
    const record = readRecord(phyOffset, size);
    if (!record) {
      if (total === 0) status = GetMessageStatus.MESSAGE_WAS_REMOVING;
      return true;
    }
    if (commitLogCheck && !commitLogCheck.isMatchedByCommitLog!(record)) return true;
    messages.push(record);
    total += size;
    status = GetMessageStatus.FOUND;
    return true;
  });
  result.status = status;
  result.nextBeginOffset = next;
  result.bufferTotalSize = total;
}

/**
 * The queue offset for a point in time (ConsumeQueue.getOffsetInQueueByTime), by binary search over
 * store timestamps. Lower: the first offset stored at or after `timestamp`; upper: the last one stored at
 * or before it.
 */
export function searchOffsetByTime(
  cq: ConsumeQueueView | undefined,
  timestamp: number,
  boundaryType: BoundaryType,
  storeTimeAt: (queueOffset: number) => number,
): number {
  if (!cq || cq.maxOffset === cq.minOffset) return 0;
  const lower = boundaryType !== 'upper';
  const first = cq.minOffset;
  const last = cq.maxOffset - 1;
  if (storeTimeAt(last) < timestamp) return lower ? last + 1 : last;
  if (storeTimeAt(first) > timestamp) return lower ? first : 0;
  let lo = first;
  let hi = last;
  while (lo < hi) {
    if (lower) {
      const mid = Math.floor((lo + hi) / 2);
      if (storeTimeAt(mid) >= timestamp) hi = mid;
      else lo = mid + 1;
    } else {
      const mid = Math.ceil((lo + hi) / 2);
      if (storeTimeAt(mid) <= timestamp) lo = mid;
      else hi = mid - 1;
    }
  }
  return lo;
}
