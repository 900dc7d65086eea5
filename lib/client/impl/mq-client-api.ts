import { MessageExt, MessageQueue } from '../../message/index.js';
import {
  RemotingClient,
  RemotingCommand,
  RemotingError,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeader,
  encodeSendMessageRequestV2,
} from '../../remoting/index.js';
import { MQBrokerError, MQClientError } from '../mq-client.error.js';
import { SendResult, SendStatus } from '../producer/send-result.js';
import { TopicRouteData, parseTopicRouteData } from '../route/topic-route-data.js';
import { HeartbeatData } from './heartbeat-data.js';

/** What PULL_MESSAGE answered, before the records are decoded (PullResultExt). */
export interface PullResponse {
  status: PullStatus;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  body?: Buffer;
}

export enum PullStatus {
  FOUND = 'FOUND',
  NO_NEW_MSG = 'NO_NEW_MSG',
  NO_MATCHED_MSG = 'NO_MATCHED_MSG',
  OFFSET_ILLEGAL = 'OFFSET_ILLEGAL',
}

export interface PullMessageRequestHeader {
  consumerGroup: string;
  topic: string;
  queueId: number;
  queueOffset: number;
  maxMsgNums: number;
  sysFlag: number;
  commitOffset: number;
  suspendTimeoutMillis: number;
  subscription?: string;
  subVersion: number;
  expressionType?: string;
}

/**
 * Builds RocketMQ requests and reads their answers (MQClientAPIImpl). Everything here is protocol:
 * header names, codes and bodies exactly as the Java client sends them.
 */
export class MQClientAPI {
  private namesrvAddrs: string[] = [];
  private namesrvIndex = Math.floor(Math.random() * 997);

  constructor(
    readonly remoting: RemotingClient,
    namesrvAddr: string,
  ) {
    this.updateNameServerAddressList(namesrvAddr);
  }

  updateNameServerAddressList(namesrvAddr: string): void {
    this.namesrvAddrs = namesrvAddr
      .split(';')
      .map((a) => a.trim())
      .filter(Boolean);
  }

  /** Asks NameServers in turn until one answers; TOPIC_NOT_EXIST is an answer, not a failure. */
  async getTopicRouteInfoFromNameServer(topic: string, timeoutMillis: number): Promise<TopicRouteData> {
    if (this.namesrvAddrs.length === 0) throw new MQClientError('no NameServer address is configured');
    let lastError: unknown;
    for (let i = 0; i < this.namesrvAddrs.length; i++) {
      const addr = this.namesrvAddrs[(this.namesrvIndex + i) % this.namesrvAddrs.length];
      try {
        const request = RemotingCommand.createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
        const response = await this.remoting.invoke(addr, request, timeoutMillis);
        this.namesrvIndex = (this.namesrvIndex + i) % this.namesrvAddrs.length;
        if (response.code === ResponseCode.SUCCESS) return parseTopicRouteData(response.body);
        throw new MQBrokerError(response.code, response.remark, addr);
      } catch (err) {
        if (err instanceof MQBrokerError) throw err;
        lastError = err;
      }
    }
    throw new MQClientError(`no NameServer answered for topic ${topic}: ${String(lastError)}`, undefined, {
      cause: lastError,
    });
  }

  /** Not async, like the producer path above it: one promise per send instead of one per layer. */
  sendMessage(
    addr: string,
    brokerName: string,
    header: SendMessageRequestHeader,
    body: Buffer,
    timeoutMillis: number,
    uniqueId: string,
    code?: number,
  ): Promise<SendResult> {
    const request = encodeSendMessageRequestV2(header, body, code);
    return this.remoting
      .invoke(addr, request, timeoutMillis)
      .then((response) => this.processSendResponse(brokerName, header.topic, response, uniqueId, addr, header.queueId));
  }

  sendMessageOneway(addr: string, header: SendMessageRequestHeader, body: Buffer, code?: number): void {
    this.remoting.invokeOneway(addr, encodeSendMessageRequestV2(header, body, code));
  }

  private processSendResponse(
    brokerName: string,
    topic: string,
    response: RemotingCommand,
    uniqueId: string,
    addr: string,
    queueId: number,
  ): SendResult {
    let sendStatus: SendStatus;
    switch (response.code) {
      case ResponseCode.SUCCESS:
        sendStatus = SendStatus.SEND_OK;
        break;
      case ResponseCode.FLUSH_DISK_TIMEOUT:
        sendStatus = SendStatus.FLUSH_DISK_TIMEOUT;
        break;
      case ResponseCode.FLUSH_SLAVE_TIMEOUT:
        sendStatus = SendStatus.FLUSH_SLAVE_TIMEOUT;
        break;
      case ResponseCode.SLAVE_NOT_AVAILABLE:
        sendStatus = SendStatus.SLAVE_NOT_AVAILABLE;
        break;
      default:
        throw new MQBrokerError(response.code, response.remark, addr);
    }
    const ext = response.extFields;
    return {
      sendStatus,
      msgId: uniqueId,
      offsetMsgId: ext.msgId ?? '',
      messageQueue: { topic, brokerName, queueId: ext.queueId !== undefined ? Number(ext.queueId) : queueId },
      queueOffset: Number(ext.queueOffset ?? -1),
      transactionId: ext.transactionId,
      regionId: ext.MSG_REGION ?? 'DefaultRegion',
      traceOn: ext.TRACE_ON !== 'false',
    };
  }

  async pullMessage(addr: string, header: PullMessageRequestHeader, timeoutMillis: number): Promise<PullResponse> {
    const request = RemotingCommand.createRequest(RequestCode.PULL_MESSAGE, { ...header });
    const response = await this.remoting.invoke(addr, request, timeoutMillis);
    let status: PullStatus;
    switch (response.code) {
      case ResponseCode.SUCCESS:
        status = PullStatus.FOUND;
        break;
      case ResponseCode.PULL_NOT_FOUND:
        status = PullStatus.NO_NEW_MSG;
        break;
      case ResponseCode.PULL_RETRY_IMMEDIATELY:
        status = PullStatus.NO_MATCHED_MSG;
        break;
      case ResponseCode.PULL_OFFSET_MOVED:
        status = PullStatus.OFFSET_ILLEGAL;
        break;
      default:
        throw new MQBrokerError(response.code, response.remark, addr);
    }
    return {
      status,
      nextBeginOffset: Number(response.extFields.nextBeginOffset ?? header.queueOffset),
      minOffset: Number(response.extFields.minOffset ?? 0),
      maxOffset: Number(response.extFields.maxOffset ?? 0),
      body: response.body,
    };
  }

  async sendHeartbeat(addr: string, data: HeartbeatData, timeoutMillis: number): Promise<void> {
    const request = RemotingCommand.createRequest(RequestCode.HEART_BEAT, {}, Buffer.from(JSON.stringify(data)));
    const response = await this.remoting.invoke(addr, request, timeoutMillis);
    if (response.code !== ResponseCode.SUCCESS) throw new MQBrokerError(response.code, response.remark, addr);
  }

  /** LOCK_BATCH_MQ: the queues of `mqs` the broker now holds for this client. */
  async lockBatchMQ(
    addr: string,
    body: { consumerGroup: string; clientId: string; mqSet: MessageQueue[] },
    timeoutMillis: number,
  ): Promise<MessageQueue[]> {
    const request = RemotingCommand.createRequest(
      RequestCode.LOCK_BATCH_MQ,
      {},
      Buffer.from(JSON.stringify({ ...body, onlyThisBroker: false }), 'utf8'),
    );
    const response = await this.remoting.invoke(addr, request, timeoutMillis);
    if (response.code !== ResponseCode.SUCCESS) throw new MQBrokerError(response.code, response.remark, addr);
    const parsed = JSON.parse(response.body?.toString('utf8') || '{}') as { lockOKMQSet?: MessageQueue[] };
    return (parsed.lockOKMQSet ?? []).map((mq) => ({ topic: mq.topic, brokerName: mq.brokerName, queueId: Number(mq.queueId) }));
  }

  /** UNLOCK_BATCH_MQ: gives the queues back so another member can lock them at once. */
  async unlockBatchMQ(
    addr: string,
    body: { consumerGroup: string; clientId: string; mqSet: MessageQueue[] },
    timeoutMillis: number,
  ): Promise<void> {
    const request = RemotingCommand.createRequest(
      RequestCode.UNLOCK_BATCH_MQ,
      {},
      Buffer.from(JSON.stringify({ ...body, onlyThisBroker: false }), 'utf8'),
    );
    const response = await this.remoting.invoke(addr, request, timeoutMillis);
    if (response.code !== ResponseCode.SUCCESS) throw new MQBrokerError(response.code, response.remark, addr);
  }

  async unregisterClient(
    addr: string,
    clientID: string,
    group: { producerGroup?: string; consumerGroup?: string },
    timeoutMillis: number,
  ): Promise<void> {
    const request = RemotingCommand.createRequest(RequestCode.UNREGISTER_CLIENT, { clientID, ...group });
    const response = await this.remoting.invoke(addr, request, timeoutMillis);
    if (response.code !== ResponseCode.SUCCESS) throw new MQBrokerError(response.code, response.remark, addr);
  }

  async getConsumerIdListByGroup(addr: string, consumerGroup: string, timeoutMillis: number): Promise<string[]> {
    const request = RemotingCommand.createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup });
    const response = await this.remoting.invoke(addr, request, timeoutMillis);
    if (response.code === ResponseCode.SUCCESS && response.body) {
      const parsed = JSON.parse(response.body.toString('utf8')) as { consumerIdList?: string[] };
      return parsed.consumerIdList ?? [];
    }
    throw new MQBrokerError(response.code, response.remark, addr);
  }

  /** The group's committed offset, or -1 when the broker has none (QUERY_NOT_FOUND). */
  async queryConsumerOffset(
    addr: string,
    consumerGroup: string,
    mq: MessageQueue,
    timeoutMillis: number,
    setZeroIfNotFound?: boolean,
  ): Promise<number> {
    const request = RemotingCommand.createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
      consumerGroup,
      topic: mq.topic,
      queueId: mq.queueId,
      setZeroIfNotFound,
    });
    const response = await this.remoting.invoke(addr, request, timeoutMillis);
    if (response.code === ResponseCode.SUCCESS) return Number(response.extFields.offset ?? -1);
    if (response.code === ResponseCode.QUERY_NOT_FOUND) return -1;
    throw new MQBrokerError(response.code, response.remark, addr);
  }

  async updateConsumerOffset(
    addr: string,
    consumerGroup: string,
    mq: MessageQueue,
    commitOffset: number,
    timeoutMillis: number,
  ): Promise<void> {
    const request = RemotingCommand.createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, {
      consumerGroup,
      topic: mq.topic,
      queueId: mq.queueId,
      commitOffset,
    });
    const response = await this.remoting.invoke(addr, request, timeoutMillis);
    if (response.code !== ResponseCode.SUCCESS) throw new MQBrokerError(response.code, response.remark, addr);
  }

  getMaxOffset(addr: string, mq: MessageQueue, timeoutMillis: number): Promise<number> {
    return this.offsetQuery(RequestCode.GET_MAX_OFFSET, addr, { topic: mq.topic, queueId: mq.queueId }, timeoutMillis);
  }

  getMinOffset(addr: string, mq: MessageQueue, timeoutMillis: number): Promise<number> {
    return this.offsetQuery(RequestCode.GET_MIN_OFFSET, addr, { topic: mq.topic, queueId: mq.queueId }, timeoutMillis);
  }

  searchOffset(addr: string, mq: MessageQueue, timestamp: number, timeoutMillis: number): Promise<number> {
    return this.offsetQuery(
      RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
      addr,
      { topic: mq.topic, queueId: mq.queueId, timestamp },
      timeoutMillis,
    );
  }

  private async offsetQuery(
    code: number,
    addr: string,
    header: Record<string, unknown>,
    timeoutMillis: number,
  ): Promise<number> {
    const response = await this.remoting.invoke(addr, RemotingCommand.createRequest(code, header), timeoutMillis);
    if (response.code !== ResponseCode.SUCCESS) throw new MQBrokerError(response.code, response.remark, addr);
    return Number(response.extFields.offset ?? 0);
  }

  /** Hands a message that failed to consume back to the broker for a later retry (CONSUMER_SEND_MSG_BACK). */
  async consumerSendMessageBack(
    addr: string,
    msg: MessageExt,
    consumerGroup: string,
    delayLevel: number,
    maxReconsumeTimes: number,
    timeoutMillis: number,
  ): Promise<void> {
    const request = RemotingCommand.createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, {
      offset: msg.commitLogOffset,
      group: consumerGroup,
      delayLevel,
      originMsgId: msg.msgId,
      originTopic: msg.topic,
      unitMode: false,
      maxReconsumeTimes,
    });
    const response = await this.remoting.invoke(addr, request, timeoutMillis);
    if (response.code !== ResponseCode.SUCCESS) throw new MQBrokerError(response.code, response.remark, addr);
  }
}

export function isRemotingError(err: unknown): err is RemotingError {
  return err instanceof RemotingError;
}
