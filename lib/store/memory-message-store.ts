import { Logger } from '@nestjs/common';
import {
  createOffsetMessageId,
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
import { ConsumeQueueMessageStore } from './consume-queue-message-store.js';
import { checkPutMessage, isDispatchedToConsumeQueue, prepareBatch, putMessageFailure, recordInput, recordSize } from './put-message-rules.js';


/**
 * A MessageStore that keeps the CommitLog and the ConsumeQueues in memory: the bundled broker's default,
 * and the reference behaviour the file store must match. Dispatch to the ConsumeQueue happens inside
 * putMessage, so a message is visible to pulls as soon as the put returns.
 */
export class MemoryMessageStore extends ConsumeQueueMessageStore<MemoryConsumeQueue> implements MessageStore {
  private readonly logger = new Logger(MemoryMessageStore.name);
  protected readonly config: MessageStoreConfig;
  protected readonly commitLog = new MemoryCommitLog();
  protected readonly indexService = new MemoryIndexService();
  private arrivingListener: MessageArrivingListener | undefined;
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
    const queueOffset = isDispatchedToConsumeQueue(msg.sysFlag) ? this.findOrCreateConsumeQueue(msg.topic, msg.queueId).maxOffset : 0;
    const input = recordInput(msg, queueOffset, wroteOffset, storeTimestamp);
    const size = recordSize(input, this.config.maxMessageSize);
    if (typeof size === 'string') return putMessageFailure(PutMessageStatus.MESSAGE_ILLEGAL, size);
    this.commitLog.append(input, size);
    const logicsOffset = this.dispatch(msg, size, queueOffset, wroteOffset, storeTimestamp);
    return {
      status: PutMessageStatus.PUT_OK,
      wroteOffset,
      wroteBytes: size,
      msgId: createOffsetMessageId(msg.storeHost, wroteOffset),
      logicsOffset,
      storeTimestamp,
      msgNum: 1,
    };
  }

  putMessages(batch: MessageExtBrokerInner[]): PutMessageResult {
    const storeTimestamp = Date.now();
    const wroteOffset = this.commitLog.maxOffset;
    const prepared = prepareBatch(
      batch,
      this.running,
      storeTimestamp,
      this.config.maxMessageSize,
      (msg) => this.findOrCreateConsumeQueue(msg.topic, msg.queueId),
      (input) => recordSize(input, this.config.maxMessageSize),
      wroteOffset,
    );
    if (!('inputs' in prepared)) return prepared;
    const { inputs, sizes } = prepared;
    let wroteBytes = 0;
    const msgIds: string[] = new Array(batch.length);
    let logicsOffset = -1;
    for (let i = 0; i < batch.length; i++) {
      const input = inputs[i];
      this.commitLog.append(input, sizes[i]);
      wroteBytes += sizes[i];
      const logic = this.dispatch(batch[i], sizes[i], input.queueOffset, input.commitLogOffset, storeTimestamp);
      if (logicsOffset < 0) logicsOffset = logic;
      msgIds[i] = createOffsetMessageId(batch[i].storeHost, input.commitLogOffset);
    }
    return {
      status: PutMessageStatus.PUT_OK,
      wroteOffset,
      wroteBytes,
      msgId: msgIds.join(','),
      logicsOffset,
      storeTimestamp,
      msgNum: batch.length,
    };
  }

  selectOneMessageByOffset(commitLogOffset: number): Buffer | undefined {
    return this.commitLog.select(commitLogOffset);
  }

  /** Indexes a written record and, for a visible message, adds it to its ConsumeQueue and tells the arrival listener. */
  private dispatch(msg: MessageExtBrokerInner, size: number, queueOffset: number, phyOffset: number, storeTimestamp: number): number {
    // RocketMQ indexes prepared half messages too (only rollbacks are skipped), so they can be looked up.
    if (getTransactionValue(msg.sysFlag) !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) {
      this.indexService.buildIndex(msg.topic, msg.propertiesString, phyOffset, storeTimestamp);
    }
    if (!isDispatchedToConsumeQueue(msg.sysFlag)) return queueOffset;
    const cq = this.findOrCreateConsumeQueue(msg.topic, msg.queueId);
    const logicOffset = cq.append(phyOffset, size, msg.tagsCode);
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
