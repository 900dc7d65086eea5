import { Logger } from '@nestjs/common';
import {
  MessageConst,
  messageProperties2String,
  string2messageProperties,
  tagsString2tagsCode,
} from '../../message/index.js';
import {
  decodeSendMessageRequestHeader,
  RemotingChannel,
  RemotingCommand,
  RemotingRequestProcessor,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeader,
} from '../../remoting/index.js';
import { MessageExtBrokerInner, PutMessageStatus } from '../../store/index.js';
import type { BrokerController } from '../broker-controller.js';

/** How long the requester has to acknowledge a pushed reply, in ms. */
const PUSH_REPLY_TIMEOUT_MILLIS = 3000;

/** Suffix of the reply topic, `<brokerClusterName>_REPLY_TOPIC` (MixAll.REPLY_TOPIC_POSTFIX joined with "_"). */
export const REPLY_TOPIC_POSTFIX = '_REPLY_TOPIC';

export function replyTopic(clusterName: string): string {
  return clusterName + REPLY_TOPIC_POSTFIX;
}

interface PushReplyResult {
  pushOk: boolean;
  remark?: string;
}

/**
 * SEND_REPLY_MESSAGE and SEND_REPLY_MESSAGE_V2 (ReplyMessageProcessor): a consumer answers a request
 * message. The broker pushes the reply straight to the requester named by REPLY_TO_CLIENT
 * (PUSH_REPLY_MESSAGE_TO_CLIENT over the requester's own connection) and, when storeReplyMessageEnable is on,
 * also stores it in the reply topic. The replier learns whether the push reached the requester.
 */
export class ReplyMessageProcessor implements RemotingRequestProcessor {
  private readonly logger = new Logger(ReplyMessageProcessor.name);

  constructor(private readonly brokerController: BrokerController) {}

  async processRequest(channel: RemotingChannel, request: RemotingCommand): Promise<RemotingCommand> {
    const controller = this.brokerController;
    const config = controller.brokerConfig;
    // The send header decoder tells the two spellings apart by code: V2 replies use SEND_MESSAGE_V2's letters.
    const asSend = new RemotingCommand(
      request.code === RequestCode.SEND_REPLY_MESSAGE_V2 ? RequestCode.SEND_MESSAGE_V2 : RequestCode.SEND_MESSAGE,
      request.extFields,
    );
    const header = decodeSendMessageRequestHeader(asSend, config.defaultTopicQueueNums);
    const checked = controller.sendMessageProcessor.msgCheck(channel, header);
    if (checked instanceof RemotingCommand) return checked;
    if (checked.created) await controller.awaitRegistration();
    let queueId = header.queueId;
    if (queueId < 0) queueId = Math.floor(Math.random() * 99999999) % Math.max(1, checked.topicConfig.writeQueueNums);
    const body = request.body ?? Buffer.alloc(0);
    const properties = string2messageProperties(header.properties);
    const msgInner: MessageExtBrokerInner = {
      topic: header.topic,
      queueId,
      flag: header.flag,
      body,
      propertiesString: header.properties,
      tagsCode: tagsString2tagsCode(properties[MessageConst.PROPERTY_TAGS]),
      sysFlag: header.sysFlag,
      bornTimestamp: header.bornTimestamp,
      bornHost: channel.remoteAddress,
      storeHost: controller.brokerAddress,
      reconsumeTimes: header.reconsumeTimes,
      preparedTransactionOffset: 0,
    };

    const pushed = await this.pushReplyMessage(channel, header, properties, body);
    const response = pushed.pushOk
      ? // RocketMQ answers a pushed-only reply with msgId "0" so clients still decode the header.
        RemotingCommand.createResponse(ResponseCode.SUCCESS, undefined, { msgId: '0', queueId, queueOffset: 0 })
      : RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, pushed.remark);
    response.extFields[MessageConst.PROPERTY_MSG_REGION] = config.regionId;
    response.extFields[MessageConst.PROPERTY_TRACE_SWITCH] = String(config.traceOn);

    if (config.storeReplyMessageEnable) {
      const result = await controller.messageStore.putMessage(msgInner);
      switch (result.status) {
        case PutMessageStatus.PUT_OK:
        case PutMessageStatus.FLUSH_DISK_TIMEOUT:
        case PutMessageStatus.FLUSH_SLAVE_TIMEOUT:
        case PutMessageStatus.SLAVE_NOT_AVAILABLE:
          response.extFields.msgId = result.msgId;
          response.extFields.queueId = String(queueId);
          response.extFields.queueOffset = String(result.logicsOffset);
          break;
        default:
          this.logger.warn(`storing the reply to ${header.topic} failed: ${result.status} ${result.remark ?? ''}`.trim());
      }
    }
    return response;
  }

  private async pushReplyMessage(
    channel: RemotingChannel,
    header: SendMessageRequestHeader,
    properties: Record<string, string>,
    body: Buffer,
  ): Promise<PushReplyResult> {
    const senderId = properties[MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT];
    if (!senderId) {
      const remark = `reply message properties[${MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT}] is null`;
      this.logger.warn(`${remark}, from ${channel.remoteAddress}`);
      return { pushOk: false, remark };
    }
    const requester = this.findClientChannel(senderId);
    if (!requester) {
      const remark = `push reply message fail, channel of <${senderId}> not found.`;
      this.logger.warn(remark);
      return { pushOk: false, remark };
    }
    const pushedProperties = { ...properties, [MessageConst.PROPERTY_PUSH_REPLY_TIME]: String(Date.now()) };
    const request = RemotingCommand.createRequest(
      RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT,
      {
        producerGroup: header.producerGroup,
        topic: header.topic,
        defaultTopic: header.defaultTopic,
        defaultTopicQueueNums: header.defaultTopicQueueNums,
        queueId: header.queueId,
        sysFlag: header.sysFlag,
        bornTimestamp: header.bornTimestamp,
        flag: header.flag,
        properties: messageProperties2String(pushedProperties),
        reconsumeTimes: header.reconsumeTimes,
        unitMode: header.unitMode,
        bornHost: channel.remoteAddress,
        storeHost: this.brokerController.brokerAddress,
        storeTimestamp: Date.now(),
      },
      body,
    );
    try {
      const answer = await withTimeout(requester.invoke(request, PUSH_REPLY_TIMEOUT_MILLIS), PUSH_REPLY_TIMEOUT_MILLIS);
      if (answer.code === ResponseCode.SUCCESS) return { pushOk: true };
      this.logger.warn(`push reply message to <${senderId}> returned ${answer.code}: ${answer.remark ?? ''}`);
    } catch (err) {
      this.logger.warn(`push reply message to <${senderId}> failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { pushOk: false, remark: `push reply message to ${senderId} fail.` };
  }

  /** The connection of the client with this id: a producer's, else a consumer's. */
  private findClientChannel(clientId: string): RemotingChannel | undefined {
    const controller = this.brokerController;
    const producer = controller.producerManager.findChannel(clientId);
    if (producer) return producer;
    for (const group of controller.consumerManager.groups()) {
      const info = controller.consumerManager.getConsumerGroupInfo(group);
      for (const [channel, client] of info?.channelInfoTable ?? []) {
        if (client.clientId === clientId && !channel.closed) return channel;
      }
    }
    return undefined;
  }
}

/** Not every channel enforces its timeout (the in-process one answers whenever the peer does). */
function withTimeout<T>(promise: Promise<T>, millis: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${millis} ms`)), millis);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
