import { EMPTY_BODY, Message } from './message.js';
import { MessageConst } from './message-const.js';

/**
 * A stored message as a consumer receives it (MessageExt): the producer's message plus what the broker
 * recorded when it stored it.
 */
export class MessageExt extends Message {
  brokerName = '';
  queueId = 0;
  storeSize = 0;
  queueOffset = 0;
  sysFlag = 0;
  bornTimestamp = 0;
  bornHost = '';
  storeTimestamp = 0;
  storeHost = '';
  /** The broker's offset message id: store host, port and CommitLog offset, 32 hex digits. */
  offsetMsgId = '';
  commitLogOffset = 0;
  bodyCRC = 0;
  reconsumeTimes = 0;
  preparedTransactionOffset = 0;

  constructor(topic = '', body: Buffer = EMPTY_BODY) {
    super(topic, body);
  }

  /**
   * The message id users see: the producer's unique id (UNIQ_KEY), which stays the same across retries;
   * the offset message id for messages sent without one.
   */
  get msgId(): string {
    return this.properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX] ?? this.offsetMsgId;
  }
}
