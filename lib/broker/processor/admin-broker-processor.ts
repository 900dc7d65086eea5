import {
  PermName,
  RemotingChannel,
  RemotingCommand,
  RemotingRequestProcessor,
  RequestCode,
  ResponseCode,
} from '../../remoting/index.js';
import type { BrokerController } from '../broker-controller.js';
import { TopicConfig } from '../topic-config.js';
import { isSystemTopic, validateTopic } from '../topic-validator.js';

/**
 * Offsets, topics and message look-ups for clients and admin tools (AdminBrokerProcessor): GET_MAX_OFFSET,
 * GET_MIN_OFFSET, SEARCH_OFFSET_BY_TIMESTAMP, GET_EARLIEST_MSG_STORETIME, UPDATE_AND_CREATE_TOPIC,
 * GET_ALL_TOPIC_CONFIG and VIEW_MESSAGE_BY_ID.
 */
export class AdminBrokerProcessor implements RemotingRequestProcessor {
  constructor(private readonly brokerController: BrokerController) {}

  processRequest(_channel: RemotingChannel, request: RemotingCommand): RemotingCommand | Promise<RemotingCommand> {
    const store = this.brokerController.messageStore;
    const topic = request.field('topic') ?? '';
    const queueId = request.intField('queueId', 0);
    switch (request.code) {
      case RequestCode.GET_MAX_OFFSET:
        return ok({ offset: store.getMaxOffsetInQueue(topic, queueId) });
      case RequestCode.GET_MIN_OFFSET:
        return ok({ offset: store.getMinOffsetInQueue(topic, queueId) });
      case RequestCode.SEARCH_OFFSET_BY_TIMESTAMP: {
        const boundary = request.field('boundaryType') === 'upper' ? 'upper' : 'lower';
        return ok({ offset: store.getOffsetInQueueByTime(topic, queueId, request.intField('timestamp', 0), boundary) });
      }
      case RequestCode.GET_EARLIEST_MSG_STORETIME:
        return ok({ timestamp: store.getEarliestMessageTime(topic, queueId) });
      case RequestCode.UPDATE_AND_CREATE_TOPIC:
        return this.updateAndCreateTopic(request);
      case RequestCode.GET_ALL_TOPIC_CONFIG: {
        const response = ok();
        response.body = Buffer.from(
          JSON.stringify(this.brokerController.topicConfigManager.buildTopicConfigSerializeWrapper()),
          'utf8',
        );
        return response;
      }
      case RequestCode.VIEW_MESSAGE_BY_ID: {
        const offset = request.intField('offset', -1);
        const record = store.selectOneMessageByOffset(offset);
        if (!record) {
          return RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, `can not find message by the offset, ${offset}`);
        }
        const response = ok();
        response.body = record;
        return response;
      }
      default:
        return RemotingCommand.createResponse(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${request.code} not supported`);
    }
  }

  private updateAndCreateTopic(request: RemotingCommand): RemotingCommand | Promise<RemotingCommand> {
    const topic = request.field('topic') ?? '';
    const invalid = validateTopic(topic);
    if (invalid) return RemotingCommand.createResponse(ResponseCode.INVALID_PARAMETER, invalid);
    if (isSystemTopic(topic)) {
      return RemotingCommand.createResponse(ResponseCode.INVALID_PARAMETER, `The topic[${topic}] is conflict with system topic.`);
    }
    const filterType = request.field('topicFilterType');
    const config: TopicConfig = {
      topicName: topic,
      readQueueNums: request.intField('readQueueNums', 8),
      writeQueueNums: request.intField('writeQueueNums', 8),
      perm: request.intField('perm', PermName.PERM_READ | PermName.PERM_WRITE),
      topicFilterType: filterType === 'MULTI_TAG' ? 'MULTI_TAG' : 'SINGLE_TAG',
      topicSysFlag: request.intField('topicSysFlag', 0),
      order: request.boolField('order', false),
    };
    if (config.readQueueNums < 0 || config.writeQueueNums < 0) {
      return RemotingCommand.createResponse(ResponseCode.INVALID_PARAMETER, 'readQueueNums and writeQueueNums must not be negative');
    }
    this.brokerController.topicConfigManager.updateTopicConfig(config);
    return this.brokerController.awaitRegistration().then(() => ok());
  }
}

function ok(header?: Record<string, unknown>): RemotingCommand {
  return RemotingCommand.createResponse(ResponseCode.SUCCESS, undefined, header);
}
