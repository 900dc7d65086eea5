import { Logger } from '@nestjs/common';
import {
  decodeMessageRecord,
  MessageConst,
  MessageExt,
  messageProperties2String,
  MessageSysFlag,
  resetTransactionValue,
  tagsString2tagsCode,
  UniqueMessageIdGenerator,
} from '../../message/index.js';
import { PermName } from '../../remoting/index.js';
import { MessageExtBrokerInner, PutMessageResult, PutMessageStatus } from '../../store/index.js';
import type { BrokerController } from '../broker-controller.js';
import { TopicConfig } from '../topic-config.js';
import { TransactionalMessageUtil } from './transactional-message-util.js';

const { HALF_TOPIC, OP_TOPIC, HALF_QUEUE_ID, CID_SYS_RMQ_TRANS } = TransactionalMessageUtil;

/** One read of the op queue: the op messages found and where the next read starts. */
export interface OpMessageBatch {
  messages: MessageExt[];
  nextBeginOffset: number;
}

/**
 * The transaction services' access to the store (TransactionalMessageBridge): rewriting a prepared message
 * into a half message, reading the half and op queues, writing op records and keeping the check progress
 * (consume offsets of CID_RMQ_SYS_TRANS, so a persistent offset manager carries it over restarts).
 */
export class TransactionalMessageBridge {
  private readonly logger = new Logger(TransactionalMessageBridge.name);
  private readonly uniqIdGenerator = new UniqueMessageIdGenerator();

  constructor(private readonly brokerController: BrokerController) {}

  /**
   * Turns a prepared message into a half message in place: the real topic and queue move into properties,
   * the message goes to queue 0 of RMQ_SYS_TRANS_HALF_TOPIC and loses its transaction type so it is
   * indexed there (and only there). `properties` is the message's property map, serialized by the caller.
   */
  parseHalfMessageInner(msgInner: MessageExtBrokerInner, properties: Record<string, string>): void {
    const uniqId = properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX];
    if (uniqId) properties[MessageConst.PROPERTY_TRANSACTION_ID] = uniqId;
    properties[MessageConst.PROPERTY_REAL_TOPIC] = msgInner.topic;
    properties[MessageConst.PROPERTY_REAL_QUEUE_ID] = String(msgInner.queueId);
    msgInner.sysFlag = resetTransactionValue(msgInner.sysFlag, MessageSysFlag.TRANSACTION_NOT_TYPE);
    msgInner.topic = this.selectTopicConfig(HALF_TOPIC).topicName;
    msgInner.queueId = HALF_QUEUE_ID;
  }

  /** The half message at `queueOffset` of the half queue, or undefined past the end or when purged. */
  getHalfMessage(queueOffset: number): MessageExt | undefined {
    const result = this.brokerController.messageStore.getMessage(CID_SYS_RMQ_TRANS, HALF_TOPIC, HALF_QUEUE_ID, queueOffset, 1, Number.MAX_SAFE_INTEGER);
    const record = result.messages[0];
    return record ? decodeStoredMessage(record) : undefined;
  }

  /** Up to `nums` op messages from `queueOffset` of the op queue. */
  getOpMessages(queueOffset: number, nums: number): OpMessageBatch {
    const result = this.brokerController.messageStore.getMessage(CID_SYS_RMQ_TRANS, OP_TOPIC, HALF_QUEUE_ID, queueOffset, nums, Number.MAX_SAFE_INTEGER);
    const messages: MessageExt[] = [];
    for (const record of result.messages) {
      try {
        messages.push(decodeStoredMessage(record));
      } catch (err) {
        this.logger.warn(`skipping an undecodable op message: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return { messages, nextBeginOffset: result.nextBeginOffset };
  }

  hasTopic(topic: string): boolean {
    return this.brokerController.topicConfigManager.selectTopicConfig(topic) !== undefined;
  }

  minHalfOffset(): number {
    return this.brokerController.messageStore.getMinOffsetInQueue(HALF_TOPIC, HALF_QUEUE_ID);
  }

  maxOpOffset(): number {
    return this.brokerController.messageStore.getMaxOffsetInQueue(OP_TOPIC, HALF_QUEUE_ID);
  }

  lookMessageByOffset(commitLogOffset: number): MessageExt | undefined {
    const record = this.brokerController.messageStore.selectOneMessageByOffset(commitLogOffset);
    try {
      return record ? decodeStoredMessage(record) : undefined;
    } catch {
      // An offset inside a record (a forged or stale END_TRANSACTION) does not decode.
      return undefined;
    }
  }

  /** Records that `halfQueueOffset` is decided: an op message tagged `d` whose body is that offset. */
  writeOp(halfQueueOffset: number): PutMessageResult | Promise<PutMessageResult> {
    const properties: Record<string, string> = {
      [MessageConst.PROPERTY_TAGS]: TransactionalMessageUtil.REMOVE_TAG,
      [MessageConst.PROPERTY_WAIT_STORE_MSG_OK]: 'false',
      [MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX]: this.uniqIdGenerator.next(),
    };
    const storeHost = this.brokerController.brokerAddress;
    return this.putMessage({
      topic: this.selectTopicConfig(OP_TOPIC).topicName,
      queueId: HALF_QUEUE_ID,
      flag: 0,
      body: Buffer.from(String(halfQueueOffset), 'utf8'),
      propertiesString: messageProperties2String(properties),
      tagsCode: tagsString2tagsCode(TransactionalMessageUtil.REMOVE_TAG),
      sysFlag: 0,
      bornTimestamp: Date.now(),
      bornHost: storeHost,
      storeHost,
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
    });
  }

  /** A copy of a half message to append to the half queue again, with `properties` as its properties. */
  renewHalfMessageInner(msgExt: MessageExt, properties: Record<string, string>): MessageExtBrokerInner {
    return {
      topic: msgExt.topic,
      queueId: msgExt.queueId,
      flag: msgExt.flag,
      body: msgExt.body,
      propertiesString: messageProperties2String(properties),
      tagsCode: tagsString2tagsCode(properties[MessageConst.PROPERTY_TAGS]),
      sysFlag: msgExt.sysFlag,
      bornTimestamp: msgExt.bornTimestamp,
      bornHost: msgExt.bornHost,
      storeHost: msgExt.storeHost,
      reconsumeTimes: msgExt.reconsumeTimes,
      preparedTransactionOffset: 0,
    };
  }

  /** Stores a message, logging a failure; a Promise only when the store waits for the disk (SYNC_FLUSH). */
  putMessage(msgInner: MessageExtBrokerInner): PutMessageResult | Promise<PutMessageResult> {
    const result = this.brokerController.messageStore.putMessage(msgInner);
    return result instanceof Promise ? result.then((r) => this.logFailure(msgInner, r)) : this.logFailure(msgInner, result);
  }

  private logFailure(msgInner: MessageExtBrokerInner, result: PutMessageResult): PutMessageResult {
    if (!isPutOk(result)) {
      this.logger.error(`put message to ${msgInner.topic}:${msgInner.queueId} failed: ${result.status} ${result.remark ?? ''}`.trim());
    }
    return result;
  }

  /** The check progress on `topic` (half or op), starting at the queue's first message. */
  fetchConsumeOffset(topic: string): number {
    const offset = this.brokerController.consumerOffsetManager.queryOffset(CID_SYS_RMQ_TRANS, topic, HALF_QUEUE_ID);
    if (offset >= 0) return offset;
    return this.brokerController.messageStore.getMinOffsetInQueue(topic, HALF_QUEUE_ID);
  }

  updateConsumeOffset(topic: string, offset: number): void {
    this.brokerController.consumerOffsetManager.commitOffset(this.brokerController.brokerAddress, CID_SYS_RMQ_TRANS, topic, HALF_QUEUE_ID, offset);
  }

  /** The topic, created with one read-write queue the first time the broker writes to it. */
  selectTopicConfig(topic: string): TopicConfig {
    const manager = this.brokerController.topicConfigManager;
    return manager.selectTopicConfig(topic) ?? manager.createTopicInSendMessageBackMethod(topic, 1, PermName.PERM_READ | PermName.PERM_WRITE);
  }
}

export function isPutOk(result: PutMessageResult): boolean {
  return (
    result.status === PutMessageStatus.PUT_OK ||
    result.status === PutMessageStatus.FLUSH_DISK_TIMEOUT ||
    result.status === PutMessageStatus.FLUSH_SLAVE_TIMEOUT ||
    result.status === PutMessageStatus.SLAVE_NOT_AVAILABLE
  );
}

/**
 * Decodes a record keeping the body exactly as stored: a compressed body must be re-stored compressed,
 * since the COMPRESSED flag travels with it.
 */
export function decodeStoredMessage(record: Buffer): MessageExt {
  const msgExt = decodeMessageRecord(record, 0, { readBody: false });
  const bornHostLength = msgExt.sysFlag & MessageSysFlag.BORNHOST_V6_FLAG ? 20 : 8;
  const storeHostLength = msgExt.sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG ? 20 : 8;
  // TOTALSIZE..BORNTIMESTAMP (48), born host, STORETIMESTAMP (8), store host, RECONSUMETIMES and PREPARED OFFSET (12).
  const bodyLengthAt = 48 + bornHostLength + 8 + storeHostLength + 12;
  const bodyLength = record.readInt32BE(bodyLengthAt);
  msgExt.body = Buffer.from(record.subarray(bodyLengthAt + 4, bodyLengthAt + 4 + bodyLength));
  return msgExt;
}
