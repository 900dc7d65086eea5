import { MessageConst, MessageSysFlag, getTransactionValue } from '../../message/index.js';
import { RemotingCommand, ResponseCode } from '../../remoting/index.js';
import type { BrokerController } from '../broker-controller.js';
import { PutMessageInterceptor, SendMessageContext } from '../processor/put-message-interceptor.js';
import { TransactionalMessageService } from './transactional-message-service.js';
import { parseBooleanProperty, parseIntProperty } from './transactional-message-util.js';

/** Properties that would make the broker hold a message back; a half message cannot carry them. */
const DELAY_PROPERTIES = [
  MessageConst.PROPERTY_DELAY_TIME_LEVEL,
  MessageConst.PROPERTY_TIMER_DELIVER_MS,
  MessageConst.PROPERTY_TIMER_DELAY_MS,
  MessageConst.PROPERTY_TIMER_DELAY_SEC,
] as const;

/**
 * Sends the first phase of a transaction to the half topic: a message with `TRAN_MSG=true` (or a PREPARED
 * sysFlag) is rewritten into a half message before it is stored, so the send answers with the half
 * record's offset id and queue offset, which END_TRANSACTION then quotes.
 */
export class HalfMessagePutInterceptor implements PutMessageInterceptor {
  constructor(
    private readonly brokerController: BrokerController,
    private readonly transactionalMessageService: TransactionalMessageService,
  ) {}

  beforePutMessage(context: SendMessageContext): RemotingCommand | undefined {
    const { properties, msgInner } = context;
    const prepared = getTransactionValue(msgInner.sysFlag) === MessageSysFlag.TRANSACTION_PREPARED_TYPE;
    const tranMsg = parseBooleanProperty(properties[MessageConst.PROPERTY_TRANSACTION_PREPARED]);
    if (!prepared && !tranMsg) return undefined;
    // Clients before 4.0 sent a transactional message's retries back with TRAN_MSG still set; those are plain retries.
    const delayLevel = parseIntProperty(properties[MessageConst.PROPERTY_DELAY_TIME_LEVEL], 0);
    if (!prepared && msgInner.reconsumeTimes > 0 && delayLevel > 0) return undefined;
    const config = this.brokerController.brokerConfig;
    if (config.rejectTransactionMessage) {
      return RemotingCommand.createResponse(
        ResponseCode.NO_PERMISSION,
        `the broker[${config.brokerIP1}] sending transaction message is forbidden`,
      );
    }
    const delay = DELAY_PROPERTIES.find((name) => properties[name] !== undefined && properties[name] !== '' && properties[name] !== '0');
    if (delay) {
      return RemotingCommand.createResponse(
        ResponseCode.MESSAGE_ILLEGAL,
        `a transactional (half) message cannot be delayed, remove the ${delay} property (topic ${msgInner.topic})`,
      );
    }
    if (!properties[MessageConst.PROPERTY_PRODUCER_GROUP]) {
      // END_TRANSACTION and the check-back find the producer by this property; clients that omit it still work.
      properties[MessageConst.PROPERTY_PRODUCER_GROUP] = context.header.producerGroup;
    }
    properties[MessageConst.PROPERTY_TRANSACTION_PREPARED] = 'true';
    this.transactionalMessageService.prepareMessage(msgInner, properties);
    return undefined;
  }
}
