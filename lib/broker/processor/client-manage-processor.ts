import { Logger } from '@nestjs/common';
import {
  PermName,
  RemotingChannel,
  RemotingCommand,
  RemotingRequestProcessor,
  RequestCode,
  ResponseCode,
} from '../../remoting/index.js';
import type { BrokerController } from '../broker-controller.js';
import { ClientChannelInfo } from '../client/index.js';
import { compileSql92, Sql92SyntaxError } from '../../filter/index.js';
import { isTagType, normalizeSubscriptionData, SubscriptionData } from '../filter/index.js';
import { getRetryTopic } from '../topic-validator.js';

/** HeartbeatData as clients send it (protocol doc §1.9); unknown fields are ignored. */
interface HeartbeatData {
  clientID?: string;
  producerDataSet?: Array<{ groupName?: string }>;
  consumerDataSet?: Array<{
    groupName?: string;
    consumeType?: string;
    messageModel?: string;
    consumeFromWhere?: string;
    subscriptionDataSet?: Array<Partial<SubscriptionData> & { topic: string }>;
    unitMode?: boolean;
  }>;
}

/**
 * HEART_BEAT, UNREGISTER_CLIENT and CHECK_CLIENT_CONFIG (ClientManageProcessor): keeps the producer and
 * consumer group registries current; membership changes are pushed to the group as
 * NOTIFY_CONSUMER_IDS_CHANGED by the ConsumerManager.
 */
export class ClientManageProcessor implements RemotingRequestProcessor {
  private readonly logger = new Logger(ClientManageProcessor.name);

  constructor(private readonly brokerController: BrokerController) {}

  processRequest(channel: RemotingChannel, request: RemotingCommand): RemotingCommand {
    switch (request.code) {
      case RequestCode.HEART_BEAT:
        return this.heartBeat(channel, request);
      case RequestCode.UNREGISTER_CLIENT:
        return this.unregisterClient(channel, request);
      case RequestCode.CHECK_CLIENT_CONFIG:
        return this.checkClientConfig(request);
      default:
        return RemotingCommand.createResponse(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${request.code} not supported`);
    }
  }

  private heartBeat(channel: RemotingChannel, request: RemotingCommand): RemotingCommand {
    let data: HeartbeatData;
    try {
      data = JSON.parse((request.body ?? Buffer.alloc(0)).toString('utf8') || '{}') as HeartbeatData;
    } catch (err) {
      return RemotingCommand.createResponse(
        ResponseCode.SYSTEM_ERROR,
        `the heartbeat body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const controller = this.brokerController;
    controller.trackClientChannel(channel);
    const now = Date.now();
    const clientId = data.clientID ?? channel.remoteAddress;
    const info = (): ClientChannelInfo => ({
      channel,
      clientId,
      language: request.language,
      version: request.version,
      lastUpdateTimestamp: now,
    });
    for (const consumer of data.consumerDataSet ?? []) {
      const group = consumer.groupName;
      if (!group) continue;
      const groupConfig = controller.subscriptionGroupManager.findSubscriptionGroupConfig(group);
      const notify = groupConfig?.notifyConsumerIdsChangedEnable ?? true;
      if (groupConfig) {
        controller.topicConfigManager.createTopicInSendMessageBackMethod(
          getRetryTopic(group),
          groupConfig.retryQueueNums,
          PermName.PERM_READ | PermName.PERM_WRITE,
        );
      }
      const subscriptions = (consumer.subscriptionDataSet ?? [])
        .filter((s) => s && typeof s.topic === 'string')
        .map(normalizeSubscriptionData);
      controller.consumerManager.registerConsumer(
        group,
        info(),
        consumer.consumeType ?? 'CONSUME_PASSIVELY',
        consumer.messageModel ?? 'CLUSTERING',
        consumer.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET',
        subscriptions,
        notify,
      );
    }
    for (const producer of data.producerDataSet ?? []) {
      if (producer.groupName) controller.producerManager.registerProducer(producer.groupName, info());
    }
    return RemotingCommand.createResponse(ResponseCode.SUCCESS);
  }

  /** CHECK_CLIENT_CONFIG: a SQL92 consumer asks at start whether the broker accepts its expression. */
  private checkClientConfig(request: RemotingCommand): RemotingCommand {
    let sub: Partial<SubscriptionData> | undefined;
    try {
      sub = (JSON.parse((request.body ?? Buffer.alloc(0)).toString('utf8') || '{}') as { subscriptionData?: Partial<SubscriptionData> }).subscriptionData;
    } catch {
      sub = undefined;
    }
    if (!sub || isTagType(sub.expressionType)) return RemotingCommand.createResponse(ResponseCode.SUCCESS);
    if (!this.brokerController.brokerConfig.enablePropertyFilter) {
      return RemotingCommand.createResponse(
        ResponseCode.SYSTEM_ERROR,
        `The broker does not support consumer to filter message by ${sub.expressionType}: set the broker option enablePropertyFilter=true`,
      );
    }
    try {
      compileSql92(sub.subString ?? '');
    } catch (err) {
      if (!(err instanceof Sql92SyntaxError)) throw err;
      return RemotingCommand.createResponse(ResponseCode.SUBSCRIPTION_PARSE_FAILED, `position ${err.position}: ${err.message}`);
    }
    return RemotingCommand.createResponse(ResponseCode.SUCCESS);
  }

  private unregisterClient(channel: RemotingChannel, request: RemotingCommand): RemotingCommand {
    const controller = this.brokerController;
    const producerGroup = request.field('producerGroup');
    const consumerGroup = request.field('consumerGroup');
    if (producerGroup) controller.producerManager.unregisterProducer(producerGroup, channel);
    if (consumerGroup) {
      const groupConfig = controller.subscriptionGroupManager.findSubscriptionGroupConfig(consumerGroup);
      controller.consumerManager.unregisterConsumer(consumerGroup, channel, groupConfig?.notifyConsumerIdsChangedEnable ?? true);
      const clientId = request.field('clientID');
      if (clientId) controller.rebalanceLockManager.unlockAll(consumerGroup, clientId);
    }
    this.logger.debug?.(`client ${request.field('clientID') ?? channel.remoteAddress} unregistered`);
    return RemotingCommand.createResponse(ResponseCode.SUCCESS);
  }
}
