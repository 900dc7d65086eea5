import {
  RemotingChannel,
  RemotingCommand,
  RemotingRequestProcessor,
  RequestCode,
  ResponseCode,
} from '../../remoting/index.js';
import type { BrokerController } from '../broker-controller.js';

/** Ext field marking a QUERY_MESSAGE by msgId (UNIQ_KEY) rather than by business key (MixAll.UNIQUE_MSG_QUERY_FLAG). */
export const UNIQUE_MSG_QUERY_FLAG = '_UNIQUE_KEY_QUERY';
/** Hits returned for a msgId query whatever maxNum says (MessageStoreConfig.defaultQueryMaxNum). */
const DEFAULT_QUERY_MAX_NUM = 32;

/**
 * QUERY_MESSAGE (QueryMessageProcessor): messages of a topic by KEYS entry or, with `_UNIQUE_KEY_QUERY`,
 * by UNIQ_KEY (msgId), stored within [beginTimestamp, endTimestamp]; the body is the records back to back.
 * VIEW_MESSAGE_BY_ID (by offset msgId) is answered by the AdminBrokerProcessor.
 */
export class QueryMessageProcessor implements RemotingRequestProcessor {
  constructor(private readonly brokerController: BrokerController) {}

  processRequest(_channel: RemotingChannel, request: RemotingCommand): RemotingCommand {
    if (request.code !== RequestCode.QUERY_MESSAGE) {
      return RemotingCommand.createResponse(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${request.code} not supported`);
    }
    const topic = request.field('topic');
    const key = request.field('key');
    if (!topic || !key) return RemotingCommand.createResponse(ResponseCode.INVALID_PARAMETER, 'QUERY_MESSAGE needs the topic and key header fields');
    const maxNum = request.field(UNIQUE_MSG_QUERY_FLAG) === 'true' ? DEFAULT_QUERY_MAX_NUM : request.intField('maxNum', DEFAULT_QUERY_MAX_NUM);
    const begin = request.intField('beginTimestamp', 0);
    const end = request.intField('endTimestamp', Number.MAX_SAFE_INTEGER);
    const result = this.brokerController.messageStore.queryMessage(topic, key, maxNum, begin, end);
    const header = {
      indexLastUpdateTimestamp: result.indexLastUpdateTimestamp,
      indexLastUpdatePhyoffset: result.indexLastUpdatePhyoffset,
    };
    if (result.bufferTotalSize === 0) {
      return RemotingCommand.createResponse(ResponseCode.QUERY_NOT_FOUND, 'can not find message, maybe time range not correct', header);
    }
    const response = RemotingCommand.createResponse(ResponseCode.SUCCESS, undefined, header);
    response.body = Buffer.concat(result.messages, result.bufferTotalSize);
    return response;
  }
}
