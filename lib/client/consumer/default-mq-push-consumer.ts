import { Logger } from '@nestjs/common';
import {
  Message,
  MessageConst,
  MessageExt,
  MessageQueue,
  decodeMessageRecords,
  messageQueueKey,
} from '../../message/index.js';
import { PullSysFlag } from '../../remoting/index.js';
import { ClientConfig, withNamespace, withoutNamespace } from '../client-config.js';
import { MQClientInstance } from '../impl/mq-client-instance.js';
import { MQConsumerInner } from '../impl/mq-client-inner.js';
import { PullStatus } from '../impl/mq-client-api.js';
import { ExpressionType, SubscriptionData, buildSubscriptionData, tagMatches } from '../impl/subscription-data.js';
import { getRetryTopic, isRetryTopic } from '../mix-all.js';
import { REPLY_TOPIC_POSTFIX } from '../reply-message.js';
import { definedOnly } from '../defined-only.js';
import { MQClientInstanceProvider } from '../mq-client-manager.js';
import { DefaultMQProducer } from '../producer/default-mq-producer.js';
import { MixAll } from '../mix-all.js';
import { MQClientError } from '../mq-client.error.js';
import { AllocateMessageQueueAveragely } from './allocate/allocate-message-queue-averagely.js';
import { AllocateMessageQueueStrategy } from './allocate/allocate-message-queue-strategy.js';
import { ConsumeMessageConcurrentlyService, describe } from './consume-message-concurrently-service.js';
import { ConsumeMessageOrderlyService } from './consume-message-orderly-service.js';
import { ConsumeHost, ConsumeMessageService } from './consume-message-service.js';
import { ConsumeFromWhere, MessageListener, MessageModel } from './consumer-enums.js';
import { LocalOffsetStore, OffsetStore, RemoteBrokerOffsetStore } from './offset-store.js';
import { ProcessQueue } from './process-queue.js';
import { PUSH_CONSUMER_DEFAULTS, PushConsumerOptions } from './push-consumer-options.js';
import { PullRequest, RebalanceHost, RebalancePushImpl } from './rebalance-push-impl.js';

/** Pause after a pull failed before the queue is pulled again (PULL_TIME_DELAY_MILLS_WHEN_EXCEPTION). */
const PULL_DELAY_WHEN_EXCEPTION = 3000;
/** Pause while a queue is over its flow-control thresholds (PULL_TIME_DELAY_MILLS_WHEN_FLOW_CONTROL). */
const PULL_DELAY_WHEN_FLOW_CONTROL = 50;
/** Pause while the consumer is suspended. */
const PULL_DELAY_WHEN_SUSPEND = 1000;
/** Client-side timeout of a long-polling pull: longer than the broker may hold it. */
const PULL_TIMEOUT_MARGIN = 15_000;
/** How soon a subscription whose topic has no route yet asks again. */
const ROUTE_RETRY_INTERVAL = 1000;
/** How often orderly consumers renew their broker locks (REBALANCE_LOCK_INTERVAL). */
const REBALANCE_LOCK_INTERVAL = 20_000;
/**
 * How soon a rebalance that could not lock a queue tries again: the previous owner unlocks right after its
 * in-flight message, so waiting for the next 20 s rebalance would stall the queue for nothing.
 */
const LOCK_RETRY_INTERVAL = 500;
/** Poll interval while a given-up orderly queue finishes its in-flight message. */
const HAND_OVER_POLL_INTERVAL = 10;

type ResolvedOptions = Required<Omit<PushConsumerOptions, 'consumeTimestamp' | 'allocateMessageQueueStrategy'>> &
  Pick<PushConsumerOptions, 'consumeTimestamp'>;

/**
 * A push consumer (DefaultMQPushConsumer): rebalance, long-polling pulls per owned queue, a
 * ProcessQueue per queue with flow control, concurrent or orderly consumption, offsets on the broker
 * (clustering) or in the client (broadcasting).
 */
export class DefaultMQPushConsumer implements MQConsumerInner, ConsumeHost, RebalanceHost {
  readonly options: ResolvedOptions;
  readonly allocateMessageQueueStrategy: AllocateMessageQueueStrategy;
  readonly consumeType = 'CONSUME_PASSIVELY' as const;
  private readonly logger = new Logger(DefaultMQPushConsumer.name);
  private readonly rebalance = new RebalancePushImpl(this);
  private listener?: MessageListener;
  private consumeService?: ConsumeMessageService;
  private offsetStore?: OffsetStore;
  private instance?: MQClientInstance;
  private state: 'CREATED' | 'RUNNING' | 'STOPPING' | 'SHUTDOWN' = 'CREATED';
  private paused = false;
  private routeRetryTimer?: NodeJS.Timeout;
  private lockTimer?: NodeJS.Timeout;
  private lockRetryTimer?: NodeJS.Timeout;
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  constructor(
    options: PushConsumerOptions,
    private readonly clientConfig: ClientConfig,
    private readonly manager: MQClientInstanceProvider,
  ) {
    if (!options?.consumerGroup) throw new MQClientError('consumerGroup is required for a push consumer');
    const { allocateMessageQueueStrategy, ...rest } = options;
    this.options = { ...PUSH_CONSUMER_DEFAULTS, ...definedOnly(rest) } as ResolvedOptions;
    this.options.consumerGroup = withNamespace(options.consumerGroup, clientConfig.namespace);
    this.allocateMessageQueueStrategy = allocateMessageQueueStrategy ?? new AllocateMessageQueueAveragely();
  }

  get groupName(): string {
    return this.options.consumerGroup;
  }

  get messageModel(): MessageModel {
    return this.options.messageModel as MessageModel;
  }

  get consumeFromWhere(): string {
    return this.options.consumeFromWhere;
  }

  get isBroadcasting(): boolean {
    return this.messageModel === MessageModel.BROADCASTING;
  }

  get running(): boolean {
    return this.state === 'RUNNING';
  }

  get clientId(): string {
    return this.instance?.clientId ?? '';
  }

  /** Orderly clustering consumers lock their queues on the broker (LOCK_BATCH_MQ) before consuming them. */
  get lockQueuesOnBroker(): boolean {
    return !!this.listener?.orderly && !this.isBroadcasting;
  }

  get maxReconsumeTimes(): number {
    return this.options.maxReconsumeTimes;
  }

  /** The queues this member owns right now. */
  get assignedQueues(): MessageQueue[] {
    return [...this.rebalance.processQueueTable.values()].map((e) => e.mq);
  }

  subscribe(topic: string, expression = '*', type: ExpressionType = ExpressionType.TAG): void {
    const t = withNamespace(topic, this.clientConfig.namespace);
    this.rebalance.subscriptionInner.set(t, buildSubscriptionData(t, expression, type));
    if (this.running) void this.instance!.sendHeartbeatToAllBrokers();
  }

  registerMessageListener(listener: MessageListener): void {
    this.listener = listener;
  }

  subscriptions(): SubscriptionData[] {
    return [...this.rebalance.subscriptionInner.values()];
  }

  /** Starts the consumer; resolves once the first rebalance assigned queues and their start offsets. */
  async start(): Promise<void> {
    if (this.state !== 'CREATED') throw new MQClientError(`the consumer of group ${this.groupName} was already started`);
    if (!this.listener) throw new MQClientError(`register a message listener before starting consumer group ${this.groupName}`);
    if (this.rebalance.subscriptionInner.size === 0) {
      throw new MQClientError(`consumer group ${this.groupName} subscribes to nothing; call subscribe() before start()`);
    }
    if (this.listener.orderly && this.isBroadcasting) {
      throw new MQClientError(`consumer group ${this.groupName}: orderly consumption does not support BROADCASTING`);
    }
    const threads = this.options.consumeThreadNumber;
    if (!Number.isInteger(threads) || threads < 1 || threads > 1000) {
      throw new MQClientError(`consumeThreadNumber must be an integer from 1 to 1000, got ${threads}`);
    }
    if (!this.isBroadcasting) this.rebalance.subscriptionInner.set(getRetryTopic(this.groupName), buildSubscriptionData(getRetryTopic(this.groupName), '*'));
    this.instance = this.manager.getOrCreateInstance(this.clientConfig);
    this.offsetStore = this.isBroadcasting
      ? new LocalOffsetStore()
      : new RemoteBrokerOffsetStore(
          this.instance,
          this.groupName,
          this.options.consumeFromWhere !== ConsumeFromWhere.CONSUME_FROM_TIMESTAMP,
        );
    const batch = this.options.consumeMessageBatchMaxSize;
    this.consumeService = this.listener.orderly
      ? new ConsumeMessageOrderlyService(this, this.listener, threads, batch, this.options.suspendCurrentQueueTimeMillis)
      : new ConsumeMessageConcurrentlyService(this, this.listener, threads, batch, this.options.consumeTimeout * 60_000);
    this.instance.registerConsumer(this);
    this.state = 'RUNNING';
    if (this.lockQueuesOnBroker) {
      this.lockTimer = setInterval(() => {
        if (this.running) void this.rebalance.lockAll().catch((err) => this.logger.warn(`renewing locks failed: ${describe(err)}`));
      }, REBALANCE_LOCK_INTERVAL);
      this.lockTimer.unref();
    }
    await this.refreshSubscribedRoutes();
    await this.instance.sendHeartbeatToAllBrokers();
    await this.refreshSubscribedRoutes(true);
    await this.doRebalance();
  }

  /** Fetches routes of subscribed topics; topics still without one are asked for again soon. */
  private async refreshSubscribedRoutes(onlyMissing = false): Promise<void> {
    const instance = this.instance!;
    const missing: string[] = [];
    await Promise.all(
      [...this.rebalance.subscriptionInner.keys()].map(async (topic) => {
        if (onlyMissing && this.rebalance.topicSubscribeInfoTable.has(topic)) return;
        const route = await instance.updateTopicRoute(topic).catch(() => undefined);
        if (!route) missing.push(topic);
      }),
    );
    if (missing.length > 0 && !this.routeRetryTimer && this.running) {
      this.routeRetryTimer = setTimeout(() => {
        this.routeRetryTimer = undefined;
        if (!this.running) return;
        void this.refreshSubscribedRoutes(true).then(() => this.doRebalance());
      }, ROUTE_RETRY_INTERVAL);
      this.routeRetryTimer.unref();
    }
  }

  updateTopicSubscribeInfo(topic: string, mqs: MessageQueue[]): void {
    if (!this.rebalance.subscriptionInner.has(topic)) return;
    const had = this.rebalance.topicSubscribeInfoTable.has(topic);
    this.rebalance.topicSubscribeInfoTable.set(topic, mqs);
    if (had && this.running) void this.instance!.rebalanceImmediately();
  }

  async doRebalance(): Promise<void> {
    if (!this.running) return;
    await this.rebalance.doRebalance();
    if (this.rebalance.lockPending && this.running && !this.lockRetryTimer) {
      this.lockRetryTimer = setTimeout(() => {
        this.lockRetryTimer = undefined;
        void this.doRebalance();
      }, LOCK_RETRY_INTERVAL);
      this.lockRetryTimer.unref();
    }
  }

  suspend(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /**
   * Stops pulling, waits for running handlers up to `awaitTerminationMillis`, commits offsets and leaves
   * the group so the other members take over its queues.
   */
  async shutdown(awaitTerminationMillis = this.options.awaitTerminationMillisWhenShutdown): Promise<void> {
    if (this.state !== 'RUNNING') {
      this.state = 'SHUTDOWN';
      return;
    }
    this.state = 'STOPPING';
    if (this.routeRetryTimer) clearTimeout(this.routeRetryTimer);
    if (this.lockTimer) clearInterval(this.lockTimer);
    if (this.lockRetryTimer) clearTimeout(this.lockRetryTimer);
    for (const s of this.sleepers) {
      clearTimeout(s.timer);
      s.resolve();
    }
    const drained = await this.consumeService!.shutdown(awaitTerminationMillis);
    if (!drained) {
      this.logger.warn(
        `consumer group ${this.groupName}: handlers still running after ${awaitTerminationMillis} ms; their messages will be delivered again`,
      );
    }
    this.rebalance.dropAll();
    await this.persistConsumerOffset(true);
    this.state = 'SHUTDOWN';
    await this.instance!.unregisterConsumer(this.groupName);
  }

  async persistConsumerOffset(force = false): Promise<void> {
    if (!this.offsetStore || (!this.running && !force)) return;
    await this.offsetStore.persistAll([...this.rebalance.processQueueTable.values()].map((e) => e.mq));
  }

  /**
   * Sends the reply to a request-reply message (MessageUtil.createReplyMessage + send): to the
   * `<cluster>_REPLY_TOPIC`, with the request's correlation id and the requester's client id, through this
   * client instance's own producer.
   */
  async sendReply(request: MessageExt, body: Buffer, timeoutMillis = 3000): Promise<void> {
    const instance = this.instance;
    if (!instance || !this.running) throw new MQClientError(`consumer group ${this.groupName} is not running; cannot reply`);
    const p = request.properties;
    const correlationId = p[MessageConst.PROPERTY_CORRELATION_ID];
    const replyTo = p[MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT];
    if (!correlationId || !replyTo) {
      throw new MQClientError(`message ${request.msgId} is not a request (no ${MessageConst.PROPERTY_CORRELATION_ID} / ${MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT}); nothing to reply to`);
    }
    const cluster = p[MessageConst.PROPERTY_CLUSTER];
    if (!cluster) throw new MQClientError(`message ${request.msgId} carries no CLUSTER property; cannot name the reply topic`);
    const reply = new Message(`${cluster}${REPLY_TOPIC_POSTFIX}`, body);
    reply.setProperty(MessageConst.PROPERTY_CORRELATION_ID, correlationId);
    reply.setProperty(MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT, replyTo);
    reply.setProperty(MessageConst.PROPERTY_MESSAGE_TTL, p[MessageConst.PROPERTY_MESSAGE_TTL]);
    reply.setProperty(MessageConst.PROPERTY_MESSAGE_TYPE, 'reply');
    const producer = instance.getDefaultProducer(
      () => new DefaultMQProducer({ producerGroup: MixAll.CLIENT_INNER_PRODUCER_GROUP }, this.clientConfig, { getOrCreateInstance: () => instance }),
    );
    await producer.start();
    await producer.send(reply, timeoutMillis);
  }

  /** RESET_CONSUMER_CLIENT_OFFSET: drop what is cached for those queues and pull again from the new offsets. */
  async resetOffset(topic: string, offsets: Array<{ mq: MessageQueue; offset: number }>): Promise<void> {
    if (!this.running || !this.offsetStore) return;
    for (const { mq, offset } of offsets) {
      if (mq.topic !== topic) continue;
      const entry = this.rebalance.processQueueTable.get(messageQueueKey(mq));
      if (entry) {
        entry.pq.dropped = true;
        this.rebalance.processQueueTable.delete(messageQueueKey(mq));
      }
      this.offsetStore.updateOffset(mq, offset, false);
      await this.offsetStore.persist(mq);
    }
    this.logger.log(`consumer group ${this.groupName} reset its offsets of topic ${topic}`);
    await this.doRebalance();
  }

  // ---- RebalanceHost ----

  async findConsumerIdList(topic: string): Promise<string[]> {
    const instance = this.instance!;
    let addr = instance.findBrokerAddrByTopic(topic);
    if (!addr) {
      await instance.updateTopicRoute(topic);
      addr = instance.findBrokerAddrByTopic(topic);
    }
    if (!addr) return [];
    return instance.api.getConsumerIdListByGroup(addr, this.groupName, instance.timeout);
  }

  /** Where to start a queue (RebalancePushImpl.computePullFromWhere); -1 skips it this round. */
  async computePullFromWhere(mq: MessageQueue): Promise<number> {
    const store = this.offsetStore!;
    let lastOffset: number;
    try {
      lastOffset = await store.readOffset(mq, true);
    } catch (err) {
      this.logger.warn(`reading the offset of ${messageQueueKey(mq)} failed: ${describe(err)}`);
      return -1;
    }
    if (lastOffset >= 0) return lastOffset;
    const instance = this.instance!;
    const addr = instance.findBrokerAddressInPublish(mq.brokerName);
    if (!addr) return -1;
    try {
      switch (this.options.consumeFromWhere as ConsumeFromWhere) {
        case ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET:
          return 0;
        case ConsumeFromWhere.CONSUME_FROM_TIMESTAMP: {
          if (isRetryTopic(mq.topic)) return await instance.api.getMaxOffset(addr, mq, instance.timeout);
          const ts = parseConsumeTimestamp(this.options.consumeTimestamp);
          return await instance.api.searchOffset(addr, mq, ts, instance.timeout);
        }
        default:
          if (isRetryTopic(mq.topic)) return 0;
          return await instance.api.getMaxOffset(addr, mq, instance.timeout);
      }
    } catch (err) {
      this.logger.warn(`computing the start offset of ${messageQueueKey(mq)} failed: ${describe(err)}`);
      return -1;
    }
  }

  async removeUnnecessaryMessageQueue(mq: MessageQueue, pq: ProcessQueue): Promise<void> {
    if (this.lockQueuesOnBroker) {
      // In the background: the rebalance must not wait for a slow handler of a queue it gives up.
      void this.handOverOrderlyQueue(mq, pq);
      return;
    }
    await this.offsetStore!.persist(mq);
    this.offsetStore!.removeOffset(mq);
  }

  /**
   * Gives an orderly queue up: waits for the message in flight (its offset is committed), writes the offset
   * to the broker, then unlocks, so the next owner starts exactly after it and never consumes beside it.
   */
  private async handOverOrderlyQueue(mq: MessageQueue, pq: ProcessQueue): Promise<void> {
    while (pq.consuming && this.state === 'RUNNING') await this.sleep(HAND_OVER_POLL_INTERVAL);
    try {
      await this.offsetStore!.persist(mq);
      this.offsetStore!.removeOffset(mq);
      const instance = this.instance!;
      const addr = instance.findBrokerAddressInPublish(mq.brokerName);
      if (addr && pq.locked) {
        pq.locked = false;
        await instance.api.unlockBatchMQ(addr, { consumerGroup: this.groupName, clientId: this.clientId, mqSet: [mq] }, instance.timeout);
      }
    } catch (err) {
      // The lock then expires on the broker (60 s) or goes when this client leaves the group.
      this.logger.warn(`handing over ${messageQueueKey(mq)} of group ${this.groupName} failed: ${describe(err)}`);
    }
  }

  async lockBatch(brokerName: string, mqs: MessageQueue[]): Promise<MessageQueue[]> {
    const instance = this.instance!;
    const addr = instance.findBrokerAddressInPublish(brokerName);
    if (!addr || mqs.length === 0) return [];
    try {
      return await instance.api.lockBatchMQ(addr, { consumerGroup: this.groupName, clientId: this.clientId, mqSet: mqs }, instance.timeout);
    } catch (err) {
      this.logger.warn(`locking queues of group ${this.groupName} on ${brokerName} failed: ${describe(err)}`);
      return [];
    }
  }

  dispatchPullRequest(request: PullRequest): void {
    void this.pullLoop(request);
  }

  // ---- ConsumeHost ----

  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void {
    this.offsetStore?.updateOffset(mq, offset, increaseOnly);
  }

  async sendMessageBack(msg: MessageExt, delayLevel: number, mq: MessageQueue): Promise<boolean> {
    const instance = this.instance!;
    const addr = instance.findBrokerAddressInPublish(mq.brokerName);
    if (!addr) return false;
    try {
      const max = this.options.maxReconsumeTimes === -1 ? 16 : this.options.maxReconsumeTimes;
      await instance.api.consumerSendMessageBack(addr, msg, this.groupName, delayLevel, max, instance.timeout);
      return true;
    } catch (err) {
      this.logger.debug(`sending message ${msg.msgId} back to ${addr} failed, consuming it here again later: ${describe(err)}`);
      return false;
    }
  }

  // ---- pulling ----

  /** One queue's pull loop (PullMessageService + DefaultMQPushConsumerImpl.pullMessage). */
  private async pullLoop(request: PullRequest): Promise<void> {
    const { messageQueue: mq, processQueue: pq } = request;
    const instance = this.instance!;
    const sub = this.rebalance.subscriptionInner.get(mq.topic);
    if (!sub) return;
    const o = this.options;
    const clustering = !this.isBroadcasting;
    while (!pq.dropped && this.running) {
      if (this.paused) {
        await this.sleep(PULL_DELAY_WHEN_SUSPEND);
        continue;
      }
      if (this.lockQueuesOnBroker && !pq.locked) {
        await this.sleep(PULL_DELAY_WHEN_EXCEPTION);
        continue;
      }
      if (
        pq.msgCount > o.pullThresholdForQueue ||
        pq.msgSize > o.pullThresholdSizeForQueue * 1024 * 1024 ||
        (!this.listener!.orderly && pq.maxSpan() > o.consumeConcurrentlyMaxSpan)
      ) {
        await this.sleep(PULL_DELAY_WHEN_FLOW_CONTROL);
        continue;
      }
      const addr = instance.findBrokerAddressInPublish(mq.brokerName);
      if (!addr) {
        await this.sleep(PULL_DELAY_WHEN_EXCEPTION);
        continue;
      }
      const commitOffset = clustering ? this.offsetStore!.peekOffset(mq) : -1;
      const sysFlag =
        (commitOffset > 0 ? PullSysFlag.COMMIT_OFFSET : 0) | PullSysFlag.SUSPEND | PullSysFlag.SUBSCRIPTION;
      let response;
      pq.lastPullTimestamp = Date.now();
      try {
        response = await instance.api.pullMessage(
          addr,
          {
            consumerGroup: this.groupName,
            topic: mq.topic,
            queueId: mq.queueId,
            queueOffset: request.nextOffset,
            maxMsgNums: o.pullBatchSize,
            sysFlag,
            commitOffset: Math.max(commitOffset, 0),
            suspendTimeoutMillis: o.brokerSuspendMaxTimeMillis,
            subscription: sub.subString,
            subVersion: sub.subVersion,
            expressionType: sub.expressionType,
          },
          o.brokerSuspendMaxTimeMillis + PULL_TIMEOUT_MARGIN,
        );
      } catch (err) {
        if (!this.running || pq.dropped) return;
        this.logger.warn(`pull of ${messageQueueKey(mq)} for ${this.groupName} failed: ${describe(err)}`);
        await this.sleep(PULL_DELAY_WHEN_EXCEPTION);
        continue;
      }
      if (pq.dropped || !this.running) return;
      switch (response.status) {
        case PullStatus.FOUND: {
          request.nextOffset = response.nextBeginOffset;
          const msgs = response.body ? this.processPulledMessages(response.body, sub, response, mq.brokerName) : [];
          if (msgs.length > 0 && pq.putMessages(msgs)) {
            this.consumeService!.submitConsumeRequest(msgs, pq, mq);
          } else if (pq.msgCount === 0) {
            this.offsetStore!.updateOffset(mq, request.nextOffset, true);
          }
          break;
        }
        case PullStatus.NO_NEW_MSG:
        case PullStatus.NO_MATCHED_MSG:
          request.nextOffset = response.nextBeginOffset;
          if (pq.msgCount === 0) this.offsetStore!.updateOffset(mq, request.nextOffset, true);
          break;
        case PullStatus.OFFSET_ILLEGAL:
          this.logger.warn(
            `offset ${request.nextOffset} of ${messageQueueKey(mq)} is illegal for ${this.groupName}; moving to ${response.nextBeginOffset}`,
          );
          request.nextOffset = response.nextBeginOffset;
          this.offsetStore!.updateOffset(mq, request.nextOffset, false);
          await this.offsetStore!.persist(mq);
          break;
      }
      if (o.pullInterval > 0) await this.sleep(o.pullInterval);
    }
  }

  /** Decodes, re-checks tags exactly, restores retry topics and namespaces (PullAPIWrapper.processPullResult). */
  private processPulledMessages(
    body: Buffer,
    sub: SubscriptionData,
    response: { minOffset: number; maxOffset: number },
    brokerName: string,
  ): MessageExt[] {
    // The pull response is this consumer's alone (the broker sends a fresh buffer): bodies may be views of it.
    const decoded = decodeMessageRecords(body, { copyBody: false });
    const out: MessageExt[] = [];
    const minOffset = String(response.minOffset);
    const maxOffset = String(response.maxOffset);
    const ns = this.clientConfig.namespace;
    for (const m of decoded) {
      if (!tagMatches(sub, m.tags)) continue;
      m.properties[MessageConst.PROPERTY_MIN_OFFSET] = minOffset;
      m.properties[MessageConst.PROPERTY_MAX_OFFSET] = maxOffset;
      m.brokerName = brokerName;
      const retryTopic = m.properties[MessageConst.PROPERTY_RETRY_TOPIC];
      if (retryTopic && isRetryTopic(m.topic)) m.topic = retryTopic;
      if (ns) m.topic = withoutNamespace(m.topic, ns);
      out.push(m);
    }
    return out;
  }


  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleepers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      entry.timer.unref();
      this.sleepers.add(entry);
    });
  }
}

/** Parses `yyyyMMddHHmmss` (local time); absent means half an hour ago, as in RocketMQ. */
export function parseConsumeTimestamp(value: string | undefined): number {
  if (!value) return Date.now() - 30 * 60 * 1000;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!m) throw new MQClientError(`consumeTimestamp "${value}" is not in the form yyyyMMddHHmmss`);
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return new Date(y, mo - 1, d, h, mi, s).getTime();
}

