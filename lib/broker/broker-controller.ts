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
import { ConsumerManager, ProducerManager } from './client/index.js';
import { ConsumerOffsetManager } from './consumer-offset-manager.js';
import { PullRequestHoldService } from './longpolling/index.js';
import {
  AdminBrokerProcessor,
  ClientManageProcessor,
  ConsumerManageProcessor,
  PullMessageProcessor,
  SendMessageProcessor,
} from './processor/index.js';
import { SubscriptionGroupManager } from './subscription-group-manager.js';
import { TopicConfigManager } from './topic-config-manager.js';

/** How often clients that stopped heart-beating are looked for (ClientHousekeepingService). */
const CLIENT_SCAN_INTERVAL_MILLIS = 10000;

export interface BrokerControllerOptions {
  /** How the broker reaches NameServers (REGISTER_BROKER). */
  remotingClient: RemotingClient;
  /** The store; a MemoryMessageStore sized by the broker config when absent. */
  messageStore?: MessageStore;
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
  readonly consumerOffsetManager = new ConsumerOffsetManager();
  readonly consumerManager: ConsumerManager;
  readonly producerManager = new ProducerManager();
  readonly pullRequestHoldService: PullRequestHoldService;
  readonly sendMessageProcessor: SendMessageProcessor;
  readonly pullMessageProcessor: PullMessageProcessor;
  /** Routes requests to the processors; bind it to a transport. */
  readonly dispatcher = new RequestDispatcher(new Logger(BrokerController.name));
  private readonly brokerOuterAPI: BrokerOuterAPI;
  private readonly trackedChannels = new WeakSet<RemotingChannel>();
  private readonly timers: NodeJS.Timeout[] = [];
  private registration: Promise<void> | undefined;
  private registrationPending = false;
  private started = false;
  private stopped = false;

  constructor(config: Partial<BrokerConfig>, options: BrokerControllerOptions) {
    this.brokerConfig = resolveBrokerConfig(config as Record<string, unknown>);
    this.brokerAddress = brokerAddress(this.brokerConfig);
    this.messageStore = options.messageStore ?? new MemoryMessageStore({ maxMessageSize: this.brokerConfig.maxMessageSize });
    this.brokerOuterAPI = new BrokerOuterAPI(options.remotingClient);
    this.topicConfigManager = new TopicConfigManager(this.brokerConfig, () => {
      if (this.started) void this.registerBrokerAll();
    });
    this.subscriptionGroupManager = new SubscriptionGroupManager(this.brokerConfig.autoCreateSubscriptionGroup);
    this.consumerManager = new ConsumerManager((group, channels) => this.notifyConsumerIdsChanged(group, channels));
    this.pullRequestHoldService = new PullRequestHoldService(this.messageStore, {
      longPollingEnable: this.brokerConfig.longPollingEnable,
      checkIntervalMills: this.brokerConfig.longPollingEnable
        ? this.brokerConfig.pullRequestHoldCheckIntervalMills
        : this.brokerConfig.shortPollingTimeMills,
    });
    this.sendMessageProcessor = new SendMessageProcessor(this);
    this.pullMessageProcessor = new PullMessageProcessor(this);
    this.registerProcessors();
  }

  /** Starts the store, begins registering with the NameServer(s) and the periodic tasks. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.messageStore.start();
    const hold = this.pullRequestHoldService;
    this.messageStore.setMessageArrivingListener((topic, queueId, logicOffset, tagsCode) =>
      hold.notifyMessageArriving(topic, queueId, logicOffset, tagsCode),
    );
    this.every(this.brokerConfig.registerBrokerInterval, () => void this.registerBrokerAll());
    this.every(CLIENT_SCAN_INTERVAL_MILLIS, () => this.scanNotActiveChannels());
    await this.registerBrokerAll();
    this.logger.log(`broker ${this.brokerConfig.brokerName} started at ${this.brokerAddress}, name server ${this.brokerConfig.namesrvAddr}`);
  }

  /** Answers every held pull, stops the timers, unregisters from the NameServer(s) and stops the store. */
  shutdown(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    this.pullRequestHoldService.shutdown();
    if (this.started) {
      this.brokerOuterAPI.unregisterBrokerAll(this.brokerConfig.namesrvAddr, {
        brokerName: this.brokerConfig.brokerName,
        brokerAddr: this.brokerAddress,
        clusterName: this.brokerConfig.brokerClusterName,
        brokerId: this.brokerConfig.brokerId,
      });
    }
    this.brokerOuterAPI.shutdown();
    this.messageStore.shutdown();
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
    const clientManage = new ClientManageProcessor(this);
    d.registerProcessor(RequestCode.HEART_BEAT, clientManage);
    d.registerProcessor(RequestCode.UNREGISTER_CLIENT, clientManage);
    d.registerProcessor(RequestCode.CHECK_CLIENT_CONFIG, clientManage);
    const consumerManage = new ConsumerManageProcessor(this);
    d.registerProcessor(RequestCode.GET_CONSUMER_LIST_BY_GROUP, consumerManage);
    d.registerProcessor(RequestCode.QUERY_CONSUMER_OFFSET, consumerManage);
    d.registerProcessor(RequestCode.UPDATE_CONSUMER_OFFSET, consumerManage);
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
