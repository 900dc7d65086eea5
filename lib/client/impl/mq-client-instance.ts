import { Logger } from '@nestjs/common';
import * as zlib from 'node:zlib';
import {
  MessageConst,
  MessageExt,
  MessageQueue,
  MessageSysFlag,
  decodeMessageRecord,
  string2messageProperties,
} from '../../message/index.js';
import { PermName, RemotingCommand, RequestCode, ResponseCode } from '../../remoting/index.js';
import { ResolvedClientConfig } from '../client-config.js';
import { MixAll } from '../mix-all.js';
import { MQClientError } from '../mq-client.error.js';
import { TopicPublishInfo } from '../route/topic-publish-info.js';
import { TopicRouteData, masterAddress, sameRoute } from '../route/topic-route-data.js';
import { HeartbeatData } from './heartbeat-data.js';
import { MQClientAPI } from './mq-client-api.js';
import { MQConsumerInner, MQProducerInner } from './mq-client-inner.js';

/** How often every consumer re-runs its rebalance (RebalanceService's wait interval). @default 20000 */
export const REBALANCE_INTERVAL = 20_000;

/**
 * One client instance per client id (MQClientInstance): the connections, the route cache, the producers
 * and consumers that share them, and the scheduled work they all need (route refresh, heartbeats,
 * offset persistence, rebalance).
 */
export class MQClientInstance {
  readonly api: MQClientAPI;
  private readonly logger = new Logger(MQClientInstance.name);
  private readonly producers = new Map<string, MQProducerInner>();
  private readonly consumers = new Map<string, MQConsumerInner>();
  private readonly topicRouteTable = new Map<string, TopicRouteData>();
  /** brokerName -> brokerId -> address */
  private readonly brokerAddrTable = new Map<string, Record<string, string>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly routeFetches = new Map<string, Promise<TopicRouteData | undefined>>();
  private started = false;
  private heartbeatRunning?: Promise<void>;
  private heartbeatAgain = false;
  private rebalanceRunning?: Promise<void>;
  private rebalanceAgain = false;
  /** Request-reply: correlation id -> the request waiting for its reply (RequestFutureHolder). */
  private readonly requestFutures = new Map<string, (reply: MessageExt) => void>();
  private defaultProducer?: MQProducerInner & { shutdown(): Promise<void> };

  constructor(
    readonly clientId: string,
    readonly config: ResolvedClientConfig,
    remoting: ConstructorParameters<typeof MQClientAPI>[0],
    private readonly onEmpty: (instance: MQClientInstance) => void,
  ) {
    this.api = new MQClientAPI(remoting, config.namesrvAddr);
    remoting.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, {
      processRequest: (_channel, request) => {
        this.logger.debug(`consumer ids of group ${request.field('consumerGroup')} changed; rebalancing`);
        void this.rebalanceImmediately();
        return null;
      },
    });
    remoting.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, {
      processRequest: (channel, request) => {
        this.checkTransactionState(channel.remoteAddress, request);
        return null;
      },
    });
    remoting.registerProcessor(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, {
      processRequest: (channel, request) => this.receiveReplyMessage(channel.remoteAddress, request),
    });
    remoting.registerProcessor(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, {
      processRequest: async (_channel, request) => {
        await this.resetOffset(request);
        return RemotingCommand.createResponse(ResponseCode.SUCCESS);
      },
    });
  }

  private checkTransactionState(brokerAddr: string, request: RemotingCommand): void {
    if (!request.body) return;
    const msg = decodeMessageRecord(request.body);
    msg.transactionId = request.extFields.transactionId ?? msg.properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX];
    const group = msg.properties[MessageConst.PROPERTY_PRODUCER_GROUP];
    const producer = group ? this.producers.get(group) : undefined;
    if (!producer?.checkTransactionState) {
      this.logger.warn(`check-back for transaction ${msg.transactionId} of group ${group}: no such transactional producer here`);
      return;
    }
    producer.checkTransactionState(brokerAddr, msg, request.extFields);
  }

  private receiveReplyMessage(brokerAddr: string, request: RemotingCommand): RemotingCommand {
    const h = request.extFields;
    const msg = new MessageExt(h.topic ?? '', request.body ?? Buffer.alloc(0));
    msg.queueId = Number(h.queueId ?? 0);
    msg.flag = Number(h.flag ?? 0);
    msg.sysFlag = Number(h.sysFlag ?? 0);
    msg.bornTimestamp = Number(h.bornTimestamp ?? 0);
    msg.bornHost = h.bornHost ?? '';
    msg.storeHost = h.storeHost ?? brokerAddr;
    msg.storeTimestamp = Number(h.storeTimestamp ?? 0);
    msg.reconsumeTimes = Number(h.reconsumeTimes ?? 0);
    msg.properties = string2messageProperties(h.properties ?? '');
    if (msg.sysFlag & MessageSysFlag.COMPRESSED_FLAG) msg.body = zlib.inflateSync(msg.body);
    const correlationId = msg.properties[MessageConst.PROPERTY_CORRELATION_ID];
    const complete = correlationId ? this.requestFutures.get(correlationId) : undefined;
    if (complete) complete(msg);
    else this.logger.warn(`a reply with correlation id ${correlationId} came after its request timed out; dropped`);
    return RemotingCommand.createResponse(ResponseCode.SUCCESS);
  }

  /** Waits for the reply to a request-reply message; resolves undefined on timeout. */
  awaitReply(correlationId: string, timeoutMillis: number): { reply: Promise<MessageExt | undefined>; cancel(): void } {
    let timer: NodeJS.Timeout | undefined;
    const reply = new Promise<MessageExt | undefined>((resolve) => {
      timer = setTimeout(() => {
        this.requestFutures.delete(correlationId);
        resolve(undefined);
      }, Math.max(timeoutMillis, 0));
      this.requestFutures.set(correlationId, (msg) => {
        clearTimeout(timer);
        this.requestFutures.delete(correlationId);
        resolve(msg);
      });
    });
    return {
      reply,
      cancel: () => {
        clearTimeout(timer);
        this.requestFutures.delete(correlationId);
      },
    };
  }

  private async resetOffset(request: RemotingCommand): Promise<void> {
    const group = request.extFields.group;
    const topic = request.extFields.topic;
    const consumer = group ? this.consumers.get(group) : undefined;
    if (!consumer?.resetOffset || !topic || !request.body) return;
    await consumer.resetOffset(topic, parseResetOffsetBody(request.body));
  }

  /**
   * The instance's own producer (CLIENT_INNER_PRODUCER), for sends that belong to no user producer:
   * replies of request-reply consumers.
   */
  getDefaultProducer<P extends MQProducerInner & { shutdown(): Promise<void>; start(): Promise<void> }>(
    create: () => P,
  ): P {
    if (!this.defaultProducer) this.defaultProducer = create();
    return this.defaultProducer as P;
  }

  get timeout(): number {
    return this.config.mqClientApiTimeout;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const every = (ms: number, task: () => Promise<unknown>) => {
      const t = setInterval(() => {
        task().catch((err) => this.logger.warn(String(err)));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.config.pollNameServerInterval, () => this.updateTopicRouteInfoFromNameServer());
    every(this.config.heartbeatBrokerInterval, () => this.sendHeartbeatToAllBrokers());
    every(this.config.persistConsumerOffsetInterval, () => this.persistAllConsumerOffset());
    every(this.config.rebalanceInterval ?? REBALANCE_INTERVAL, () => this.rebalanceImmediately());
  }

  registerProducer(producer: MQProducerInner): void {
    if (this.producers.has(producer.groupName)) {
      throw new MQClientError(
        `the producer group "${producer.groupName}" is already in use by client ${this.clientId}; give each producer its own group or instanceName`,
      );
    }
    this.producers.set(producer.groupName, producer);
  }

  registerConsumer(consumer: MQConsumerInner): void {
    if (this.consumers.has(consumer.groupName)) {
      throw new MQClientError(
        `the consumer group "${consumer.groupName}" is already in use by client ${this.clientId}; one consumer per group per client instance`,
      );
    }
    this.consumers.set(consumer.groupName, consumer);
  }

  async unregisterProducer(group: string): Promise<void> {
    if (!this.producers.delete(group)) return;
    await this.unregisterClient({ producerGroup: group });
    await this.releaseIfEmpty();
  }

  async unregisterConsumer(group: string): Promise<void> {
    if (!this.consumers.delete(group)) return;
    await this.unregisterClient({ consumerGroup: group });
    await this.releaseIfEmpty();
  }

  private async unregisterClient(group: { producerGroup?: string; consumerGroup?: string }): Promise<void> {
    await Promise.all(
      this.masterAddresses().map((addr) =>
        this.api.unregisterClient(addr, this.clientId, group, this.timeout).catch((err) => {
          this.logger.debug(`unregister from ${addr} failed: ${String(err)}`);
        }),
      ),
    );
  }

  private async releaseIfEmpty(): Promise<void> {
    const inner = this.defaultProducer ? 1 : 0;
    if (this.producers.size > inner || this.consumers.size > 0) return;
    if (this.defaultProducer) {
      const producer = this.defaultProducer;
      this.defaultProducer = undefined;
      await producer.shutdown();
      return;
    }
    this.shutdown();
    this.onEmpty(this);
  }

  shutdown(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.api.remoting.shutdown();
    this.started = false;
  }

  /** Refreshes the route of every topic a producer publishes to or a consumer subscribes to. */
  async updateTopicRouteInfoFromNameServer(): Promise<void> {
    const topics = new Set<string>();
    for (const c of this.consumers.values()) for (const s of c.subscriptions()) topics.add(s.topic);
    for (const p of this.producers.values()) for (const t of p.publishTopics()) topics.add(t);
    await Promise.all([...topics].map((t) => this.updateTopicRoute(t).catch(() => undefined)));
  }

  /**
   * Fetches one topic's route and hands it to producers and consumers. Concurrent calls for one topic
   * share a single request. Returns undefined when the topic has no route.
   */
  updateTopicRoute(topic: string): Promise<TopicRouteData | undefined> {
    let pending = this.routeFetches.get(topic);
    if (!pending) {
      pending = this.fetchRoute(topic).finally(() => this.routeFetches.delete(topic));
      this.routeFetches.set(topic, pending);
    }
    return pending;
  }

  private async fetchRoute(topic: string): Promise<TopicRouteData | undefined> {
    let route: TopicRouteData;
    try {
      route = await this.api.getTopicRouteInfoFromNameServer(topic, this.timeout);
    } catch (err) {
      if (err instanceof MQClientError && err.code === 17) return undefined;
      throw err;
    }
    const previous = this.topicRouteTable.get(topic);
    for (const bd of route.brokerDatas) this.brokerAddrTable.set(bd.brokerName, { ...bd.brokerAddrs });
    this.topicRouteTable.set(topic, route);
    const changed = !sameRoute(previous, route);
    if (changed && !previous) {
      // New brokers must know this client before it sends or pulls there.
      void this.sendHeartbeatToAllBrokers();
    }
    // Everyone on a change; otherwise those that never had this topic's route (isNeedUpdateTopicRouteInfo):
    // a consumer joining an instance whose producer already fetched the route must still get its queues.
    let info: TopicPublishInfo | undefined;
    for (const p of this.producers.values()) {
      if (this.needsRoute(p, topic, changed)) p.updateTopicPublishInfo(topic, (info ??= new TopicPublishInfo(route, topic)));
    }
    let mqs: MessageQueue[] | undefined;
    for (const c of this.consumers.values()) {
      if (this.needsRoute(c, topic, changed)) c.updateTopicSubscribeInfo(topic, (mqs ??= topicRouteToSubscribeInfo(topic, route)));
    }
    return route;
  }

  /** Whether `inner` gets this route: on a change, or when it has not had one for `topic` yet. Records the delivery. */
  private needsRoute(inner: object, topic: string, changed: boolean): boolean {
    let topics = this.routeDelivered.get(inner);
    if (!topics) {
      topics = new Set();
      this.routeDelivered.set(inner, topics);
    }
    const fresh = !topics.has(topic);
    topics.add(topic);
    return changed || fresh;
  }

  /** The topics whose route each producer and consumer has been given. */
  private readonly routeDelivered = new WeakMap<object, Set<string>>();

  getRoute(topic: string): TopicRouteData | undefined {
    return this.topicRouteTable.get(topic);
  }

  findBrokerAddressInPublish(brokerName: string): string | undefined {
    return this.brokerAddrTable.get(brokerName)?.[String(MixAll.MASTER_ID)];
  }

  /** Any broker serving the topic; the one to ask for a group's consumer list. */
  findBrokerAddrByTopic(topic: string): string | undefined {
    const route = this.topicRouteTable.get(topic);
    const brokers = route?.brokerDatas ?? [];
    if (brokers.length === 0) return undefined;
    const pick = brokers[Math.floor(Math.random() * brokers.length)];
    return masterAddress(pick) ?? Object.values(pick.brokerAddrs)[0];
  }

  masterAddresses(): string[] {
    const out: string[] = [];
    for (const addrs of this.brokerAddrTable.values()) {
      const master = addrs[String(MixAll.MASTER_ID)];
      if (master) out.push(master);
    }
    return out;
  }

  /** Sends one heartbeat to every master; calls that arrive while one runs share the next round. */
  sendHeartbeatToAllBrokers(): Promise<void> {
    if (this.heartbeatRunning) {
      this.heartbeatAgain = true;
      return this.heartbeatRunning;
    }
    const run = async () => {
      do {
        this.heartbeatAgain = false;
        const data = this.heartbeatData();
        if (data.producerDataSet.length === 0 && data.consumerDataSet.length === 0) return;
        await Promise.all(
          this.masterAddresses().map((addr) =>
            this.api.sendHeartbeat(addr, data, this.timeout).catch((err) => {
              this.logger.warn(`heartbeat to ${addr} failed: ${String(err)}`);
            }),
          ),
        );
      } while (this.heartbeatAgain);
    };
    this.heartbeatRunning = run().finally(() => (this.heartbeatRunning = undefined));
    return this.heartbeatRunning;
  }

  private heartbeatData(): HeartbeatData {
    return {
      clientID: this.clientId,
      producerDataSet: [...this.producers.keys()].map((groupName) => ({ groupName })),
      consumerDataSet: [...this.consumers.values()].map((c) => ({
        groupName: c.groupName,
        consumeType: c.consumeType,
        messageModel: c.messageModel,
        consumeFromWhere: c.consumeFromWhere,
        subscriptionDataSet: c.subscriptions(),
        unitMode: false,
      })),
    };
  }

  /** Rebalances every consumer now; calls that arrive while one runs share the next round. */
  rebalanceImmediately(): Promise<void> {
    if (this.rebalanceRunning) {
      this.rebalanceAgain = true;
      return this.rebalanceRunning;
    }
    const run = async () => {
      do {
        this.rebalanceAgain = false;
        for (const c of [...this.consumers.values()]) {
          await c.doRebalance().catch((err) => this.logger.warn(`rebalance of ${c.groupName} failed: ${String(err)}`));
        }
      } while (this.rebalanceAgain);
    };
    this.rebalanceRunning = run().finally(() => (this.rebalanceRunning = undefined));
    return this.rebalanceRunning;
  }

  async persistAllConsumerOffset(): Promise<void> {
    await Promise.all([...this.consumers.values()].map((c) => c.persistConsumerOffset()));
  }

  /** Sends a request to a broker by name, for callers that hold only a broker name. */
  invokeBroker(brokerName: string, request: RemotingCommand): Promise<RemotingCommand> {
    const addr = this.findBrokerAddressInPublish(brokerName);
    if (!addr) return Promise.reject(new MQClientError(`broker ${brokerName} is not in any known route`));
    return this.api.remoting.invoke(addr, request, this.timeout);
  }
}

/** The readable queues of a topic, for consumers (MQClientInstance.topicRouteData2TopicSubscribeInfo). */
export function topicRouteToSubscribeInfo(topic: string, route: TopicRouteData): MessageQueue[] {
  const mqs: MessageQueue[] = [];
  for (const qd of route.queueDatas) {
    if (!(qd.perm & PermName.PERM_READ)) continue;
    for (let i = 0; i < qd.readQueueNums; i++) mqs.push({ topic, brokerName: qd.brokerName, queueId: i });
  }
  return mqs;
}

/**
 * Reads a ResetOffsetBody: the list form the bundled broker writes, or Java's fastjson form whose keys are
 * MessageQueue objects (`{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:5}}`).
 */
export function parseResetOffsetBody(body: Buffer): Array<{ mq: MessageQueue; offset: number }> {
  const text = body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as { offsetTable?: Array<{ messageQueue: MessageQueue; offset: number }> };
    if (Array.isArray(parsed.offsetTable)) {
      return parsed.offsetTable.map((e) => ({ mq: e.messageQueue, offset: Number(e.offset) }));
    }
  } catch {
    // fastjson's object-keyed map is not JSON; read it entry by entry below
  }
  const out: Array<{ mq: MessageQueue; offset: number }> = [];
  const entry = /\{([^{}]*)\}\s*:\s*(-?\d+)/g;
  for (let m = entry.exec(text); m; m = entry.exec(text)) {
    const mq = JSON.parse(`{${m[1]}}`) as MessageQueue;
    out.push({ mq: { topic: mq.topic, brokerName: mq.brokerName, queueId: Number(mq.queueId) }, offset: Number(m[2]) });
  }
  return out;
}
