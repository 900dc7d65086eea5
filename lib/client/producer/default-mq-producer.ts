import { randomUUID } from 'node:crypto';
import * as zlib from 'node:zlib';
import { Logger } from '@nestjs/common';
import {
  Message,
  MessageConst,
  MessageExt,
  MessageQueue,
  MessageSysFlag,
  UniqueMessageIdGenerator,
  decodeOffsetMessageId,
  encodeBatchMessages,
  messageProperties2String,
} from '../../message/index.js';
import { RemotingCommand, RequestCode, ResponseCode, SendMessageRequestHeader } from '../../remoting/index.js';
import { ClientConfig, withNamespace, withoutNamespace } from '../client-config.js';
import { definedOnly } from '../defined-only.js';
import { MQClientInstance } from '../impl/mq-client-instance.js';
import { MQProducerInner } from '../impl/mq-client-inner.js';
import { MQClientInstanceProvider } from '../mq-client-manager.js';
import { RequestTimeoutError } from '../request-timeout.error.js';
import { MQBrokerError, MQClientError } from '../mq-client.error.js';
import { TopicPublishInfo } from '../route/topic-publish-info.js';
import { MessageQueueSelector, SelectMessageQueueByHash } from './message-queue-selector.js';
import { PRODUCER_DEFAULTS, ProducerOptions } from './producer-options.js';
import { SendResult, SendStatus } from './send-result.js';
import {
  LocalTransactionState,
  TransactionListener,
  TransactionSendResult,
  transactionStateToFlag,
} from './transaction.js';
import { checkMessage, checkTopic } from './validators.js';

type CommunicationMode = 'SYNC' | 'ASYNC' | 'ONEWAY';

/** Broker answers after which a send is worth trying on another queue (MQClientAPIImpl). */
const RETRYABLE_RESPONSE_CODES = new Set<number>([
  ResponseCode.TOPIC_NOT_EXIST,
  ResponseCode.SERVICE_NOT_AVAILABLE,
  ResponseCode.SYSTEM_ERROR,
  ResponseCode.NO_PERMISSION,
  ResponseCode.NO_BUYER_ID,
  ResponseCode.NOT_IN_CURRENT_UNIT,
  ResponseCode.SYSTEM_BUSY,
]);

/**
 * A RocketMQ producer (DefaultMQProducer): route lookup, queue selection, retries within the send
 * timeout, unique message ids, compression and batches.
 */
export class DefaultMQProducer implements MQProducerInner {
  readonly options: Required<Omit<ProducerOptions, 'producerGroup'>> & { producerGroup: string };
  private readonly logger = new Logger(DefaultMQProducer.name);
  private readonly topicPublishInfoTable = new Map<string, TopicPublishInfo>();
  private readonly ids = new UniqueMessageIdGenerator();
  private instance?: MQClientInstance;
  private transactionListener?: TransactionListener;
  private starting?: Promise<void>;
  private state: 'CREATED' | 'RUNNING' | 'SHUTDOWN' = 'CREATED';

  constructor(
    options: ProducerOptions,
    private readonly clientConfig: ClientConfig,
    private readonly manager: MQClientInstanceProvider,
  ) {
    if (!options?.producerGroup) throw new MQClientError('producerGroup is required for a producer');
    this.options = { ...PRODUCER_DEFAULTS, ...definedOnly(options) } as DefaultMQProducer['options'];
    this.options.producerGroup = withNamespace(options.producerGroup, clientConfig.namespace);
  }

  get groupName(): string {
    return this.options.producerGroup;
  }

  get clientInstance(): MQClientInstance {
    if (!this.instance || this.state !== 'RUNNING') {
      throw new MQClientError(
        `the producer of group ${this.groupName} is ${this.state === 'SHUTDOWN' ? 'shut down' : 'not started'}`,
      );
    }
    return this.instance;
  }

  /** Starts once; concurrent and repeated calls share the first start. */
  start(): Promise<void> {
    if (!this.starting) this.starting = this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<void> {
    if (this.state === 'SHUTDOWN') throw new MQClientError(`the producer of group ${this.groupName} was shut down`);
    this.instance = this.manager.getOrCreateInstance(this.clientConfig);
    this.instance.registerProducer(this);
    this.state = 'RUNNING';
    await this.instance.updateTopicRoute(this.options.createTopicKey).catch(() => undefined);
    await this.instance.sendHeartbeatToAllBrokers();
  }

  async shutdown(): Promise<void> {
    if (this.state !== 'RUNNING') {
      this.state = 'SHUTDOWN';
      return;
    }
    this.state = 'SHUTDOWN';
    await this.instance!.unregisterProducer(this.groupName);
  }

  publishTopics(): string[] {
    return [...this.topicPublishInfoTable.keys()];
  }

  updateTopicPublishInfo(topic: string, info: TopicPublishInfo): void {
    if (this.topicPublishInfoTable.has(topic) || topic === this.options.createTopicKey) {
      this.topicPublishInfoTable.set(topic, info);
    }
  }

  /** Sends and waits for the broker's answer, retrying other queues on failure. */
  send(msg: Message, timeout = this.options.sendMsgTimeout): Promise<SendResult> {
    return this.sendDefault(msg, 'SYNC', timeout);
  }

  /** Like send, with the async retry budget (retryTimesWhenSendAsyncFailed). */
  sendAsync(msg: Message, timeout = this.options.sendMsgTimeout): Promise<SendResult> {
    return this.sendDefault(msg, 'ASYNC', timeout);
  }

  /** Fire and forget: resolves once the request is handed to the transport; no answer, no retry. */
  async sendOneway(msg: Message): Promise<void> {
    await this.sendDefault(msg, 'ONEWAY', this.options.sendMsgTimeout);
  }

  async sendToQueue(msg: Message, mq: MessageQueue, timeout = this.options.sendMsgTimeout): Promise<SendResult> {
    this.prepare(msg);
    return (await this.sendKernel(msg, mq, 'SYNC', timeout))!;
  }

  async sendWithSelector(
    msg: Message,
    selector: MessageQueueSelector,
    arg: unknown,
    timeout = this.options.sendMsgTimeout,
    mode: Exclude<CommunicationMode, 'ONEWAY'> = 'SYNC',
  ): Promise<SendResult> {
    const mq = await this.selectQueue(msg, selector, arg);
    return (await this.sendKernel(msg, mq, mode, timeout))!;
  }

  async sendOnewayWithSelector(msg: Message, selector: MessageQueueSelector, arg: unknown): Promise<void> {
    const mq = await this.selectQueue(msg, selector, arg);
    await this.sendKernel(msg, mq, 'ONEWAY', this.options.sendMsgTimeout);
  }

  /** Orderly send: every message with the same hash key goes to the same queue. */
  sendOrderly(msg: Message, hashKey: string, timeout = this.options.sendMsgTimeout): Promise<SendResult> {
    return this.sendWithSelector(msg, SelectMessageQueueByHash, hashKey, timeout);
  }

  /**
   * Sends messages of one topic in one request (SEND_BATCH_MESSAGE). The caller keeps the batch under
   * maxMessageSize; the template splits larger lists.
   */
  async sendBatch(msgs: Message[], timeout = this.options.sendMsgTimeout): Promise<SendResult> {
    if (!msgs || msgs.length === 0) throw new MQClientError('a batch needs at least one message');
    const topic = msgs[0].topic;
    const wait = msgs[0].waitStoreMsgOK;
    const ids: string[] = [];
    for (const m of msgs) {
      if (m.topic !== topic) {
        throw new MQClientError(`all messages of a batch must share one topic; found ${topic} and ${m.topic}`);
      }
      if (m.waitStoreMsgOK !== wait) throw new MQClientError('all messages of a batch must share waitStoreMsgOK');
      if (m.delayTimeLevel > 0) throw new MQClientError('delay messages cannot be sent in a batch');
      if (m.topic.startsWith('%RETRY%')) throw new MQClientError('retry messages cannot be sent in a batch');
      checkMessage(m, this.options.maxMessageSize);
      m.topic = withNamespace(m.topic, this.clientConfig.namespace);
      ids.push(this.ensureUniqueId(m));
    }
    const batch = new Message(msgs[0].topic, encodeBatchMessages(msgs));
    if (batch.body.length > this.options.maxMessageSize) {
      throw new MQClientError(
        `the batch is ${batch.body.length} bytes, over maxMessageSize ${this.options.maxMessageSize}; split it`,
        ResponseCode.MESSAGE_ILLEGAL,
      );
    }
    batch.setProperty(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, ids.join(','));
    if (!wait) batch.waitStoreMsgOK = false;
    return this.dispatch(batch, 'SYNC', timeout, ids.join(','), true);
  }

  /** Makes this a transactional producer: the listener runs local transactions and answers check-backs. */
  setTransactionListener(listener: TransactionListener): void {
    this.transactionListener = listener;
  }

  /**
   * Sends a half message, runs the local transaction if the broker stored it, then commits or rolls back
   * (TransactionMQProducer.sendMessageInTransaction). An UNKNOW outcome, or a local transaction that
   * throws, leaves the decision to the broker's check-back.
   */
  async sendMessageInTransaction(msg: Message, arg?: unknown): Promise<TransactionSendResult> {
    const listener = this.transactionListener;
    if (!listener) {
      throw new MQClientError(`producer group ${this.groupName} has no TransactionListener; set one before sending transactional messages`);
    }
    if (msg.delayTimeLevel > 0 || msg.delayTimeSec !== undefined || msg.delayTimeMs !== undefined || msg.deliverTimeMs !== undefined) {
      throw new MQClientError('a transactional message cannot be delayed; send it without a delay level or delivery time');
    }
    this.prepare(msg);
    msg.setProperty(MessageConst.PROPERTY_TRANSACTION_PREPARED, 'true');
    msg.setProperty(MessageConst.PROPERTY_PRODUCER_GROUP, this.groupName);
    const uniqueId = this.ensureUniqueId(msg);
    const sendResult = await this.dispatch(msg, 'SYNC', this.options.sendMsgTimeout, uniqueId, false, MessageSysFlag.TRANSACTION_PREPARED_TYPE);
    let state = LocalTransactionState.UNKNOW;
    let localError: unknown;
    if (sendResult.sendStatus === SendStatus.SEND_OK) {
      msg.transactionId = sendResult.transactionId ?? uniqueId;
      try {
        state = (await listener.executeLocalTransaction(msg, arg)) ?? LocalTransactionState.UNKNOW;
      } catch (err) {
        localError = err;
        this.logger.warn(`local transaction of message ${uniqueId} threw; the broker will check back: ${String(err)}`);
        state = LocalTransactionState.UNKNOW;
      }
    } else {
      state = LocalTransactionState.ROLLBACK_MESSAGE;
    }
    this.endTransaction(sendResult, state, localError);
    return { ...sendResult, localTransactionState: state, transactionId: msg.transactionId ?? uniqueId };
  }

  /** Tells the broker the outcome (END_TRANSACTION, oneway as in the Java client). */
  private endTransaction(sendResult: SendResult, state: LocalTransactionState, localError?: unknown): void {
    const addr = this.clientInstance.findBrokerAddressInPublish(sendResult.messageQueue.brokerName);
    if (!addr) {
      this.logger.warn(`cannot end transaction ${sendResult.msgId}: broker ${sendResult.messageQueue.brokerName} unknown; the broker will check back`);
      return;
    }
    const request = RemotingCommand.createRequest(RequestCode.END_TRANSACTION, {
      producerGroup: this.groupName,
      tranStateTableOffset: sendResult.queueOffset,
      commitLogOffset: decodeOffsetMessageId(sendResult.offsetMsgId).commitLogOffset,
      commitOrRollback: transactionStateToFlag(state),
      fromTransactionCheck: false,
      msgId: sendResult.msgId,
      transactionId: sendResult.transactionId ?? sendResult.msgId,
    });
    if (localError) request.remark = `executeLocalTransaction threw: ${String(localError)}`;
    this.clientInstance.api.remoting.invokeOneway(addr, request);
  }

  /** Answers a broker's CHECK_TRANSACTION_STATE with the listener's verdict. */
  checkTransactionState(brokerAddr: string, msg: MessageExt, header: Record<string, string>): void {
    const listener = this.transactionListener;
    if (!listener) return;
    void (async () => {
      let state = LocalTransactionState.UNKNOW;
      let remark: string | undefined;
      try {
        state = (await listener.checkLocalTransaction(msg)) ?? LocalTransactionState.UNKNOW;
      } catch (err) {
        remark = `checkLocalTransaction threw: ${String(err)}`;
        this.logger.warn(`check-back of transaction ${msg.transactionId} threw; the broker will ask again: ${String(err)}`);
      }
      const request = RemotingCommand.createRequest(RequestCode.END_TRANSACTION, {
        producerGroup: this.groupName,
        tranStateTableOffset: header.tranStateTableOffset,
        commitLogOffset: header.commitLogOffset ?? msg.commitLogOffset,
        commitOrRollback: transactionStateToFlag(state),
        fromTransactionCheck: true,
        msgId: header.msgId ?? msg.msgId,
        transactionId: header.transactionId ?? msg.transactionId,
      });
      if (remark) request.remark = remark;
      this.instance?.api.remoting.invokeOneway(brokerAddr, request);
    })();
  }

  /**
   * Request-reply (DefaultMQProducer.request): sends the message with a correlation id and this
   * client's id, and resolves with the reply a consumer sends back, or rejects with RequestTimeoutError.
   */
  request(msg: Message, timeoutMillis: number = this.options.sendMsgTimeout): Promise<MessageExt> {
    return this.requestVia(msg, timeoutMillis, (uniqueId) => this.dispatch(msg, 'SYNC', timeoutMillis, uniqueId, false));
  }

  /** Request-reply to the queue the selector picks, e.g. by hash key (request(msg, selector, arg, timeout)). */
  async requestWithSelector(
    msg: Message,
    selector: MessageQueueSelector,
    arg: unknown,
    timeoutMillis: number = this.options.sendMsgTimeout,
  ): Promise<MessageExt> {
    const mq = await this.selectQueue(msg, selector, arg);
    return this.requestVia(msg, timeoutMillis, (uniqueId) => this.sendKernel(msg, mq, 'SYNC', timeoutMillis, uniqueId));
  }

  private async requestVia(
    msg: Message,
    timeoutMillis: number,
    send: (uniqueId: string) => Promise<unknown>,
  ): Promise<MessageExt> {
    this.prepare(msg);
    const instance = this.clientInstance;
    const correlationId = randomUUID();
    msg.setProperty(MessageConst.PROPERTY_CORRELATION_ID, correlationId);
    msg.setProperty(MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT, instance.clientId);
    msg.setProperty(MessageConst.PROPERTY_MESSAGE_TTL, String(timeoutMillis));
    const waiting = instance.awaitReply(correlationId, timeoutMillis);
    try {
      await send(this.ensureUniqueId(msg));
    } catch (err) {
      waiting.cancel();
      throw err;
    }
    const reply = await waiting.reply;
    if (!reply) throw new RequestTimeoutError(msg.topic, timeoutMillis, correlationId);
    return reply;
  }

  async fetchPublishMessageQueues(topic: string): Promise<MessageQueue[]> {
    return (await this.tryToFindTopicPublishInfo(withNamespace(topic, this.clientConfig.namespace))).messageQueues;
  }

  private async selectQueue(msg: Message, selector: MessageQueueSelector, arg: unknown): Promise<MessageQueue> {
    this.prepare(msg);
    const info = await this.tryToFindTopicPublishInfo(msg.topic);
    const mq = selector(info.messageQueues, msg, arg);
    if (!mq) throw new MQClientError(`the queue selector chose no queue of topic ${msg.topic}`);
    return mq;
  }

  private prepare(msg: Message): void {
    checkMessage(msg, this.options.maxMessageSize);
    msg.topic = withNamespace(msg.topic, this.clientConfig.namespace);
  }

  private async sendDefault(msg: Message, mode: CommunicationMode, timeout: number): Promise<SendResult> {
    this.prepare(msg);
    const uniqueId = this.ensureUniqueId(msg);
    return this.dispatch(msg, mode, timeout, uniqueId, false);
  }

  /** The retry loop of sendDefaultImpl: other queues, within the total timeout. */
  private async dispatch(msg: Message, mode: CommunicationMode, timeout: number, uniqueId: string, batch: boolean, sysFlag = 0): Promise<SendResult> {
    const begin = Date.now();
    // The cached route without an extra async hop: this runs once per message.
    const cached = this.topicPublishInfoTable.get(msg.topic);
    const info = cached?.ok() ? cached : await this.tryToFindTopicPublishInfo(msg.topic);
    const attempts = this.attemptsFor(mode);
    let lastBrokerName: string | undefined;
    let lastError: unknown;
    let lastResult: SendResult | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const mq = info.selectOneMessageQueue(lastBrokerName);
      lastBrokerName = mq.brokerName;
      const remaining = timeout - (Date.now() - begin);
      if (remaining <= 0) break;
      try {
        const result = await this.sendKernel(msg, mq, mode, remaining, uniqueId, batch, sysFlag);
        if (!result) return undefined as unknown as SendResult;
        if (result.sendStatus !== SendStatus.SEND_OK && this.options.retryAnotherBrokerWhenNotStoreOK) {
          lastResult = result;
          continue;
        }
        return result;
      } catch (err) {
        lastError = err;
        this.checkRetryable(err, mq, attempt, attempts);
      }
    }
    if (lastResult) return lastResult;
    const elapsed = Date.now() - begin;
    throw new MQClientError(
      `send of a message to topic ${msg.topic} failed after ${elapsed} ms` +
        (lastError ? `: ${lastError instanceof Error ? lastError.message : String(lastError)}` : ' (send timeout)'),
      lastError instanceof MQBrokerError ? lastError.responseCode : undefined,
      { cause: lastError },
    );
  }

  private attemptsFor(mode: CommunicationMode): number {
    if (mode === 'SYNC') return 1 + this.options.retryTimesWhenSendFailed;
    if (mode === 'ASYNC') return 1 + this.options.retryTimesWhenSendAsyncFailed;
    return 1;
  }

  /** Rethrows what no other queue can fix (a client error, a broker code not worth retrying); logs the rest. */
  private checkRetryable(err: unknown, mq: MessageQueue, attempt: number, attempts: number): void {
    if (err instanceof MQBrokerError && !RETRYABLE_RESPONSE_CODES.has(err.responseCode)) throw err;
    if (err instanceof MQClientError && !(err instanceof MQBrokerError)) throw err;
    this.logger.warn(`send to ${mq.brokerName} queue ${mq.queueId} failed (attempt ${attempt + 1}/${attempts}): ${String(err)}`);
  }

  /** Not async on the common path (broker address known): it runs once per message. */
  private sendKernel(
    msg: Message,
    mq: MessageQueue,
    mode: CommunicationMode,
    timeout: number,
    uniqueId = this.ensureUniqueId(msg),
    batch = false,
    baseSysFlag = 0,
  ): Promise<SendResult | undefined> {
    let instance: MQClientInstance;
    try {
      instance = this.clientInstance;
    } catch (err) {
      return Promise.reject(err);
    }
    const addr = instance.findBrokerAddressInPublish(mq.brokerName);
    if (!addr) {
      return this.tryToFindTopicPublishInfo(mq.topic).then(() => {
        const found = instance.findBrokerAddressInPublish(mq.brokerName);
        if (!found) throw new MQClientError(`the broker ${mq.brokerName} does not exist`);
        return this.sendTo(instance, found, msg, mq, mode, timeout, uniqueId, batch, baseSysFlag);
      });
    }
    return this.sendTo(instance, addr, msg, mq, mode, timeout, uniqueId, batch, baseSysFlag);
  }

  private sendTo(
    instance: MQClientInstance,
    addr: string,
    msg: Message,
    mq: MessageQueue,
    mode: CommunicationMode,
    timeout: number,
    uniqueId: string,
    batch: boolean,
    baseSysFlag: number,
  ): Promise<SendResult | undefined> {
    let body = msg.body;
    let sysFlag = baseSysFlag;
    if (!batch && body.length >= this.options.compressMsgBodyOverHowmuch) {
      body = zlib.deflateSync(body, { level: 5 });
      sysFlag |= MessageSysFlag.COMPRESSED_FLAG;
    }
    const header: SendMessageRequestHeader = {
      producerGroup: this.groupName,
      topic: msg.topic,
      defaultTopic: this.options.createTopicKey,
      defaultTopicQueueNums: this.options.defaultTopicQueueNums,
      queueId: mq.queueId,
      sysFlag,
      bornTimestamp: Date.now(),
      flag: msg.flag,
      properties: messageProperties2String(msg.properties),
      reconsumeTimes: 0,
      unitMode: false,
      batch,
      brokerName: mq.brokerName,
    };
    const code = msg.properties[MessageConst.PROPERTY_MESSAGE_TYPE] === 'reply' ? RequestCode.SEND_REPLY_MESSAGE_V2 : undefined;
    if (mode === 'ONEWAY') {
      instance.api.sendMessageOneway(addr, header, body, code);
      return Promise.resolve(undefined);
    }
    const sent = instance.api.sendMessage(addr, mq.brokerName, header, body, timeout, uniqueId, code);
    // As MQClientAPIImpl.processSendResponse: the SendResult names the topic without the namespace.
    const ns = this.clientConfig.namespace;
    if (!ns) return sent;
    return sent.then((result) => {
      result.messageQueue = { ...result.messageQueue, topic: withoutNamespace(result.messageQueue.topic, ns) };
      return result;
    });
  }

  private ensureUniqueId(msg: Message): string {
    const key = MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX;
    let id = msg.properties[key];
    if (!id) msg.properties[key] = id = this.ids.next();
    return id;
  }

  /** The cached publish info, else the route from the NameServer, else the auto-create key topic's. */
  private async tryToFindTopicPublishInfo(topic: string): Promise<TopicPublishInfo> {
    const cached = this.topicPublishInfoTable.get(topic);
    if (cached?.ok()) return cached;
    checkTopic(topic);
    const instance = this.clientInstance;
    if (!this.topicPublishInfoTable.has(topic)) this.topicPublishInfoTable.set(topic, EMPTY_PUBLISH_INFO);
    const route = await instance.updateTopicRoute(topic);
    if (route) {
      const info = new TopicPublishInfo(route, topic);
      if (info.ok()) {
        this.topicPublishInfoTable.set(topic, info);
        return info;
      }
    }
    const defaultRoute = await instance.updateTopicRoute(this.options.createTopicKey);
    if (defaultRoute) {
      const info = new TopicPublishInfo(defaultRoute, topic, this.options.defaultTopicQueueNums);
      info.usesDefaultTopicRoute = true;
      if (info.ok()) return info;
    }
    throw new MQClientError(
      `no route info of topic ${topic}: create the topic, or enable autoCreateTopicEnable on the broker`,
      ResponseCode.TOPIC_NOT_EXIST,
    );
  }
}

const EMPTY_PUBLISH_INFO = new TopicPublishInfo({ queueDatas: [], brokerDatas: [] }, '');

