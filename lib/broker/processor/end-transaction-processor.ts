import { Logger } from '@nestjs/common';
import {
  MessageConst,
  MessageExt,
  messageProperties2String,
  MessageSysFlag,
  resetTransactionValue,
  tagsString2tagsCode,
} from '../../message/index.js';
import {
  RemotingChannel,
  RemotingCommand,
  RemotingRequestProcessor,
  ResponseCode,
} from '../../remoting/index.js';
import { MessageExtBrokerInner, PutMessageResult, PutMessageStatus } from '../../store/index.js';
import type { BrokerController } from '../broker-controller.js';
import {
  decodeEndTransactionRequestHeader,
  EndTransactionRequestHeader,
} from '../transaction/end-transaction-request-header.js';
import { parseIntProperty } from '../transaction/transactional-message-util.js';

/**
 * END_TRANSACTION (EndTransactionProcessor): the producer's verdict on a half message, after its local
 * transaction or in answer to CHECK_TRANSACTION_STATE. Commit stores the message under its real topic and
 * queue (visible from then on) and writes an op record; rollback only writes the op record; unknown leaves
 * it to the check. A verdict on an already decided transaction changes nothing, so repeats are harmless.
 * Java sends it oneway; a two-way request is answered.
 */
export class EndTransactionProcessor implements RemotingRequestProcessor {
  private readonly logger = new Logger(EndTransactionProcessor.name);

  constructor(private readonly brokerController: BrokerController) {}

  processRequest(channel: RemotingChannel, request: RemotingCommand): RemotingCommand | Promise<RemotingCommand> {
    const header = decodeEndTransactionRequestHeader(request);
    const from = header.fromTransactionCheck ? 'check answer' : 'end transaction';
    switch (header.commitOrRollback) {
      case MessageSysFlag.TRANSACTION_NOT_TYPE:
        this.logger.debug(`${from} from producer ${channel.remoteAddress} for ${header.msgId}: still unknown (${request.remark ?? 'no remark'})`);
        return RemotingCommand.createResponse(ResponseCode.SUCCESS);
      case MessageSysFlag.TRANSACTION_COMMIT_TYPE:
      case MessageSysFlag.TRANSACTION_ROLLBACK_TYPE:
        break;
      default:
        return RemotingCommand.createResponse(
          ResponseCode.SYSTEM_ERROR,
          `illegal commitOrRollback ${request.field('commitOrRollback')}: expected 8 (commit), 12 (rollback) or 0 (unknown)`,
        );
    }
    const commit = header.commitOrRollback === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
    const service = this.brokerController.transactionalMessageService;
    const result = commit ? service.commitMessage(header.commitLogOffset) : service.rollbackMessage(header.commitLogOffset);
    if (result.responseCode !== ResponseCode.SUCCESS || !result.prepareMessage) {
      return RemotingCommand.createResponse(result.responseCode, result.responseRemark);
    }
    const halfMessage = result.prepareMessage;
    const invalid = checkPrepareMessage(halfMessage, header);
    if (invalid) return RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, invalid);
    if (service.isDecided(halfMessage)) {
      this.logger.debug(`${from} for ${header.msgId}: the transaction is already decided, nothing to do`);
      return RemotingCommand.createResponse(ResponseCode.SUCCESS);
    }
    if (!commit) {
      this.logger.debug(`${from} from producer ${channel.remoteAddress}: rollback ${header.msgId}`);
      const rolledBack = (deleted: boolean) =>
        deleted
          ? RemotingCommand.createResponse(ResponseCode.SUCCESS)
          : RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, 'writing the op message of the rollback failed');
      const deleted = service.deletePrepareMessage(halfMessage);
      return deleted instanceof Promise ? deleted.then(rolledBack) : rolledBack(deleted);
    }
    const afterCommit = (response: RemotingCommand): RemotingCommand | Promise<RemotingCommand> => {
      if (response.code !== ResponseCode.SUCCESS) return response;
      const opLogged = (deleted: boolean) => {
        if (!deleted) this.logger.error(`committed ${header.msgId} but writing its op message failed; a check may ask for it again`);
        return response;
      };
      const deleted = service.deletePrepareMessage(halfMessage);
      return deleted instanceof Promise ? deleted.then(opLogged) : opLogged(deleted);
    };
    const put = this.brokerController.messageStore.putMessage(endMessageTransaction(halfMessage, header));
    // Only SYNC_FLUSH makes the store answer later; the memory store and ASYNC_FLUSH stay synchronous.
    if (put instanceof Promise) return put.then((r) => afterCommit(this.finalMessageResponse(r)));
    return afterCommit(this.finalMessageResponse(put));
  }

  private finalMessageResponse(result: PutMessageResult): RemotingCommand {
    switch (result.status) {
      case PutMessageStatus.PUT_OK:
      case PutMessageStatus.FLUSH_DISK_TIMEOUT:
      case PutMessageStatus.FLUSH_SLAVE_TIMEOUT:
      case PutMessageStatus.SLAVE_NOT_AVAILABLE:
        return RemotingCommand.createResponse(ResponseCode.SUCCESS);
      case PutMessageStatus.CREATE_MAPPED_FILE_FAILED:
        return RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, 'Create mapped file failed.');
      case PutMessageStatus.MESSAGE_ILLEGAL:
      case PutMessageStatus.PROPERTIES_SIZE_EXCEEDED:
        return RemotingCommand.createResponse(
          ResponseCode.MESSAGE_ILLEGAL,
          `The message is illegal, maybe msg body or properties length not matched. msg body length limit ${this.brokerController.brokerConfig.maxMessageSize}B, msg properties length limit 32KB.`,
        );
      case PutMessageStatus.SERVICE_NOT_AVAILABLE:
        return RemotingCommand.createResponse(ResponseCode.SERVICE_NOT_AVAILABLE, 'Service not available now.');
      case PutMessageStatus.OS_PAGE_CACHE_BUSY:
        return RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, 'OS page cache busy, please try another machine');
      default:
        return RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, result.remark ? `UNKNOWN_ERROR: ${result.remark}` : 'UNKNOWN_ERROR');
    }
  }
}

/** Undefined when the half message matches the request, else RocketMQ's reason. */
function checkPrepareMessage(msgExt: MessageExt, header: EndTransactionRequestHeader): string | undefined {
  if (msgExt.properties[MessageConst.PROPERTY_PRODUCER_GROUP] !== header.producerGroup) return 'The producer group wrong';
  if (msgExt.queueOffset !== header.tranStateTableOffset) return 'The transaction state table offset wrong';
  if (msgExt.commitLogOffset !== header.commitLogOffset) return 'The commit log offset wrong';
  return undefined;
}

/**
 * The committed message: the half message back under its real topic and queue, typed COMMIT so the store
 * indexes it, pointing at the half record, with the transaction bookkeeping properties removed. UNIQ_KEY
 * stays, so consumers see the msgId the producer got.
 */
function endMessageTransaction(msgExt: MessageExt, header: EndTransactionRequestHeader): MessageExtBrokerInner {
  const properties = { ...msgExt.properties };
  const topic = properties[MessageConst.PROPERTY_REAL_TOPIC] ?? msgExt.topic;
  const queueId = parseIntProperty(properties[MessageConst.PROPERTY_REAL_QUEUE_ID], 0);
  delete properties[MessageConst.PROPERTY_TRANSACTION_PREPARED];
  delete properties[MessageConst.PROPERTY_REAL_TOPIC];
  delete properties[MessageConst.PROPERTY_REAL_QUEUE_ID];
  delete properties[MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET];
  return {
    topic,
    queueId,
    flag: msgExt.flag,
    body: msgExt.body,
    propertiesString: messageProperties2String(properties),
    tagsCode: tagsString2tagsCode(properties[MessageConst.PROPERTY_TAGS]),
    sysFlag: resetTransactionValue(msgExt.sysFlag, MessageSysFlag.TRANSACTION_COMMIT_TYPE),
    bornTimestamp: msgExt.bornTimestamp,
    bornHost: msgExt.bornHost,
    storeHost: msgExt.storeHost,
    reconsumeTimes: msgExt.reconsumeTimes,
    preparedTransactionOffset: header.commitLogOffset,
  };
}
