import { Logger } from '@nestjs/common';
import {
  RemotingChannel,
  RemotingClient,
  RemotingCommand,
  RequestCode,
  RequestDispatcher,
} from '../remoting/index.js';
import { MemoryMessageStore, MessageStore } from '../store/index.js';
import { brokerAddress, BrokerConfig, resolveBrokerConfig } from './broker-config.js';
import { BrokerOuterAPI } from './broker-outer-api.js';
import { TimerCheckpoint } from './config/timer-checkpoint.js';
import { ConfigManager } from './config/config-manager.js';
import { CoalescingRunner } from '../common/coalescing-runner.js';
import { ConsumerManager, ProducerManager } from './client/index.js';
import { ConsumerOffsetManager } from './consumer-offset-manager.js';
import { RebalanceLockManager } from './lock/index.js';
import { PullRequestHoldService } from './longpolling/index.js';
import {
  AdminBrokerProcessor,
  ClientManageProcessor,
  ConsumerManageProcessor,
  EndTransactionProcessor,
  LockBatchMqProcessor,
  PullMessageProcessor,
  replyTopic,
  ReplyMessageProcessor,
  SendMessageProcessor,
} from './processor/index.js';
import {
  ConsumerSendMsgBackProcessor,
  QueryMessageProcessor,
  ResetOffsetProcessor,
  RetryDlqPutMessageInterceptor,
} from './processor/index.js';
import { ScheduleMessageService, SchedulePutMessageInterceptor, TimerMessageService } from './schedule/index.js';
import { SubscriptionGroupManager } from './subscription-group-manager.js';
import { TopicConfigManager } from './topic-config-manager.js';
import { createTopicConfig } from './topic-config.js';
import {
  HalfMessagePutInterceptor,
  TransactionalMessageBridge,
  TransactionalMessageCheckListener,
  TransactionalMessageCheckService,
  TransactionalMessageService,
} from './transaction/index.js';

/** How often clients that stopped heart-beating are looked for (ClientHousekeepingService). */
const CLIENT_SCAN_INTERVAL_MILLIS = 10000;

export interface BrokerControllerOptions {
  /** How the broker reaches NameServers (REGISTER_BROKER). */
  remotingClient: RemotingClient;
  /** The store; a MemoryMessageStore sized by the broker config when absent. */
  messageStore?: MessageStore;
  /**
   * Root under which the metadata lives (`config/topics.json`, `subscriptionGroup.json`,
   * `consumerOffset.json`, `delayOffset.json`, `timerCheckpoint.json`); absent, it is kept in memory only,
   * as the memory store's messages are.
   */
  storePathRootDir?: string;
}

/** A store that recovers from disk before it starts (the file store). */
interface LoadableMessageStore {
  load(): Promise<{ cleanShutdown: boolean }>;
}

function isLoadable(store: MessageStore): store is MessageStore & LoadableMessageStore {
  return typeof (store as Partial<LoadableMessageStore>).load === 'function';
}

/**
 * One RocketMQ broker (BrokerController): the managers, the request processors behind `dispatcher`, and
 * the periodic work (NameServer registration, client expiry). Transport-agnostic: whoever owns it binds
 * `dispatcher` to an in-process registry or a TCP server.
 */
export class BrokerController {
  private readonly logger = new Logger(BrokerController.name);
  readonly brokerConfig: BrokerConfig;
  readonly brokerAddress: string;
  readonly messageStore: MessageStore;
  readonly topicConfigManager: TopicConfigManager;
  readonly subscriptionGroupManager: SubscriptionGroupManager;
  readonly consumerOffsetManager: ConsumerOffsetManager;
  readonly consumerManager: ConsumerManager;
  readonly producerManager = new ProducerManager();
  /** Orderly consumers' queue locks (LOCK_BATCH_MQ / UNLOCK_BATCH_MQ). */
  readonly rebalanceLockManager = new RebalanceLockManager();
  readonly pullRequestHoldService: PullRequestHoldService;
  readonly sendMessageProcessor: SendMessageProcessor;
  readonly pullMessageProcessor: PullMessageProcessor;
  /** Delay levels (DELAY property): SCHEDULE_TOPIC_XXXX and its delivery. */
  readonly scheduleMessageService: ScheduleMessageService;
  /** Timer messages (TIMER_DELIVER_MS, TIMER_DELAY_SEC, TIMER_DELAY_MS): rmq_sys_wheel_timer and its delivery. */
  readonly timerMessageService: TimerMessageService;
  /** The timer service's progress on disk. */
  readonly timerCheckpoint: TimerCheckpoint;
  /** Parks delayed and timer messages; every put path that may carry DELAY or TIMER_* runs it before storing. */
  readonly schedulePutMessageInterceptor: SchedulePutMessageInterceptor;
  readonly transactionalMessageService: TransactionalMessageService;
  readonly transactionalMessageCheckListener: TransactionalMessageCheckListener;
  readonly transactionalMessageCheckService: TransactionalMessageCheckService;
  /** Routes requests to the processors; bind it to a transport. */
  readonly dispatcher = new RequestDispatcher(new Logger(BrokerController.name));
  private readonly brokerOuterAPI: BrokerOuterAPI;
  private readonly trackedChannels = new WeakSet<RemotingChannel>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly offsetsPersister = new CoalescingRunner(() => this.writeOffsets((table, snapshot) => table.persistAsync(snapshot)));
  private registration: Promise<void> | undefined;
  private registrationPending = false;
  private readonly storePathRootDir: string | undefined;
  private loaded: Promise<void> | undefined;
  private started = false;
  private stopped = false;

  constructor(config: Partial<BrokerConfig>, options: BrokerControllerOptions) {
    this.brokerConfig = resolveBrokerConfig(config as Record<string, unknown>);
    this.brokerAddress = brokerAddress(this.brokerConfig);
    this.messageStore = options.messageStore ?? new MemoryMessageStore({ maxMessageSize: this.brokerConfig.maxMessageSize });
    this.storePathRootDir = options.storePathRootDir;
    const root = this.storePathRootDir;
    this.brokerOuterAPI = new BrokerOuterAPI(options.remotingClient);
    this.topicConfigManager = new TopicConfigManager(
      this.brokerConfig,
      () => {
        if (this.started) void this.registerBrokerAll();
      },
      root,
    );
    this.subscriptionGroupManager = new SubscriptionGroupManager(this.brokerConfig.autoCreateSubscriptionGroup, root);
    this.consumerOffsetManager = new ConsumerOffsetManager(root);
    this.consumerManager = new ConsumerManager((group, channels) => this.notifyConsumerIdsChanged(group, channels));
    this.pullRequestHoldService = new PullRequestHoldService(this.messageStore, {
      longPollingEnable: this.brokerConfig.longPollingEnable,
      checkIntervalMills: this.brokerConfig.longPollingEnable
        ? this.brokerConfig.pullRequestHoldCheckIntervalMills
        : this.brokerConfig.shortPollingTimeMills,
    });
    this.sendMessageProcessor = new SendMessageProcessor(this);
    this.pullMessageProcessor = new PullMessageProcessor(this);
    const transactionalMessageBridge = new TransactionalMessageBridge(this);
    this.transactionalMessageService = new TransactionalMessageService(transactionalMessageBridge);
    this.transactionalMessageCheckListener = new TransactionalMessageCheckListener(this, transactionalMessageBridge);
    this.transactionalMessageCheckService = new TransactionalMessageCheckService(
      this.brokerConfig,
      this.transactionalMessageService,
      this.transactionalMessageCheckListener,
    );
    this.sendMessageProcessor.registerPutMessageInterceptor(new HalfMessagePutInterceptor(this, this.transactionalMessageService));
    // Created up front (one queue, read-write) so the first registration already carries its route.
    const reply = replyTopic(this.brokerConfig.brokerClusterName);
    if (!this.topicConfigManager.selectTopicConfig(reply)) this.topicConfigManager.updateTopicConfig(createTopicConfig(reply, 1));
    this.scheduleMessageService = new ScheduleMessageService({
      messageStore: this.messageStore,
      storeHost: this.brokerAddress,
      messageDelayLevel: this.brokerConfig.messageDelayLevel,
      storePathRootDir: root,
    });
    this.timerMessageService = new TimerMessageService({ messageStore: this.messageStore, storeHost: this.brokerAddress });
    this.timerCheckpoint = new TimerCheckpoint(this.timerMessageService, root);
    this.schedulePutMessageInterceptor = new SchedulePutMessageInterceptor(
      this.scheduleMessageService,
      this.timerMessageService,
      this.brokerConfig.timerMaxDelaySec,
    );
    // SCHEDULE_TOPIC_XXXX and rmq_sys_wheel_timer get no topic config: the services read their ConsumeQueues
    // straight from the store, and without a route no client can pull or send there.
    // Retry/DLQ first: a message it diverts to the DLQ must not be delayed by the schedule hook.
    this.sendMessageProcessor.registerPutMessageInterceptor(new RetryDlqPutMessageInterceptor(this));
    this.sendMessageProcessor.registerPutMessageInterceptor(this.schedulePutMessageInterceptor);
    this.registerProcessors();
  }

  /**
   * Recovers the store (a file store replays its CommitLog) and reads the metadata, as BrokerController's
   * initialize does: topics, subscription groups and consumer offsets, then the delay and timer progress,
   * which refer to queues of the recovered store. Runs once; `start()` calls it when nobody did.
   */
  load(): Promise<void> {
    this.loaded ??= this.doLoad();
    return this.loaded;
  }

  private async doLoad(): Promise<void> {
    const tables: ConfigManager[] = [this.topicConfigManager, this.subscriptionGroupManager, this.consumerOffsetManager];
    for (const table of tables) this.loadTable(table);
    if (isLoadable(this.messageStore)) {
      const begin = Date.now();
      const { cleanShutdown } = await this.messageStore.load();
      const took = Date.now() - begin;
      if (cleanShutdown) this.logger.log(`message store loaded in ${took} ms; the last shutdown was clean`);
      else this.logger.warn(`message store recovered in ${took} ms; the last shutdown was not clean (crash or kill)`);
    }
    this.loadTable(this.scheduleMessageService);
    this.loadTable(this.timerCheckpoint);
  }

  private persistedTables(): ConfigManager[] {
    return [
      this.topicConfigManager,
      this.subscriptionGroupManager,
      this.consumerOffsetManager,
      this.scheduleMessageService,
      this.timerCheckpoint,
    ];
  }

  /** A table whose file and backup are both unreadable stops the broker: starting empty would lose it for good. */
  private loadTable(table: ConfigManager): void {
    if (!table.load()) {
      throw new Error(`cannot load ${table.configFilePath()} nor its .bak; fix or remove the file to start the broker`);
    }
  }

  /**
   * Writes the offsets the broker keeps (consumer, transaction check, delay, timer) without blocking the
   * event loop; the periodic flush. Runs one at a time: a call while one runs waits, and the calls that
   * waited share the next run.
   */
  persistOffsets(): Promise<void> {
    return this.offsetsPersister.run();
  }

  /**
   * `write` (persist or persistAsync) of each offset table. Delivery progress may be saved only once the
   * messages it delivered are on disk: it is taken first, the store flushed, then it is written, so a
   * crash never skips a delayed or timer message.
   */
  private async writeOffsets(write: (table: ConfigManager, snapshot?: string) => boolean | Promise<boolean>): Promise<void> {
    const consumerOffsets = write(this.consumerOffsetManager);
    const delayOffsets = this.scheduleMessageService.encode(true);
    const timerProgress = this.timerCheckpoint.encode(true);
    const store = this.messageStore as MessageStore & { flush?: () => Promise<void> };
    await Promise.all([consumerOffsets, store.flush?.()]);
    await Promise.all([write(this.scheduleMessageService, delayOffsets), write(this.timerCheckpoint, timerProgress)]);
  }

  /** Loads when needed, starts the store, begins registering with the NameServer(s) and the periodic tasks. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.load();
    if (this.stopped) return;
    this.started = true;
    await this.messageStore.start();
    const hold = this.pullRequestHoldService;
    const schedule = this.scheduleMessageService;
    const timer = this.timerMessageService;
    this.messageStore.setMessageArrivingListener((topic, queueId, logicOffset, tagsCode, _storeTimestamp, propertiesString) => {
      hold.notifyMessageArriving(topic, queueId, logicOffset, tagsCode);
      schedule.notifyMessageArriving(topic, queueId, tagsCode);
      timer.notifyMessageArriving(topic, queueId, logicOffset, propertiesString);
    });
    schedule.start();
    timer.start();
    this.every(this.brokerConfig.registerBrokerInterval, () => void this.registerBrokerAll());
    this.every(CLIENT_SCAN_INTERVAL_MILLIS, () => this.scanNotActiveChannels());
    this.transactionalMessageCheckService.start();
    if (this.storePathRootDir !== undefined) this.every(this.brokerConfig.flushConsumerOffsetInterval, () => {
        this.persistOffsets().catch((err) => this.logger.error(`persisting offsets failed: ${String(err)}`));
      });
    await this.registerBrokerAll();
    this.logger.log(`broker ${this.brokerConfig.brokerName} started at ${this.brokerAddress}, name server ${this.brokerConfig.namesrvAddr}`);
  }

  /**
   * Answers every held pull, stops the timers, unregisters from the NameServer(s), persists the metadata
   * and then stops the store, which flushes it: offsets never get ahead of the messages they point into.
   */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    this.transactionalMessageCheckService.shutdown();
    this.pullRequestHoldService.shutdown();
    this.scheduleMessageService.shutdown();
    this.timerMessageService.shutdown();
    if (this.started) {
      this.brokerOuterAPI.unregisterBrokerAll(this.brokerConfig.namesrvAddr, {
        brokerName: this.brokerConfig.brokerName,
        brokerAddr: this.brokerAddress,
        clusterName: this.brokerConfig.brokerClusterName,
        brokerId: this.brokerConfig.brokerId,
      });
    }
    this.brokerOuterAPI.shutdown();
    if (this.started) {
      // The final writes are synchronous and must come last: nothing asynchronous may land after them.
      await this.offsetsPersister.drain();
      await Promise.all(this.persistedTables().map((table) => table.settled()));
      await this.writeOffsets((table, snapshot) => table.persist(snapshot));
      this.topicConfigManager.persist();
      this.subscriptionGroupManager.persist();
    }
    await this.messageStore.shutdown();
  }

  /**
   * Sends the full topic table to every NameServer. Calls that arrive while one is in flight are folded
   * into one follow-up, so a burst of auto-created topics costs two registrations, not one per topic.
   * The promise settles once the NameServers know the current table.
   */
  registerBrokerAll(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.registration) {
      this.registrationPending = true;
      return this.registration;
    }
    const run = async (): Promise<void> => {
      do {
        this.registrationPending = false;
        await this.brokerOuterAPI.registerBrokerAll(
          this.brokerConfig.namesrvAddr,
          {
            brokerName: this.brokerConfig.brokerName,
            brokerAddr: this.brokerAddress,
            clusterName: this.brokerConfig.brokerClusterName,
            haServerAddr: `${this.brokerConfig.brokerIP1}:${this.brokerConfig.listenPort + 1}`,
            brokerId: this.brokerConfig.brokerId,
          },
          this.topicConfigManager.buildTopicConfigSerializeWrapper(),
        );
      } while (this.registrationPending && !this.stopped);
    };
    this.registration = run().finally(() => {
      this.registration = undefined;
    });
    return this.registration;
  }

  /** Settles when the registration in flight (if any) is done; the new-topic path waits on it. */
  awaitRegistration(): Promise<void> {
    return this.registration ?? Promise.resolve();
  }

  /** Removes a client from every group when its connection closes (ClientHousekeepingService). */
  trackClientChannel(channel: RemotingChannel): void {
    if (this.trackedChannels.has(channel)) return;
    this.trackedChannels.add(channel);
    channel.onClose(() => {
      // A member that is gone cannot consume: free its orderly queues now rather than after the lock expiry.
      for (const group of [...this.consumerManager.groups()]) {
        const info = this.consumerManager.getConsumerGroupInfo(group)?.channelInfoTable.get(channel);
        if (info) this.rebalanceLockManager.unlockAll(group, info.clientId);
      }
      this.consumerManager.doChannelCloseEvent(channel);
      this.producerManager.doChannelCloseEvent(channel);
    });
  }

  /** Drops clients whose heartbeats stopped more than clientChannelExpiredTimeout ago. */
  scanNotActiveChannels(now = Date.now()): void {
    this.consumerManager.scanNotActiveChannel(this.brokerConfig.clientChannelExpiredTimeout, now);
    this.producerManager.scanNotActiveChannel(this.brokerConfig.clientChannelExpiredTimeout, now);
  }

  private notifyConsumerIdsChanged(group: string, channels: RemotingChannel[]): void {
    for (const channel of channels) {
      if (channel.closed) continue;
      try {
        channel.invokeOneway(RemotingCommand.createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: group }));
      } catch (err) {
        this.logger.warn(`notify consumer ids changed to ${channel.remoteAddress} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  private registerProcessors(): void {
    const d = this.dispatcher;
    d.registerProcessor(RequestCode.SEND_MESSAGE, this.sendMessageProcessor);
    d.registerProcessor(RequestCode.SEND_MESSAGE_V2, this.sendMessageProcessor);
    d.registerProcessor(RequestCode.SEND_BATCH_MESSAGE, this.sendMessageProcessor);
    d.registerProcessor(RequestCode.PULL_MESSAGE, this.pullMessageProcessor);
    d.registerProcessor(RequestCode.CONSUMER_SEND_MSG_BACK, new ConsumerSendMsgBackProcessor(this));
    d.registerProcessor(RequestCode.QUERY_MESSAGE, new QueryMessageProcessor(this));
    d.registerProcessor(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, new ResetOffsetProcessor(this));
    d.registerProcessor(RequestCode.END_TRANSACTION, new EndTransactionProcessor(this));
    const reply = new ReplyMessageProcessor(this);
    d.registerProcessor(RequestCode.SEND_REPLY_MESSAGE, reply);
    d.registerProcessor(RequestCode.SEND_REPLY_MESSAGE_V2, reply);
    const clientManage = new ClientManageProcessor(this);
    d.registerProcessor(RequestCode.HEART_BEAT, clientManage);
    d.registerProcessor(RequestCode.UNREGISTER_CLIENT, clientManage);
    d.registerProcessor(RequestCode.CHECK_CLIENT_CONFIG, clientManage);
    const consumerManage = new ConsumerManageProcessor(this);
    d.registerProcessor(RequestCode.GET_CONSUMER_LIST_BY_GROUP, consumerManage);
    d.registerProcessor(RequestCode.QUERY_CONSUMER_OFFSET, consumerManage);
    d.registerProcessor(RequestCode.UPDATE_CONSUMER_OFFSET, consumerManage);
    const locks = new LockBatchMqProcessor(this);
    d.registerProcessor(RequestCode.LOCK_BATCH_MQ, locks);
    d.registerProcessor(RequestCode.UNLOCK_BATCH_MQ, locks);
    const admin = new AdminBrokerProcessor(this);
    for (const code of [
      RequestCode.GET_MAX_OFFSET,
      RequestCode.GET_MIN_OFFSET,
      RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
      RequestCode.GET_EARLIEST_MSG_STORETIME,
      RequestCode.UPDATE_AND_CREATE_TOPIC,
      RequestCode.GET_ALL_TOPIC_CONFIG,
      RequestCode.VIEW_MESSAGE_BY_ID,
    ]) {
      d.registerProcessor(code, admin);
    }
  }

  private every(intervalMillis: number, task: () => void): void {
    const timer = setInterval(() => {
      try {
        task();
      } catch (err) {
        this.logger.error(`periodic task failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }, intervalMillis);
    timer.unref();
    this.timers.push(timer);
  }
}
