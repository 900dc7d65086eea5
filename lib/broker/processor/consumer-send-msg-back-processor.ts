import { Logger } from '@nestjs/common';
import { MessageConst, messageProperties2String } from '../../message/index.js';
import {
  PermName,
  RemotingChannel,
  RemotingCommand,
  RemotingRequestProcessor,
  ResponseCode,
} from '../../remoting/index.js';
import { decodeStoredMessage, PutMessageResult, PutMessageStatus } from '../../store/index.js';
import type { BrokerController } from '../broker-controller.js';
import { toInnerMessage } from '../schedule/index.js';
import { isWriteable } from '../topic-config.js';
import { getDLQTopic, getRetryTopic } from '../topic-validator.js';

/** MQVersion ordinal V3_4_9, from which clients send maxReconsumeTimes. */
const VERSION_WITH_MAX_RECONSUME_TIMES = 121;
/** One dead-letter queue per group (MixAll.DLQ_NUMS_PER_GROUP). */
export const DLQ_NUMS_PER_GROUP = 1;
/**
 * Apache RocketMQ 4.x creates %DLQ% topics write-only (PERM_WRITE); 5.x makes them readable too. The
 * bundled broker must let listeners subscribe to a DLQ, so it uses read + write.
 */
export const DLQ_TOPIC_PERM = PermName.PERM_READ | PermName.PERM_WRITE;

/**
 * CONSUMER_SEND_MSG_BACK (AbstractSendMessageProcessor.consumerSendMsgBack): a message a consumer failed
 * to process is stored again in `%RETRY%<group>`, delayed by level 3 + reconsumeTimes (or the level the
 * client asked for), with reconsumeTimes + 1 and the same UNIQ_KEY, so the retry carries the same msgId.
 * Past maxReconsumeTimes, or when the client asks for delayLevel < 0, it goes to `%DLQ%<group>` instead.
 */
export class ConsumerSendMsgBackProcessor implements RemotingRequestProcessor {
  private readonly logger = new Logger(ConsumerSendMsgBackProcessor.name);

  constructor(private readonly brokerController: BrokerController) {}

  processRequest(_channel: RemotingChannel, request: RemotingCommand): RemotingCommand | Promise<RemotingCommand> {
    const controller = this.brokerController;
    const group = request.field('group') ?? '';
    const offset = request.intField('offset', -1);
    let delayLevel = request.intField('delayLevel', 0);
    const groupConfig = controller.subscriptionGroupManager.findSubscriptionGroupConfig(group);
    if (!groupConfig) return fail(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group not exist, ${group}`);
    if (groupConfig.retryQueueNums <= 0) return RemotingCommand.createResponse(ResponseCode.SUCCESS);

    const topicManager = controller.topicConfigManager;
    let newTopic = getRetryTopic(group);
    let queueId = Math.floor(Math.random() * groupConfig.retryQueueNums);
    const topicSysFlag = request.boolField('unitMode') ? 0x2 : 0;
    let topicConfig = topicManager.createTopicInSendMessageBackMethod(
      newTopic,
      groupConfig.retryQueueNums,
      PermName.PERM_READ | PermName.PERM_WRITE,
      topicSysFlag,
    );
    if (!isWriteable(topicConfig.perm)) return fail(ResponseCode.NO_PERMISSION, `the topic[${newTopic}] sending message is forbidden`);

    const record = controller.messageStore.selectOneMessageByOffset(offset);
    if (!record) return fail(ResponseCode.SYSTEM_ERROR, `look message by offset failed, ${offset}: no message is stored at that commit log offset`);
    const msgExt = decodeStoredMessage(record);
    const properties = { ...msgExt.properties };
    if (properties[MessageConst.PROPERTY_RETRY_TOPIC] === undefined) properties[MessageConst.PROPERTY_RETRY_TOPIC] = msgExt.topic;

    let maxReconsumeTimes = groupConfig.retryMaxTimes;
    const fromHeader = request.intField('maxReconsumeTimes', -1);
    if (request.version >= VERSION_WITH_MAX_RECONSUME_TIMES && fromHeader >= 0) maxReconsumeTimes = fromHeader;

    if (msgExt.reconsumeTimes >= maxReconsumeTimes || delayLevel < 0) {
      newTopic = getDLQTopic(group);
      queueId = 0;
      topicConfig = topicManager.createTopicInSendMessageBackMethod(newTopic, DLQ_NUMS_PER_GROUP, DLQ_TOPIC_PERM, 0);
      properties[MessageConst.PROPERTY_DELAY_TIME_LEVEL] = '0';
      this.logger.log(`message ${properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX] ?? offset} of group ${group} sent to ${newTopic} after ${msgExt.reconsumeTimes} retries`);
    } else {
      if (delayLevel === 0) delayLevel = 3 + msgExt.reconsumeTimes;
      properties[MessageConst.PROPERTY_DELAY_TIME_LEVEL] = String(delayLevel);
    }
    if (!properties[MessageConst.PROPERTY_ORIGIN_MESSAGE_ID]) {
      properties[MessageConst.PROPERTY_ORIGIN_MESSAGE_ID] =
        request.field('originMsgId') || properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX] || msgExt.offsetMsgId;
    }

    const inner = toInnerMessage(msgExt, properties, newTopic, queueId, controller.brokerAddress);
    inner.reconsumeTimes = msgExt.reconsumeTimes + 1;
    const rejected = controller.schedulePutMessageInterceptor.handleScheduleMessage(inner, properties);
    if (rejected) return rejected;
    inner.propertiesString = messageProperties2String(properties);
    const result = controller.messageStore.putMessage(inner);
    return result instanceof Promise ? result.then(sendBackResponse) : sendBackResponse(result);
  }
}

function sendBackResponse(result: PutMessageResult): RemotingCommand {
  if (result.status === PutMessageStatus.PUT_OK) return RemotingCommand.createResponse(ResponseCode.SUCCESS);
  return fail(ResponseCode.SYSTEM_ERROR, `storing the message sent back failed: ${result.status} ${result.remark ?? ''}`.trim());
}

function fail(code: number, remark: string): RemotingCommand {
  return RemotingCommand.createResponse(code, remark);
}
