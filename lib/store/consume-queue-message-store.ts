import { MessageExt, decodeMessageRecord } from '../message/index.js';
import { ConsumeQueueView, getMessageFromConsumeQueue, searchOffsetByTime } from './consume-queue-reads.js';
import { MessageFilter } from './message-filter.js';
import { BoundaryType, GetMessageResult } from './message-store.js';
import { MessageStoreConfig } from './message-store-config.js';
import { ConsumeQueueEntry, QueryMessageResult } from './query-message-result.js';
import { MessageKeyIndex } from './index-key.js';
import { recordMatchesKey } from './stored-record.js';

/** A ConsumeQueue as the shared reads need it, with single-entry access. */
export interface ConsumeQueueWithEntries extends ConsumeQueueView {
  entry(queueOffset: number): ConsumeQueueEntry | undefined;
}

/**
 * The reads every RocketMQ-shaped store answers the same way from its ConsumeQueues and CommitLog (the
 * read half of DefaultMessageStore): the memory and file stores differ only in how they find a queue,
 * read a record and read a store timestamp.
 */
export abstract class ConsumeQueueMessageStore<CQ extends ConsumeQueueWithEntries> {
  protected readonly consumeQueueTable = new Map<string, Map<number, CQ>>();
  protected abstract readonly config: MessageStoreConfig;
  protected abstract readonly commitLog: { readonly minOffset: number; readonly maxOffset: number };

  /** The record of `size` bytes at a CommitLog offset; undefined once it was deleted. */
  protected abstract readRecord(phyOffset: number, size: number): Buffer | undefined;
  /** When the message at `queueOffset` was stored, -1 when unknown. */
  protected abstract storeTimeAt(cq: CQ, queueOffset: number): number;
  protected abstract readonly indexService: MessageKeyIndex;
  abstract selectOneMessageByOffset(commitLogOffset: number): Buffer | undefined;

  queryMessage(topic: string, key: string, maxNum: number, begin: number, end: number): QueryMessageResult {
    const result: QueryMessageResult = {
      messages: [],
      bufferTotalSize: 0,
      indexLastUpdateTimestamp: this.indexService.indexLastUpdateTimestamp,
      indexLastUpdatePhyoffset: this.indexService.indexLastUpdatePhyoffset,
    };
    const records = new Map<number, Buffer>();
    // Indexes keep hashes (and the file index whole seconds); each candidate is checked against its record.
    const offsets = this.indexService.queryOffset(topic, key, maxNum, begin, end, (phyOffset) => {
      const record = this.selectOneMessageByOffset(phyOffset);
      if (!record || !recordMatchesKey(record, topic, key, begin, end)) return false;
      records.set(phyOffset, record);
      return true;
    });
    for (const phyOffset of offsets) {
      const record = records.get(phyOffset)!;
      result.messages.push(record);
      result.bufferTotalSize += record.length;
    }
    return result;
  }

  getMessage(
    _group: string,
    topic: string,
    queueId: number,
    offset: number,
    maxMsgNums: number,
    maxTotalMsgSize: number,
    filter?: MessageFilter,
  ): GetMessageResult {
    return getMessageFromConsumeQueue(this.findConsumeQueue(topic, queueId), offset, maxMsgNums, maxTotalMsgSize, filter, this.config, (phy, size) =>
      this.readRecord(phy, size),
    );
  }

  getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.findConsumeQueue(topic, queueId)?.maxOffset ?? 0;
  }

  getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.findConsumeQueue(topic, queueId)?.minOffset ?? 0;
  }

  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number, boundaryType: BoundaryType = 'lower'): number {
    const cq = this.findConsumeQueue(topic, queueId);
    return searchOffsetByTime(cq, timestamp, boundaryType, (queueOffset) => this.storeTimeAt(cq!, queueOffset));
  }

  getEarliestMessageTime(topic: string, queueId: number): number {
    const cq = this.findConsumeQueue(topic, queueId);
    if (!cq || cq.maxOffset === cq.minOffset) return -1;
    return this.storeTimeAt(cq, cq.minOffset);
  }

  getMessageStoreTimeStamp(topic: string, queueId: number, consumeQueueOffset: number): number {
    const cq = this.findConsumeQueue(topic, queueId);
    if (!cq || consumeQueueOffset < cq.minOffset || consumeQueueOffset >= cq.maxOffset) return -1;
    return this.storeTimeAt(cq, consumeQueueOffset);
  }

  lookMessageByOffset(commitLogOffset: number): MessageExt | undefined {
    const record = this.selectOneMessageByOffset(commitLogOffset);
    return record ? decodeMessageRecord(record) : undefined;
  }

  /** Whether the entry is still held (for the memory store everything is; the page cache serves the file store). */
  checkInMemByConsumeOffset(topic: string, queueId: number, consumeOffset: number, _batchSize = 1): boolean {
    const cq = this.findConsumeQueue(topic, queueId);
    return !!cq && consumeOffset >= cq.minOffset && consumeOffset < cq.maxOffset;
  }

  getConsumeQueueEntry(topic: string, queueId: number, consumeQueueOffset: number): ConsumeQueueEntry | undefined {
    const cq = this.findConsumeQueue(topic, queueId);
    if (!cq || consumeQueueOffset < cq.minOffset || consumeQueueOffset >= cq.maxOffset) return undefined;
    return cq.entry(consumeQueueOffset);
  }

  getMaxPhyOffset(): number {
    return this.commitLog.maxOffset;
  }

  getMinPhyOffset(): number {
    return this.commitLog.minOffset;
  }

  /** The queue ids of a topic that have a ConsumeQueue. */
  getConsumeQueueIds(topic: string): number[] {
    return [...(this.consumeQueueTable.get(topic)?.keys() ?? [])];
  }

  protected findConsumeQueue(topic: string, queueId: number): CQ | undefined {
    return this.consumeQueueTable.get(topic)?.get(queueId);
  }
}
