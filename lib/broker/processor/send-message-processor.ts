import { Logger } from '@nestjs/common';
import {
  decodeBatchMessages,
  getTransactionValue,
  MessageConst,
  MessageSysFlag,
  messageProperties2String,
  messageProperty,
  NAME_VALUE_SEPARATOR,
  PROPERTY_SEPARATOR,
  string2messageProperties,
  tagsString2tagsCode,
  UniqueMessageIdGenerator,
} from '../../message/index.js';
import {
  PermName,
  RemotingChannel,
  RemotingCommand,
  RemotingRequestProcessor,
  ResponseCode,
} from '../../remoting/index.js';
import { MessageExtBrokerInner, PutMessageResult, PutMessageStatus } from '../../store/index.js';
import type { BrokerController } from '../broker-controller.js';
import { TopicConfig } from '../topic-config.js';
import { isNotAllowedSendTopic, TopicValidator, validateTopic } from '../topic-validator.js';
import { PutMessageInterceptor, SendMessageContext } from './put-message-interceptor.js';
import { decodeSendMessageRequestHeader, SendMessageRequestHeader } from '../../remoting/index.js';

const UNIQ_KEY = MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX;

/**
 * SEND_MESSAGE, SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE (SendMessageProcessor): checks the topic (creating
 * it from TBW102 when allowed), picks the queue, stamps broker-side properties (CLUSTER, a UNIQ_KEY when
 * the client sent none) and stores the message.
 */
export class SendMessageProcessor implements RemotingRequestProcessor {
  private readonly logger = new Logger(SendMessageProcessor.name);
  private readonly interceptors: PutMessageInterceptor[] = [];
  private readonly uniqIdGenerator = new UniqueMessageIdGenerator();
  private roundRobin = 0;

  constructor(private readonly brokerController: BrokerController) {}

  /** Adds a step run before each single message is stored (delay, transaction, retry handling). */
  registerPutMessageInterceptor(interceptor: PutMessageInterceptor): void {
    this.interceptors.push(interceptor);
  }

  processRequest(channel: RemotingChannel, request: RemotingCommand): RemotingCommand | Promise<RemotingCommand> {
    const header = decodeSendMessageRequestHeader(request, this.brokerController.brokerConfig.defaultTopicQueueNums);
    const checked = this.msgCheck(channel, header);
    if (checked instanceof RemotingCommand) return checked;
    const { topicConfig, created } = checked;
    const response = header.batch
      ? this.sendBatchMessage(channel, request, header, topicConfig)
      : this.sendMessage(channel, request, header, topicConfig);
    // Like RocketMQ, answer only after the NameServer knows the new topic, so its route is there at once.
    if (created) return this.brokerController.awaitRegistration().then(() => response);
    return response;
  }

  /** Checks the topic and queue of a send (also used for replies); a response means refused. */
  msgCheck(
    channel: RemotingChannel,
    header: SendMessageRequestHeader,
  ): RemotingCommand | { topicConfig: TopicConfig; created: boolean } {
    const invalid = validateTopic(header.topic);
    if (invalid) return RemotingCommand.createResponse(ResponseCode.INVALID_PARAMETER, invalid);
    if (isNotAllowedSendTopic(header.topic)) {
      return RemotingCommand.createResponse(ResponseCode.NO_PERMISSION, `Sending message to topic[${header.topic}] is forbidden.`);
    }
    const topicManager = this.brokerController.topicConfigManager;
    let topicConfig = topicManager.selectTopicConfig(header.topic);
    let created = false;
    if (!topicConfig) {
      this.logger.debug(`the topic ${header.topic} does not exist, producer: ${channel.remoteAddress}`);
      topicConfig = topicManager.createTopicInSendMessageMethod(
        header.topic,
        header.defaultTopic,
        Math.min(header.defaultTopicQueueNums, this.brokerController.brokerConfig.defaultTopicQueueNums),
        0,
      );
      if (!topicConfig && header.topic.startsWith(TopicValidator.RETRY_GROUP_TOPIC_PREFIX)) {
        topicConfig = topicManager.createTopicInSendMessageBackMethod(header.topic, 1, PermName.PERM_READ | PermName.PERM_WRITE);
      }
      if (!topicConfig) {
        return RemotingCommand.createResponse(
          ResponseCode.TOPIC_NOT_EXIST,
          `topic[${header.topic}] not exist, apply first please! (autoCreateTopicEnable is ${this.brokerController.brokerConfig.autoCreateTopicEnable})`,
        );
      }
      created = true;
    }
    const idValid = Math.max(topicConfig.writeQueueNums, topicConfig.readQueueNums);
    if (header.queueId >= idValid) {
      return RemotingCommand.createResponse(
        ResponseCode.INVALID_PARAMETER,
        `request queueId[${header.queueId}] is illegal, topic ${header.topic} has ${idValid} queues, producer: ${channel.remoteAddress}`,
      );
    }
    return { topicConfig, created };
  }

  private sendMessage(
    channel: RemotingChannel,
    request: RemotingCommand,
    header: SendMessageRequestHeader,
    topicConfig: TopicConfig,
  ): RemotingCommand | Promise<RemotingCommand> {
    const body = request.body ?? Buffer.alloc(0);
    const properties = string2messageProperties(header.properties);
    if (!properties[UNIQ_KEY]) properties[UNIQ_KEY] = this.uniqIdGenerator.next();
    const msgInner = this.newInner(channel, header, topicConfig, body, header.flag);
    // Interceptors may park the message elsewhere (half or schedule topic); the answer names the queue asked for.
    const queueId = msgInner.queueId;
    // Set before the interceptors, which may replace it: the schedule service stores the due time there.
    msgInner.tagsCode = tagsString2tagsCode(properties[MessageConst.PROPERTY_TAGS]);
    if (this.interceptors.length > 0) {
      const context: SendMessageContext = { channel, request, header, topicConfig, msgInner, properties };
      for (const interceptor of this.interceptors) {
        const answer = interceptor.beforePutMessage(context);
        if (answer) return answer;
      }
    }
    properties[MessageConst.PROPERTY_CLUSTER] = this.brokerController.brokerConfig.brokerClusterName;
    msgInner.propertiesString = messageProperties2String(properties);
    const result = this.brokerController.messageStore.putMessage(msgInner);
    // The memory store and ASYNC_FLUSH answer at once; only SYNC_FLUSH makes the answer wait for the disk.
    if (result instanceof Promise) return result.then((r) => this.handlePutMessageResult(r, queueId, properties[UNIQ_KEY]));
    return this.handlePutMessageResult(result, queueId, properties[UNIQ_KEY]);
  }

  private sendBatchMessage(
    channel: RemotingChannel,
    request: RemotingCommand,
    header: SendMessageRequestHeader,
    topicConfig: TopicConfig,
  ): RemotingCommand | Promise<RemotingCommand> {
    if (header.topic.startsWith(TopicValidator.RETRY_GROUP_TOPIC_PREFIX)) {
      return RemotingCommand.createResponse(ResponseCode.MESSAGE_ILLEGAL, `batch request does not support retry group ${header.topic}`);
    }
    if (
      getTransactionValue(header.sysFlag) === MessageSysFlag.TRANSACTION_PREPARED_TYPE ||
      string2messageProperties(header.properties)[MessageConst.PROPERTY_TRANSACTION_PREPARED] === 'true'
    ) {
      return RemotingCommand.createResponse(ResponseCode.MESSAGE_ILLEGAL, `batch messages cannot be transactional (half) messages, topic ${header.topic}`);
    }
    let entries;
    try {
      entries = decodeBatchMessages(request.body ?? Buffer.alloc(0));
    } catch (err) {
      return RemotingCommand.createResponse(
        ResponseCode.MESSAGE_ILLEGAL,
        `the batch body cannot be decoded: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (entries.length === 0) return RemotingCommand.createResponse(ResponseCode.MESSAGE_ILLEGAL, 'the batch holds no message');
    // Batch-level properties (the header's) apply to every inner message, as RocketMQ's batch encoder appends them.
    const batchProperties = string2messageProperties(header.properties);
    delete batchProperties[UNIQ_KEY];
    batchProperties[MessageConst.PROPERTY_CLUSTER] = this.brokerController.brokerConfig.brokerClusterName;
    const first = this.newInner(channel, header, topicConfig, Buffer.alloc(0), 0);
    const batchNames = Object.keys(batchProperties);
    const batchText = messageProperties2String(batchProperties);
    const batch: MessageExtBrokerInner[] = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      const text = entry.propertiesString;
      let propertiesString: string;
      let tags: string | undefined;
      if (batchNames.every((name) => messageProperty(text, name) === undefined)) {
        // Nothing to override (the usual case): the merged string is the message's, then the batch's, then a
        // new UNIQ_KEY if it had none, exactly what merging the parsed maps would write, without parsing.
        const own = text.endsWith(PROPERTY_SEPARATOR) ? text.slice(0, -1) : text;
        propertiesString = joinProperties(own, batchText);
        if (messageProperty(own, UNIQ_KEY) === undefined) {
          propertiesString = joinProperties(propertiesString, UNIQ_KEY + NAME_VALUE_SEPARATOR + this.uniqIdGenerator.next());
        }
        tags = messageProperty(own, MessageConst.PROPERTY_TAGS) ?? batchProperties[MessageConst.PROPERTY_TAGS];
      } else {
        const properties = { ...string2messageProperties(text), ...batchProperties };
        if (!properties[UNIQ_KEY]) properties[UNIQ_KEY] = this.uniqIdGenerator.next();
        propertiesString = messageProperties2String(properties);
        tags = properties[MessageConst.PROPERTY_TAGS];
      }
      batch[i] = {
        topic: first.topic,
        queueId: first.queueId,
        flag: entry.flag,
        body: entry.body,
        propertiesString,
        tagsCode: tagsString2tagsCode(tags),
        sysFlag: first.sysFlag,
        bornTimestamp: first.bornTimestamp,
        bornHost: first.bornHost,
        storeHost: first.storeHost,
        reconsumeTimes: first.reconsumeTimes,
        preparedTransactionOffset: first.preparedTransactionOffset,
      };
    }
    const result = this.brokerController.messageStore.putMessages(batch);
    const answer = (r: PutMessageResult): RemotingCommand => {
      const response = this.handlePutMessageResult(r, first.queueId, undefined);
      const batchUniqId = string2messageProperties(header.properties)[UNIQ_KEY];
      if (response.code === ResponseCode.SUCCESS && batchUniqId) response.extFields.batchUniqId = batchUniqId;
      return response;
    };
    return result instanceof Promise ? result.then(answer) : answer(result);
  }

  private newInner(
    channel: RemotingChannel,
    header: SendMessageRequestHeader,
    topicConfig: TopicConfig,
    body: Buffer,
    flag: number,
  ): MessageExtBrokerInner {
    let queueId = header.queueId;
    if (queueId < 0) {
      const writeQueueNums = Math.max(1, topicConfig.writeQueueNums);
      queueId = this.roundRobin++ % writeQueueNums;
      if (this.roundRobin >= 0x7fffffff) this.roundRobin = 0;
    }
    return {
      topic: header.topic,
      queueId,
      flag,
      body,
      propertiesString: '',
      tagsCode: 0,
      sysFlag: header.sysFlag,
      bornTimestamp: header.bornTimestamp,
      bornHost: channel.remoteAddress,
      storeHost: this.brokerController.brokerAddress,
      reconsumeTimes: header.reconsumeTimes,
      preparedTransactionOffset: 0,
    };
  }

  private handlePutMessageResult(result: PutMessageResult, queueId: number, uniqKey: string | undefined): RemotingCommand {
    switch (result.status) {
      case PutMessageStatus.PUT_OK:
      case PutMessageStatus.FLUSH_DISK_TIMEOUT:
      case PutMessageStatus.FLUSH_SLAVE_TIMEOUT:
      case PutMessageStatus.SLAVE_NOT_AVAILABLE: {
        const code =
          result.status === PutMessageStatus.PUT_OK
            ? ResponseCode.SUCCESS
            : result.status === PutMessageStatus.FLUSH_DISK_TIMEOUT
              ? ResponseCode.FLUSH_DISK_TIMEOUT
              : result.status === PutMessageStatus.FLUSH_SLAVE_TIMEOUT
                ? ResponseCode.FLUSH_SLAVE_TIMEOUT
                : ResponseCode.SLAVE_NOT_AVAILABLE;
        const response = RemotingCommand.createResponse(code, undefined, {
          msgId: result.msgId,
          queueId,
          queueOffset: result.logicsOffset,
          transactionId: uniqKey,
        });
        response.extFields[MessageConst.PROPERTY_MSG_REGION] = this.brokerController.brokerConfig.regionId;
        response.extFields[MessageConst.PROPERTY_TRACE_SWITCH] = String(this.brokerController.brokerConfig.traceOn);
        return response;
      }
      case PutMessageStatus.MESSAGE_ILLEGAL:
      case PutMessageStatus.PROPERTIES_SIZE_EXCEEDED:
        return RemotingCommand.createResponse(
          ResponseCode.MESSAGE_ILLEGAL,
          `the message is illegal: ${result.remark ?? result.status} (maxMessageSize ${this.brokerController.brokerConfig.maxMessageSize} bytes)`,
        );
      case PutMessageStatus.SERVICE_NOT_AVAILABLE:
        return RemotingCommand.createResponse(
          ResponseCode.SERVICE_NOT_AVAILABLE,
          `service not available now: ${result.remark ?? 'the message store is not running'}`,
        );
      default:
        return RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, `storing the message failed: ${result.status} ${result.remark ?? ''}`.trim());
    }
  }
}

function joinProperties(a: string, b: string): string {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return a + PROPERTY_SEPARATOR + b;
}
