import { MessageConst } from '../../message/index.js';
import { RemotingCommand, ResponseCode } from '../../remoting/index.js';
import type { BrokerController } from '../broker-controller.js';
import { getDLQTopic, TopicValidator } from '../topic-validator.js';
import { DLQ_NUMS_PER_GROUP, DLQ_TOPIC_PERM } from './consumer-send-msg-back-processor.js';
import { PutMessageInterceptor, SendMessageContext } from './put-message-interceptor.js';

/** MQVersion ordinal V3_4_9, from which producers send maxReconsumeTimes in the header. */
const VERSION_WITH_MAX_RECONSUME_TIMES = 121;

/**
 * SendMessageProcessor.handleRetryAndDLQ: a message a client sends straight to `%RETRY%<group>` (the Java
 * consumer's fallback when CONSUMER_SEND_MSG_BACK fails) whose reconsumeTimes is past the group's maximum
 * goes to `%DLQ%<group>` instead, undelayed.
 */
export class RetryDlqPutMessageInterceptor implements PutMessageInterceptor {
  constructor(private readonly brokerController: BrokerController) {}

  beforePutMessage(context: SendMessageContext): RemotingCommand | undefined {
    const { header, msgInner, properties, request } = context;
    if (!header.topic.startsWith(TopicValidator.RETRY_GROUP_TOPIC_PREFIX)) return undefined;
    const group = header.topic.substring(TopicValidator.RETRY_GROUP_TOPIC_PREFIX.length);
    const controller = this.brokerController;
    const groupConfig = controller.subscriptionGroupManager.findSubscriptionGroupConfig(group);
    if (!groupConfig) return RemotingCommand.createResponse(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group not exist, ${group}`);
    let maxReconsumeTimes = groupConfig.retryMaxTimes;
    const fromProperty = Number(properties[MessageConst.PROPERTY_MAX_RECONSUME_TIMES]);
    if (request.version >= VERSION_WITH_MAX_RECONSUME_TIMES && header.maxReconsumeTimes !== undefined && Number.isFinite(header.maxReconsumeTimes)) {
      maxReconsumeTimes = header.maxReconsumeTimes;
    } else if (Number.isInteger(fromProperty)) {
      maxReconsumeTimes = fromProperty;
    }
    if (header.reconsumeTimes <= maxReconsumeTimes) return undefined;
    const dlqTopic = getDLQTopic(group);
    controller.topicConfigManager.createTopicInSendMessageBackMethod(dlqTopic, DLQ_NUMS_PER_GROUP, DLQ_TOPIC_PERM, 0);
    msgInner.topic = dlqTopic;
    msgInner.queueId = 0;
    delete properties[MessageConst.PROPERTY_DELAY_TIME_LEVEL];
    return undefined;
  }
}
