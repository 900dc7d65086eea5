import { Logger } from '@nestjs/common';
import {
  RemotingChannel,
  RemotingCommand,
  RemotingRequestProcessor,
  RequestCode,
  ResponseCode,
} from '../../remoting/index.js';
import type { BrokerController } from '../broker-controller.js';

/** One queue's new offset in a ResetOffsetBody. */
export interface ResetOffsetEntry {
  messageQueue: { topic: string; brokerName: string; queueId: number };
  offset: number;
}

/**
 * ResetOffsetBody as this broker writes it: `{"offsetTable":[{"messageQueue":{...},"offset":N}, ...]}`.
 * Java's fastjson writes the map with MessageQueue objects as keys instead
 * (`{"offsetTable":{{"brokerName":..,"queueId":..,"topic":..}:N}}`), which is not valid JSON; readers of
 * either side must accept both forms.
 */
export interface ResetOffsetBody {
  offsetTable: ResetOffsetEntry[];
}

/**
 * INVOKE_BROKER_TO_RESET_OFFSET (AdminBrokerProcessor.resetOffset → Broker2Client.resetOffset): back-tracking
 * by time. For each queue of the topic the offset at `timestamp` (-1: the max offset) replaces the group's
 * committed offset (only when it moves back, unless `isForce`), and every online client of the group is
 * told with RESET_CONSUMER_CLIENT_OFFSET. Unlike RocketMQ, which answers CONSUMER_NOT_ONLINE, the stored
 * offsets are updated when no client is online, so a group restarted later resumes from there.
 */
export class ResetOffsetProcessor implements RemotingRequestProcessor {
  private readonly logger = new Logger(ResetOffsetProcessor.name);

  constructor(private readonly brokerController: BrokerController) {}

  processRequest(_channel: RemotingChannel, request: RemotingCommand): RemotingCommand {
    const controller = this.brokerController;
    const topic = request.field('topic') ?? '';
    const group = request.field('group') ?? '';
    const timestamp = request.intField('timestamp', -1);
    const isForce = request.boolField('isForce', true);
    const topicConfig = controller.topicConfigManager.selectTopicConfig(topic);
    if (!topicConfig) {
      return RemotingCommand.createResponse(ResponseCode.TOPIC_NOT_EXIST, `[reset-offset] reset offset failed, no topic in this broker. topic=${topic}`);
    }
    const store = controller.messageStore;
    const offsets = controller.consumerOffsetManager;
    const body: ResetOffsetBody = { offsetTable: [] };
    for (let queueId = 0; queueId < topicConfig.writeQueueNums; queueId++) {
      let target = timestamp === -1 ? store.getMaxOffsetInQueue(topic, queueId) : store.getOffsetInQueueByTime(topic, queueId, timestamp);
      if (target < 0) target = 0;
      const committed = offsets.queryOffset(group, topic, queueId);
      // A queue the group never committed has nothing to protect, so it takes the new offset.
      const offset = isForce || committed < 0 || target < committed ? target : committed;
      offsets.commitOffset('reset-offset', group, topic, queueId, offset);
      body.offsetTable.push({ messageQueue: { topic, brokerName: controller.brokerConfig.brokerName, queueId }, offset });
    }
    const encoded = Buffer.from(JSON.stringify(body), 'utf8');
    const channels = controller.consumerManager.getConsumerGroupInfo(group)?.getAllChannels() ?? [];
    for (const channel of channels) {
      if (channel.closed) continue;
      const notify = RemotingCommand.createRequest(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, { topic, group, timestamp, isForce }, encoded);
      try {
        channel.invokeOneway(notify);
      } catch (err) {
        this.logger.warn(`[reset-offset] telling ${channel.remoteAddress} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.logger.log(`[reset-offset] topic=${topic} group=${group} timestamp=${timestamp} isForce=${isForce}: ${channels.length} client(s) told`);
    const response = RemotingCommand.createResponse(ResponseCode.SUCCESS);
    response.body = encoded;
    return response;
  }
}
