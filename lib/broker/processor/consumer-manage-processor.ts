import {
  RemotingChannel,
  RemotingCommand,
  RemotingRequestProcessor,
  RequestCode,
  ResponseCode,
} from '../../remoting/index.js';
import type { BrokerController } from '../broker-controller.js';

/**
 * GET_CONSUMER_LIST_BY_GROUP, QUERY_CONSUMER_OFFSET and UPDATE_CONSUMER_OFFSET (ConsumerManageProcessor):
 * the group membership clients rebalance on, and committed offsets.
 */
export class ConsumerManageProcessor implements RemotingRequestProcessor {
  constructor(private readonly brokerController: BrokerController) {}

  processRequest(channel: RemotingChannel, request: RemotingCommand): RemotingCommand {
    switch (request.code) {
      case RequestCode.GET_CONSUMER_LIST_BY_GROUP:
        return this.getConsumerListByGroup(request);
      case RequestCode.QUERY_CONSUMER_OFFSET:
        return this.queryConsumerOffset(request);
      case RequestCode.UPDATE_CONSUMER_OFFSET:
        return this.updateConsumerOffset(channel, request);
      default:
        return RemotingCommand.createResponse(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${request.code} not supported`);
    }
  }

  private getConsumerListByGroup(request: RemotingCommand): RemotingCommand {
    const group = request.field('consumerGroup') ?? '';
    const clientIds = this.brokerController.consumerManager.getConsumerGroupInfo(group)?.getAllClientIds() ?? [];
    if (clientIds.length === 0) {
      return RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, `no consumer for this group, ${group}`);
    }
    const response = RemotingCommand.createResponse(ResponseCode.SUCCESS);
    response.body = Buffer.from(JSON.stringify({ consumerIdList: clientIds }), 'utf8');
    return response;
  }

  private queryConsumerOffset(request: RemotingCommand): RemotingCommand {
    const group = request.field('consumerGroup') ?? '';
    const topic = request.field('topic') ?? '';
    const queueId = request.intField('queueId', 0);
    const store = this.brokerController.messageStore;
    const offset = this.brokerController.consumerOffsetManager.queryOffset(group, topic, queueId);
    if (offset >= 0) return RemotingCommand.createResponse(ResponseCode.SUCCESS, undefined, { offset });
    if (request.field('setZeroIfNotFound') === 'false') {
      return RemotingCommand.createResponse(ResponseCode.QUERY_NOT_FOUND, 'Not found, do not set to zero, maybe this group boot first');
    }
    // A new group starts at 0 while the queue's first message is still held, as RocketMQ does.
    if (store.getMinOffsetInQueue(topic, queueId) <= 0 && store.checkInMemByConsumeOffset(topic, queueId, 0, 1)) {
      return RemotingCommand.createResponse(ResponseCode.SUCCESS, undefined, { offset: 0 });
    }
    return RemotingCommand.createResponse(ResponseCode.QUERY_NOT_FOUND, 'Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first');
  }

  private updateConsumerOffset(channel: RemotingChannel, request: RemotingCommand): RemotingCommand {
    this.brokerController.consumerOffsetManager.commitOffset(
      channel.remoteAddress,
      request.field('consumerGroup') ?? '',
      request.field('topic') ?? '',
      request.intField('queueId', 0),
      request.intField('commitOffset', -1),
    );
    return RemotingCommand.createResponse(ResponseCode.SUCCESS);
  }
}
