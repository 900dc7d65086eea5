import { Logger } from '@nestjs/common';
import {
  PermName,
  PullSysFlag,
  RemotingChannel,
  RemotingCommand,
  RemotingRequestProcessor,
  ResponseCode,
} from '../../remoting/index.js';
import { GetMessageResult, GetMessageStatus, MessageFilter } from '../../store/index.js';
import type { BrokerController } from '../broker-controller.js';
import { Sql92Expression, Sql92SyntaxError } from '../../filter/index.js';
import {
  buildSubscriptionData,
  ConsumerFilterManager,
  ExpressionMessageFilter,
  ExpressionType,
  isTagType,
  SubscriptionData,
} from '../filter/index.js';
import { PullRequest } from '../longpolling/index.js';
import { createTopicConfig, isReadable, TopicConfig } from '../topic-config.js';
import { isSystemTopic, validateTopic } from '../topic-validator.js';

const MAX_INT = 0x7fffffff;

/**
 * PULL_MESSAGE (PullMessageProcessor): reads up to maxMsgNums records of one queue through the tag filter
 * and answers with them concatenated. A pull that finds nothing and carries SUSPEND is held by the
 * PullRequestHoldService, and answered when a message arrives or its polling time passes.
 */
export class PullMessageProcessor implements RemotingRequestProcessor {
  private readonly logger = new Logger(PullMessageProcessor.name);
  /** Heartbeat subscriptions are long-lived, so their filters are built once and reused. */
  private readonly filterCache = new WeakMap<SubscriptionData, ExpressionMessageFilter>();
  /** Compiled SQL92 subscriptions per (group, topic, subVersion). */
  private readonly consumerFilterManager = new ConsumerFilterManager();

  constructor(private readonly brokerController: BrokerController) {
    brokerController.pullRequestHoldService.setWakeupHandler((held) =>
      this.processPull(held.clientChannel, held.requestCommand, false),
    );
  }

  processRequest(channel: RemotingChannel, request: RemotingCommand): RemotingCommand | Promise<RemotingCommand | null> {
    return this.processPull(channel, request, true);
  }

  /** Runs one pull; `brokerAllowSuspend` is false when a held pull is re-run. */
  processPull(
    channel: RemotingChannel,
    request: RemotingCommand,
    brokerAllowSuspend: boolean,
  ): RemotingCommand | Promise<RemotingCommand | null> {
    const controller = this.brokerController;
    const ext = request.extFields;
    const group = ext.consumerGroup ?? '';
    const topic = ext.topic ?? '';
    const queueId = request.intField('queueId', 0);
    const queueOffset = request.intField('queueOffset', 0);
    const maxMsgNums = request.intField('maxMsgNums', 32);
    const sysFlag = request.intField('sysFlag', 0);
    const maxMsgBytes = request.intField('maxMsgBytes', MAX_INT);
    const hasCommitOffsetFlag = (sysFlag & PullSysFlag.COMMIT_OFFSET) !== 0;
    const hasSuspendFlag = (sysFlag & PullSysFlag.SUSPEND) !== 0;
    const hasSubscriptionFlag = (sysFlag & PullSysFlag.SUBSCRIPTION) !== 0;

    const groupConfig = controller.subscriptionGroupManager.findSubscriptionGroupConfig(group);
    if (!groupConfig) {
      return error(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group [${group}] does not exist`);
    }
    if (!groupConfig.consumeEnable) return error(ResponseCode.NO_PERMISSION, `subscription group no permission, ${group}`);

    const topicConfig = this.selectTopicForPull(topic);
    if (!topicConfig) return error(ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist, apply first please!`);
    if (!isReadable(topicConfig.perm)) {
      return error(ResponseCode.NO_PERMISSION, `the topic[${topic}] pulling message is forbidden`);
    }
    if (queueId < 0 || queueId >= topicConfig.readQueueNums) {
      return error(
        ResponseCode.INVALID_PARAMETER,
        `queueId[${queueId}] is illegal, topic:[${topic}] topicConfig.readQueueNums:[${topicConfig.readQueueNums}] consumer:[${channel.remoteAddress}]`,
      );
    }

    let subscriptionData: SubscriptionData | undefined;
    if (hasSubscriptionFlag) {
      subscriptionData = buildSubscriptionData(topic, ext.subscription, ext.expressionType);
    } else {
      const groupInfo = controller.consumerManager.getConsumerGroupInfo(group);
      if (!groupInfo) return error(ResponseCode.SUBSCRIPTION_NOT_EXIST, `the consumer's group info not exist, group: ${group}`);
      if (!groupConfig.consumeBroadcastEnable && groupInfo.messageModel === 'BROADCASTING') {
        return error(ResponseCode.NO_PERMISSION, `the consumer group[${group}] can not consume by broadcast way`);
      }
      subscriptionData = groupInfo.findSubscriptionData(topic);
      if (!subscriptionData) {
        return error(ResponseCode.SUBSCRIPTION_NOT_EXIST, `the consumer's subscription not exist, group: ${group}, topic: ${topic}`);
      }
      if (subscriptionData.subVersion < request.intField('subVersion', 0)) {
        return error(ResponseCode.SUBSCRIPTION_NOT_LATEST, "the consumer's subscription not latest");
      }
    }
    let sql92: Sql92Expression | undefined;
    if (!isTagType(subscriptionData.expressionType)) {
      const compiled = this.compileSql92(group, subscriptionData, hasSubscriptionFlag ? request.intField('subVersion', 0) : subscriptionData.subVersion);
      if (compiled instanceof RemotingCommand) return compiled;
      sql92 = compiled;
    }
    const filter = this.filterFor(subscriptionData, hasSubscriptionFlag, sql92);

    const result = controller.messageStore.getMessage(group, topic, queueId, queueOffset, maxMsgNums, maxMsgBytes, filter);
    const response = this.composeResponse(result, queueOffset);

    if (brokerAllowSuspend && hasCommitOffsetFlag && controller.brokerConfig.brokerId === 0) {
      controller.consumerOffsetManager.commitOffset(channel.remoteAddress, group, topic, queueId, request.intField('commitOffset', -1));
    }

    if (response.code === ResponseCode.SUCCESS) {
      const messages = result.messages;
      // Always a fresh buffer, never a view of the store: the client may keep slices of it as message bodies.
      response.body = Buffer.concat(messages, result.bufferTotalSize);
      return response;
    }
    if (response.code === ResponseCode.PULL_NOT_FOUND && brokerAllowSuspend && hasSuspendFlag) {
      const pollingTimeMills = controller.brokerConfig.longPollingEnable
        ? request.intField('suspendTimeoutMillis', 15000)
        : controller.brokerConfig.shortPollingTimeMills;
      return new Promise<RemotingCommand | null>((respond) => {
        const held: PullRequest = {
          requestCommand: request,
          clientChannel: channel,
          timeoutMillis: pollingTimeMills,
          suspendTimestamp: Date.now(),
          pullFromThisOffset: queueOffset,
          messageFilter: filter,
          respond,
        };
        controller.pullRequestHoldService.suspendPullRequest(topic, queueId, held);
      });
    }
    if (response.code === ResponseCode.PULL_OFFSET_MOVED) {
      this.logger.warn(
        `PULL_OFFSET_MOVED: correction offset. topic=${topic}, queueId=${queueId}, group=${group}, requestOffset=${queueOffset}, newOffset=${result.nextBeginOffset}`,
      );
    }
    return response;
  }

  /**
   * The topic to pull from. A topic not created yet but routable (the NameServer hands out routes for
   * unknown topics when auto-creation is on) reads as empty, so consumers can wait on it with long polling
   * until the first send creates it.
   */
  private selectTopicForPull(topic: string): TopicConfig | undefined {
    const config = this.brokerController.topicConfigManager.selectTopicConfig(topic);
    if (config) return config;
    const brokerConfig = this.brokerController.brokerConfig;
    if (!brokerConfig.autoCreateTopicEnable || validateTopic(topic) || isSystemTopic(topic)) return undefined;
    return createTopicConfig(topic, brokerConfig.defaultTopicQueueNums, PermName.PERM_READ | PermName.PERM_WRITE);
  }

  private filterFor(subscriptionData: SubscriptionData, perRequest: boolean, sql92: Sql92Expression | undefined): MessageFilter {
    if (perRequest) return new ExpressionMessageFilter(subscriptionData, sql92);
    let filter = this.filterCache.get(subscriptionData);
    if (!filter) this.filterCache.set(subscriptionData, (filter = new ExpressionMessageFilter(subscriptionData, sql92)));
    return filter;
  }

  /** The subscription's compiled SQL92 expression, or the error response RocketMQ gives. */
  private compileSql92(group: string, subscriptionData: SubscriptionData, subVersion: number): Sql92Expression | RemotingCommand {
    const type = subscriptionData.expressionType;
    if (type !== ExpressionType.SQL92) {
      return error(ResponseCode.SYSTEM_ERROR, `The broker does not support consumer to filter message by ${type}`);
    }
    if (!this.brokerController.brokerConfig.enablePropertyFilter) {
      return error(
        ResponseCode.SYSTEM_ERROR,
        `The broker does not support consumer to filter message by ${type}: set the broker option enablePropertyFilter=true`,
      );
    }
    try {
      return this.consumerFilterManager.get(group, subscriptionData.topic, subscriptionData.subString, subVersion);
    } catch (err) {
      if (!(err instanceof Sql92SyntaxError)) throw err;
      return error(
        ResponseCode.SUBSCRIPTION_PARSE_FAILED,
        `parse the consumer's subscription[${subscriptionData.subString}] failed, group: ${group}, position ${err.position}: ${err.message}`,
      );
    }
  }

  private composeResponse(result: GetMessageResult, requestOffset: number): RemotingCommand {
    let code: number;
    switch (result.status) {
      case GetMessageStatus.FOUND:
        code = ResponseCode.SUCCESS;
        break;
      case GetMessageStatus.MESSAGE_WAS_REMOVING:
      case GetMessageStatus.NO_MATCHED_MESSAGE:
        code = ResponseCode.PULL_RETRY_IMMEDIATELY;
        break;
      case GetMessageStatus.NO_MATCHED_LOGIC_QUEUE:
      case GetMessageStatus.NO_MESSAGE_IN_QUEUE:
        code = requestOffset !== 0 ? ResponseCode.PULL_OFFSET_MOVED : ResponseCode.PULL_NOT_FOUND;
        break;
      case GetMessageStatus.OFFSET_FOUND_NULL:
      case GetMessageStatus.OFFSET_OVERFLOW_ONE:
        code = ResponseCode.PULL_NOT_FOUND;
        break;
      default:
        // OFFSET_OVERFLOW_BADLY, OFFSET_TOO_SMALL, OFFSET_RESET
        code = ResponseCode.PULL_OFFSET_MOVED;
    }
    return RemotingCommand.createResponse(code, result.status, {
      suggestWhichBrokerId: 0,
      nextBeginOffset: result.nextBeginOffset,
      minOffset: result.minOffset,
      maxOffset: result.maxOffset,
    });
  }
}

function error(code: number, remark: string): RemotingCommand {
  return RemotingCommand.createResponse(code, remark);
}
