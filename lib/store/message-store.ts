import { MessageExt } from '../message/index.js';
import { GetMessageStatus } from './get-message-status.js';
import { MessageFilter } from './message-filter.js';
import { PutMessageStatus } from './put-message-status.js';
import { ConsumeQueueEntry, QueryMessageResult } from './query-message-result.js';

/**
 * A message as the broker hands it to the store (MessageExtBrokerInner): what the producer sent plus what
 * the broker decided (queue, hosts, tag hash). The store fills in the offsets and the store time.
 */
export interface MessageExtBrokerInner {
  topic: string;
  queueId: number;
  flag: number;
  body: Buffer;
  /** Properties already serialized (name \u0001 value \u0002 ...), as they go into the record. */
  propertiesString: string;
  /** Hash code of the message's tag (0 when it has none); what tag filters compare. */
  tagsCode: number;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: string;
  storeHost: string;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
}

/** What the store did with one put (PutMessageResult + AppendMessageResult). */
export interface PutMessageResult {
  status: PutMessageStatus;
  /** CommitLog offset of the first record written. */
  wroteOffset: number;
  wroteBytes: number;
  /** Offset message id(s) of the record(s), comma-joined for a batch. */
  msgId: string;
  /** ConsumeQueue offset of the first message written. */
  logicsOffset: number;
  storeTimestamp: number;
  msgNum: number;
  /** Why the put failed, when it did. */
  remark?: string;
}

/** What one getMessage found (GetMessageResult). */
export interface GetMessageResult {
  status: GetMessageStatus;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  /** The stored records as views on the store's memory (no copy), valid until the store's next write: copy what you keep. */
  messages: Buffer[];
  bufferTotalSize: number;
}

/**
 * Called after a message is made visible in a ConsumeQueue, so held pulls on that queue can answer at once.
 * `propertiesString` is the serialized properties; only property filters need to parse it.
 */
export type MessageArrivingListener = (
  topic: string,
  queueId: number,
  logicOffset: number,
  tagsCode: number,
  storeTimestamp: number,
  propertiesString: string,
) => void;

/** Which end of a run of equal store times SEARCH_OFFSET_BY_TIMESTAMP picks (BoundaryType). */
export type BoundaryType = 'lower' | 'upper';

/**
 * The broker's storage: a CommitLog of records and one ConsumeQueue per (topic, queueId) indexing it.
 * The memory store and the file store both implement it, so nothing here assumes where bytes live.
 */
export interface MessageStore {
  /** The file store opens its files here (after load()); the memory store just starts accepting puts. */
  start(): void | Promise<void>;
  /** The file store flushes and closes its files before the returned promise settles. */
  shutdown(): void | Promise<void>;
  /**
   * Stores one message. The memory store (and the file store under ASYNC_FLUSH) answers synchronously;
   * under SYNC_FLUSH the answer waits for the fdatasync covering the record. A Promise is only ever returned
   * after the record is appended and dispatched (visible to pulls), so a caller that cannot wait may treat it
   * as stored; refusals are always synchronous. Callers keep the sync path cheap with
   * `result instanceof Promise ? await result : result`.
   */
  putMessage(msg: MessageExtBrokerInner): PutMessageResult | Promise<PutMessageResult>;
  /** Stores each message of a batch as its own record, in consecutive queue offsets of one queue. */
  putMessages(batch: MessageExtBrokerInner[]): PutMessageResult | Promise<PutMessageResult>;
  getMessage(
    group: string,
    topic: string,
    queueId: number,
    offset: number,
    maxMsgNums: number,
    maxTotalMsgSize: number,
    filter?: MessageFilter,
  ): GetMessageResult;
  /** The next queue offset to be written (0 for an unknown queue). */
  getMaxOffsetInQueue(topic: string, queueId: number): number;
  getMinOffsetInQueue(topic: string, queueId: number): number;
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number, boundaryType?: BoundaryType): number;
  /** Store time of the first message in the queue, -1 when there is none. */
  getEarliestMessageTime(topic: string, queueId: number): number;
  getMessageStoreTimeStamp(topic: string, queueId: number, consumeQueueOffset: number): number;
  lookMessageByOffset(commitLogOffset: number): MessageExt | undefined;
  selectOneMessageByOffset(commitLogOffset: number): Buffer | undefined;
  checkInMemByConsumeOffset(topic: string, queueId: number, consumeOffset: number, batchSize: number): boolean;
  /** Next CommitLog offset to be written. */
  getMaxPhyOffset(): number;
  getMinPhyOffset(): number;
  setMessageArrivingListener(listener: MessageArrivingListener | undefined): void;
  /**
   * The ConsumeQueue entry at a queue offset, undefined outside the queue. No filter applies: the schedule
   * service reads delivery times from SCHEDULE_TOPIC_XXXX's tagsCode this way.
   */
  getConsumeQueueEntry(topic: string, queueId: number, consumeQueueOffset: number): ConsumeQueueEntry | undefined;
  /**
   * Messages of `topic` indexed under `key` (each KEYS entry and the UNIQ_KEY) stored within
   * [begin, end] ms, newest first, at most min(maxNum, 64) (IndexService.queryOffset).
   */
  queryMessage(topic: string, key: string, maxNum: number, begin: number, end: number): QueryMessageResult;
}
