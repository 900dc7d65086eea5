import { Logger } from '@nestjs/common';
import {
  encodeMessageRecord,
  MessageConst,
  MessageExt,
  messageProperties2String,
} from '../../message/index.js';
import { RemotingChannel, RemotingCommand, RequestCode } from '../../remoting/index.js';
import type { BrokerController } from '../broker-controller.js';
import { isPutOk, TransactionalMessageBridge } from './transactional-message-bridge.js';
import { parseIntProperty, TransactionalMessageUtil } from './transactional-message-util.js';

/**
 * What the check does with an undecided half message (DefaultTransactionalMessageCheckListener): ask a live
 * producer of its group for the outcome, or, once it was asked too often, move it aside to
 * TRANS_CHECK_MAX_TIME_TOPIC where it stays for inspection but is never delivered.
 */
export class TransactionalMessageCheckListener {
  private readonly logger = new Logger(TransactionalMessageCheckListener.name);

  constructor(
    private readonly brokerController: BrokerController,
    private readonly bridge: TransactionalMessageBridge,
  ) {}

  /** A live channel of the message's producer group (rotating over the group), or undefined. */
  selectProducerChannel(msgExt: MessageExt): RemotingChannel | undefined {
    const group = msgExt.properties[MessageConst.PROPERTY_PRODUCER_GROUP];
    return group ? this.brokerController.producerManager.getAvailableChannel(group) : undefined;
  }

  /**
   * Sends CHECK_TRANSACTION_STATE (oneway). `msgExt` is the half message as re-appended for this check:
   * its queue and CommitLog offsets are the ones the producer must quote in END_TRANSACTION. The body is
   * the message in the stored layout with its real topic and queue restored.
   */
  resolveHalfMsg(msgExt: MessageExt, channel: RemotingChannel): void {
    const properties = msgExt.properties;
    const uniqKey = properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX];
    const realTopic = properties[MessageConst.PROPERTY_REAL_TOPIC] ?? msgExt.topic;
    const realQueueId = parseIntProperty(properties[MessageConst.PROPERTY_REAL_QUEUE_ID], msgExt.queueId);
    const header = {
      topic: realTopic,
      tranStateTableOffset: msgExt.queueOffset,
      commitLogOffset: msgExt.commitLogOffset,
      msgId: uniqKey,
      transactionId: uniqKey,
      offsetMsgId: msgExt.offsetMsgId,
      bname: this.brokerController.brokerConfig.brokerName,
    };
    const body = encodeMessageRecord({
      topic: realTopic,
      queueId: realQueueId,
      flag: msgExt.flag,
      queueOffset: msgExt.queueOffset,
      commitLogOffset: msgExt.commitLogOffset,
      sysFlag: msgExt.sysFlag,
      bornTimestamp: msgExt.bornTimestamp,
      bornHost: msgExt.bornHost,
      storeTimestamp: msgExt.storeTimestamp,
      storeHost: msgExt.storeHost,
      reconsumeTimes: msgExt.reconsumeTimes,
      preparedTransactionOffset: msgExt.preparedTransactionOffset,
      body: msgExt.body,
      propertiesString: messageProperties2String(properties),
    });
    try {
      channel.invokeOneway(RemotingCommand.createRequest(RequestCode.CHECK_TRANSACTION_STATE, header, body));
    } catch (err) {
      this.logger.warn(
        `check transaction state of ${uniqKey} with ${channel.remoteAddress} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  /** Moves a message checked `transactionCheckMax` times to TRANS_CHECK_MAX_TIME_TOPIC; true when stored. */
  resolveDiscardMsg(msgExt: MessageExt): boolean | Promise<boolean> {
    const properties = msgExt.properties;
    const uniqKey = properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX] ?? msgExt.offsetMsgId;
    this.logger.error(
      `half message ${uniqKey} (offset id ${msgExt.offsetMsgId}, topic ${properties[MessageConst.PROPERTY_REAL_TOPIC]}, ` +
        `producer group ${properties[MessageConst.PROPERTY_PRODUCER_GROUP]}) has been checked ` +
        `${properties[MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES]} times without an answer, so it is discarded ` +
        `to ${TransactionalMessageUtil.CHECK_MAX_TIME_TOPIC}`,
    );
    const result = this.bridge.putMessage({
      ...this.bridge.renewHalfMessageInner(msgExt, properties),
      topic: this.bridge.selectTopicConfig(TransactionalMessageUtil.CHECK_MAX_TIME_TOPIC).topicName,
      queueId: 0,
    });
    return result instanceof Promise ? result.then(isPutOk) : isPutOk(result);
  }
}
