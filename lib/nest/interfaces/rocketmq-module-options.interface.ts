/**
 * The producer settings of one template (Spring's `rocketmq.producer.*`). Defaults are Apache RocketMQ's.
 */
export interface RocketMQProducerOptions {
  /** Producer group. Required: the default template exists only when `producer.group` is set. */
  group: string;
  /** Send timeout in milliseconds, retries included. @default 3000 */
  sendMessageTimeout?: number;
  /** Bodies larger than this many bytes are compressed; consumers decompress them. @default 4096 */
  compressMessageBodyThreshold?: number;
  /** Largest body the producer accepts, in bytes. @default 4194304 */
  maxMessageSize?: number;
  /** Extra attempts of a synchronous send, each to another queue. @default 2 */
  retryTimesWhenSendFailed?: number;
  /** Extra attempts of an asynchronous send. @default 2 */
  retryTimesWhenSendAsyncFailed?: number;
  /** Retry on another broker when the broker stored the message but not with SEND_OK. @default false */
  retryNextServer?: boolean;
  /** Message trace. Accepted; the trace dispatcher comes with a later release (a warning is logged). @default false */
  enableMsgTrace?: boolean;
  /** Topic trace data goes to. @default 'RMQ_SYS_TRACE_TOPIC' */
  customizedTraceTopic?: string;
  /** ACL access key. @default undefined (no ACL) */
  accessKey?: string;
  /** ACL secret key. @default undefined */
  secretKey?: string;
  /** Namespace prefixed to topics and groups as `namespace%name`. @default undefined */
  namespace?: string;
  /** Client instance name; producers and consumers with one name share connections. @default unique per app */
  instanceName?: string;
  /** TLS towards the brokers. Accepted; TLS comes with the TCP transport. @default false */
  tlsEnable?: boolean;
}

/** An extra template (Spring's `@ExtRocketMQTemplateConfiguration`): its own group, maybe its own cluster. */
export interface RocketMQTemplateOptions extends RocketMQProducerOptions {
  /** NameServer of this template. @default the module's `nameServer` (or the bundled broker) */
  nameServer?: string;
}

/** Defaults every `@RocketMQMessageListener` inherits unless it sets the attribute itself. */
export interface RocketMQConsumerOptions {
  /** @default undefined (no ACL) */
  accessKey?: string;
  /** @default undefined */
  secretKey?: string;
  /** @default undefined */
  namespace?: string;
  /** @default unique per app */
  instanceName?: string;
  /** Accepted; message trace comes with a later release. @default false */
  enableMsgTrace?: boolean;
  /** @default 'RMQ_SYS_TRACE_TOPIC' */
  customizedTraceTopic?: string;
  /** Accepted; TLS comes with the TCP transport. @default false */
  tlsEnable?: boolean;
  /**
   * Switches listeners off by group and topic, as Spring's `rocketmq.consumer.listeners.<group>.<topic>=false`.
   * @default {} (every listener runs)
   */
  listeners?: Record<string, Record<string, boolean>>;
}

/**
 * Settings of the bundled broker, used only when `nameServer` is absent. The bundled broker keeps
 * messages in memory; `storePath` and `flushDiskType` are accepted now and take effect with the file store.
 */
export interface RocketMQBrokerOptions {
  /** @default 'broker-a' (the bundled broker's default) */
  brokerName?: string;
  /** @default 'DefaultCluster' */
  brokerClusterName?: string;
  /** @default 0 (master) */
  brokerId?: number;
  /** Address the broker advertises. @default the bundled broker's default */
  brokerIP1?: string;
  /** Port the broker would listen on (TCP comes later); also accepted as `listen`. @default 10911 */
  listenPort?: number;
  /** Alias of `listenPort` (the spelling DESIGN.md uses). */
  listen?: number;
  /** Create a topic on its first send. @default true for the bundled broker */
  autoCreateTopicEnable?: boolean;
  /** Queue count of auto-created topics. @default 4 */
  defaultTopicQueueNums?: number;
  /** Create a subscription group on its first heartbeat. @default true */
  autoCreateSubscriptionGroup?: boolean;
  /** Largest message the broker stores, in bytes. @default 4194304 */
  maxMessageSize?: number;
  /** The message store. @default 'memory' */
  store?: 'memory';
  /** Where the file store will keep its files. Accepted; comes with the file store. @default '.rocketmq' */
  storePath?: string;
  /** Flush mode of the file store. Accepted; comes with the file store. @default 'ASYNC_FLUSH' */
  flushDiskType?: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  /** Any other BrokerConfig key is passed to the bundled broker, which validates it. */
  [brokerConfigKey: string]: unknown;
}

/** Options of `RocketMQModule.forRoot` / the object `forRootAsync`'s factory returns. */
export interface RocketMQModuleOptions {
  /**
   * NameServer addresses, `'h1:9876;h2:9876'`. Absent: a bundled broker starts inside the app and every
   * producer and consumer of the app talks to it in-process.
   * @default undefined (bundled broker)
   */
  nameServer?: string;
  /** The default template's producer. Without `producer.group` there is no default `RocketMQTemplate`. */
  producer?: RocketMQProducerOptions;
  /** Defaults for every listener. @default {} */
  consumer?: RocketMQConsumerOptions;
  /** Named extra templates, injected with `@InjectRocketMQTemplate('name')`. @default {} */
  templates?: Record<string, RocketMQTemplateOptions>;
  /** The bundled broker's settings; rejected together with `nameServer`. @default {} */
  broker?: RocketMQBrokerOptions;
  /**
   * Spring's `rocketmq.access-channel` (LOCAL | CLOUD). Accepted; only LOCAL behaviour exists for now.
   * @default 'LOCAL'
   */
  accessChannel?: 'LOCAL' | 'CLOUD';
  /** Values for `${key}` placeholders in listener attributes (looked up after `resolvePlaceholder`). @default {} */
  properties?: Record<string, string>;
  /**
   * First lookup for `${key}` placeholders (e.g. `(k) => config.get(k)`); then `properties`, then
   * `process.env`. @default undefined
   */
  resolvePlaceholder?: (key: string) => string | undefined;
  /**
   * Spring's `rocketmq.pull-consumer.*` / lite-pull `rocketmq.consumer.group|topic|...` settings, kept for
   * `RocketMQTemplate.receive` (a later release). @default undefined
   */
  pullConsumer?: Record<string, string>;
}

/** Extra keys of `forRoot` / `forRootAsync` that shape the module rather than the clients. */
export interface RocketMQModuleExtras {
  /** Register the module globally, so feature modules need not import it. @default true */
  isGlobal?: boolean;
  /**
   * Names of templates `forRootAsync` provides for `@InjectRocketMQTemplate(name)`: async options are
   * only known at runtime, so the injectable names are declared here. `forRoot` takes them from
   * `templates`. @default []
   */
  templateNames?: string[];
}
