import { Logger } from '@nestjs/common';
import {
  createOffsetMessageId,
  encodeMessageRecord,
  getTransactionValue,
  MessageSysFlag,
} from '../message/index.js';
import { MemoryCommitLog } from './memory-commit-log.js';
import { MemoryConsumeQueue } from './memory-consume-queue.js';
import { MemoryIndexService } from './memory-index-service.js';
import {
  MessageArrivingListener,
  MessageExtBrokerInner,
  MessageStore,
  PutMessageResult,
} from './message-store.js';
import { DEFAULT_MESSAGE_STORE_CONFIG, MessageStoreConfig } from './message-store-config.js';
import { PutMessageStatus } from './put-message-status.js';
import { QueryMessageResult } from './query-message-result.js';
import { ConsumeQueueMessageStore } from './consume-queue-message-store.js';
import { checkPutMessage, isDispatchedToConsumeQueue, putMessageFailure } from './put-message-rules.js';


/**
 * A MessageStore that keeps the CommitLog and the ConsumeQueues in memory: the bundled broker's default,
 * and the reference behaviour the file store must match. Dispatch to the ConsumeQueue happens inside
 * putMessage, so a message is visible to pulls as soon as the put returns.
 */
export class MemoryMessageStore extends ConsumeQueueMessageStore<MemoryConsumeQueue> implements MessageStore {
  private readonly logger = new Logger(MemoryMessageStore.name);
  protected readonly config: MessageStoreConfig;
  protected readonly commitLog = new MemoryCommitLog();
  private readonly indexService = new MemoryIndexService();
  private arrivingListener: MessageArrivingListener | undefined;
  private readonly msgIdPrefixes = new Map<string, string>();
  private running = false;

  constructor(config: Partial<MessageStoreConfig> = {}) {
    super();
    this.config = { ...DEFAULT_MESSAGE_STORE_CONFIG, ...config };
  }

  start(): void {
    this.running = true;
  }

  shutdown(): void {
    this.running = false;
    this.arrivingListener = undefined;
  }

  setMessageArrivingListener(listener: MessageArrivingListener | undefined): void {
    this.arrivingListener = listener;
  }

  putMessage(msg: MessageExtBrokerInner): PutMessageResult {
    const rejected = checkPutMessage(msg, this.running, this.config.maxMessageSize);
    if (rejected) return rejected;
    const storeTimestamp = Date.now();
    const wroteOffset = this.commitLog.maxOffset;
    const encoded = this.encode(msg, wroteOffset, storeTimestamp);
    if (typeof encoded === 'string') return putMessageFailure(PutMessageStatus.MESSAGE_ILLEGAL, encoded);
    const logicsOffset = this.append(msg, encoded.record, encoded.queueOffset, wroteOffset, storeTimestamp);
    return {
      status: PutMessageStatus.PUT_OK,
      wroteOffset,
      wroteBytes: encoded.record.length,
      msgId: this.offsetMessageId(msg.storeHost, wroteOffset),
      logicsOffset,
      storeTimestamp,
      msgNum: 1,
    };
  }

  putMessages(batch: MessageExtBrokerInner[]): PutMessageResult {
    if (batch.length === 0) return putMessageFailure(PutMessageStatus.MESSAGE_ILLEGAL, 'the batch holds no message');
    for (const msg of batch) {
      const rejected = checkPutMessage(msg, this.running, this.config.maxMessageSize);
      if (rejected) return rejected;
    }
    // Encode everything before writing anything, so an illegal message rejects the whole batch.
    const storeTimestamp = Date.now();
    const wroteOffset = this.commitLog.maxOffset;
    const records: Buffer[] = new Array(batch.length);
    const queueOffsets: number[] = new Array(batch.length);
    const pending = new Map<MemoryConsumeQueue, number>();
    let phyOffset = wroteOffset;
    for (let i = 0; i < batch.length; i++) {
      const msg = batch[i];
      const visible = isDispatchedToConsumeQueue(msg.sysFlag);
      let queueOffset = 0;
      if (visible) {
        const cq = this.findOrCreateConsumeQueue(msg.topic, msg.queueId);
        queueOffset = pending.get(cq) ?? cq.maxOffset;
        pending.set(cq, queueOffset + 1);
      }
      const encoded = this.encodeAt(msg, phyOffset, queueOffset, storeTimestamp);
      if (typeof encoded === 'string') return putMessageFailure(PutMessageStatus.MESSAGE_ILLEGAL, encoded);
      records[i] = encoded;
      queueOffsets[i] = queueOffset;
      phyOffset += encoded.length;
    }
    const msgIds: string[] = new Array(batch.length);
    let logicsOffset = -1;
    for (let i = 0; i < batch.length; i++) {
      const offset = this.commitLog.maxOffset;
      const logic = this.append(batch[i], records[i], queueOffsets[i], offset, storeTimestamp);
      if (logicsOffset < 0) logicsOffset = logic;
      msgIds[i] = this.offsetMessageId(batch[i].storeHost, offset);
    }
    return {
      status: PutMessageStatus.PUT_OK,
      wroteOffset,
      wroteBytes: phyOffset - wroteOffset,
      msgId: msgIds.join(','),
      logicsOffset,
      storeTimestamp,
      msgNum: batch.length,
    };
  }

  selectOneMessageByOffset(commitLogOffset: number): Buffer | undefined {
    return this.commitLog.select(commitLogOffset);
  }

  queryMessage(topic: string, key: string, maxNum: number, begin: number, end: number): QueryMessageResult {
    const result: QueryMessageResult = {
      messages: [],
      bufferTotalSize: 0,
      indexLastUpdateTimestamp: this.indexService.indexLastUpdateTimestamp,
      indexLastUpdatePhyoffset: this.indexService.indexLastUpdatePhyoffset,
    };
    for (const phyOffset of this.indexService.queryOffset(topic, key, maxNum, begin, end)) {
      const record = this.commitLog.select(phyOffset);
      if (!record) continue;
      result.messages.push(record);
      result.bufferTotalSize += record.length;
    }
    return result;
  }
  private encode(
    msg: MessageExtBrokerInner,
    phyOffset: number,
    storeTimestamp: number,
  ): { record: Buffer; queueOffset: number } | string {
    const queueOffset = isDispatchedToConsumeQueue(msg.sysFlag) ? this.findOrCreateConsumeQueue(msg.topic, msg.queueId).maxOffset : 0;
    const record = this.encodeAt(msg, phyOffset, queueOffset, storeTimestamp);
    return typeof record === 'string' ? record : { record, queueOffset };
  }

  private encodeAt(msg: MessageExtBrokerInner, phyOffset: number, queueOffset: number, storeTimestamp: number): Buffer | string {
    let record: Buffer;
    try {
      record = encodeMessageRecord({
        topic: msg.topic,
        queueId: msg.queueId,
        flag: msg.flag,
        queueOffset,
        commitLogOffset: phyOffset,
        sysFlag: msg.sysFlag,
        bornTimestamp: msg.bornTimestamp,
        bornHost: msg.bornHost,
        storeTimestamp,
        storeHost: msg.storeHost,
        reconsumeTimes: msg.reconsumeTimes,
        preparedTransactionOffset: msg.preparedTransactionOffset,
        body: msg.body,
        propertiesString: msg.propertiesString,
      });
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    if (record.length > this.config.maxMessageSize) {
      return `message size ${record.length} bytes exceeds the maximum message size ${this.config.maxMessageSize} bytes`;
    }
    return record;
  }

  /** Writes an encoded record and, for a visible message, indexes it and tells the arrival listener. */
  private append(
    msg: MessageExtBrokerInner,
    record: Buffer,
    queueOffset: number,
    phyOffset: number,
    storeTimestamp: number,
  ): number {
    this.commitLog.append(record);
    // RocketMQ indexes prepared half messages too (only rollbacks are skipped), so they can be looked up.
    if (getTransactionValue(msg.sysFlag) !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) {
      this.indexService.buildIndex(msg.topic, msg.propertiesString, phyOffset, storeTimestamp);
    }
    if (!isDispatchedToConsumeQueue(msg.sysFlag)) return queueOffset;
    const cq = this.findOrCreateConsumeQueue(msg.topic, msg.queueId);
    const logicOffset = cq.append(phyOffset, record.length, msg.tagsCode);
    const listener = this.arrivingListener;
    if (listener) {
      try {
        listener(msg.topic, msg.queueId, logicOffset, msg.tagsCode, storeTimestamp, msg.propertiesString);
      } catch (err) {
        this.logger.error(`message arriving listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return logicOffset;
  }

  /**
   * Same text as createOffsetMessageId, without BigInt on the send path: the store-host half is computed
   * once per host and the offset rendered from its two 32-bit halves.
   */
  private offsetMessageId(storeHost: string, offset: number): string {
    let prefix = this.msgIdPrefixes.get(storeHost);
    if (prefix === undefined) {
      prefix = createOffsetMessageId(storeHost, 0).slice(0, -16);
      this.msgIdPrefixes.set(storeHost, prefix);
    }
    const high = Math.floor(offset / 0x100000000);
    const low = offset >>> 0;
    return prefix + high.toString(16).toUpperCase().padStart(8, '0') + low.toString(16).toUpperCase().padStart(8, '0');
  }

  protected readRecord(phyOffset: number, size: number): Buffer | undefined {
    return this.commitLog.select(phyOffset, size);
  }

  protected storeTimeAt(cq: MemoryConsumeQueue, queueOffset: number): number {
    return this.commitLog.pickupStoreTimestamp(cq.phyOffsetAt(queueOffset), cq.sizeAt(queueOffset));
  }

  private findOrCreateConsumeQueue(topic: string, queueId: number): MemoryConsumeQueue {
    let queues = this.consumeQueueTable.get(topic);
    if (!queues) this.consumeQueueTable.set(topic, (queues = new Map()));
    let cq = queues.get(queueId);
    if (!cq) queues.set(queueId, (cq = new MemoryConsumeQueue(topic, queueId)));
    return cq;
  }
}


