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
 * The lite pull consumer behind `RocketMQTemplate.receive` (Spring's `rocketmq.pull-consumer.*`, also
 * `rocketmq.consumer.group|topic|...`). Set it and the default template owns a DefaultLitePullConsumer.
 */
export interface RocketMQPullConsumerOptions {
  /** Consumer group. Required. */
  group: string;
  /** Topic to poll. Required. */
  topic: string;
  /** How `selectorExpression` is read. @default 'TAG' */
  selectorType?: 'TAG' | 'SQL92';
  /** Tag expression or SQL92 condition. @default '*' */
  selectorExpression?: string;
  /** @default 'CLUSTERING' */
  messageModel?: 'CLUSTERING' | 'BROADCASTING';
  /** Most messages one `receive` returns. @default 10 */
  pullBatchSize?: number;
  /** Where the group starts the first time. @default 'CONSUME_FROM_LAST_OFFSET' */
  consumeFromWhere?: 'CONSUME_FROM_LAST_OFFSET' | 'CONSUME_FROM_FIRST_OFFSET' | 'CONSUME_FROM_TIMESTAMP';
  /** NameServer of this consumer. @default the module's (or the bundled broker) */
  nameServer?: string;
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
}

/**
 * Settings of the bundled broker, used only when `nameServer` is absent. Every key of a RocketMQ
 * broker.conf is accepted (both `mapedFileSize*` and `mappedFileSize*` spellings, string values too); an
 * unknown key stops the app with a RocketMQBrokerConfigError naming it.
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
  /** The broker's port, advertised in routes; with `listen` it is bound over TCP (0: a free port). @default 10911 */
  listenPort?: number;
  /**
   * Serve other processes too: the NameServer listens on this TCP port (0: a free one) and the broker on
   * `listenPort` (with `listen` port 0 and no `listenPort`, a free one too), both on 127.0.0.1 unless
   * `{ host, port }` says otherwise; the app itself keeps the in-process channel. The addresses bound are
   * `RocketMQRuntime.bundled.listenAddresses`.
   * @default undefined (in-process only)
   */
  listen?: number | { host?: string; port?: number };
  /** Create a topic on its first send. @default true for the bundled broker */
  autoCreateTopicEnable?: boolean;
  /** Queue count of auto-created topics. @default 4 */
  defaultTopicQueueNums?: number;
  /** Create a subscription group on its first heartbeat. @default true */
  autoCreateSubscriptionGroup?: boolean;
  /** Largest message the broker stores, in bytes. @default 4194304 */
  maxMessageSize?: number;
  /**
   * The message store: files under `storePath` (CommitLog, ConsumeQueue, index, checkpoint; survives
   * restarts and crashes), or memory (lost on stop).
   * @default 'file' (the environment variable ROCKETMQ_BUNDLED_STORE=memory|file overrides the default)
   */
  store?: 'memory' | 'file';
  /**
   * The 18 delay levels, space-separated, units `ms`, `s`, `m`, `h`, `d`. Also the retry schedule: retry
   * *n* of a concurrent consumer uses level *n + 2*. Short levels make tests fast.
   * @default '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h'
   */
  messageDelayLevel?: string;
  /** A half (transactional) message undecided this long is checked back, ms; alias `transactionMsgTimeout`. @default 6000 */
  transactionTimeOut?: number;
  /** Alias of `transactionTimeOut` (the seeds' spelling). */
  transactionMsgTimeout?: number;
  /** How often the broker looks for undecided half messages, ms. @default 60000 */
  transactionCheckInterval?: number;
  /** Check-backs of one half message before the broker drops it (as a rollback). @default 15 */
  transactionCheckMax?: number;
  /** SQL92 property filters (`selectorType: 'SQL92'`). @default true in the bundled broker */
  enablePropertyFilter?: boolean;
  /** Longest timer delay (`syncSendDelayTimeSeconds` and friends), seconds. @default 259200 (3 days) */
  timerMaxDelaySec?: number;
  /** Keep request-reply replies in the store too. @default true */
  storeReplyMessageEnable?: boolean;
  /** Where the file store keeps its files (storePathRootDir). @default '<working directory>/.rocketmq' */
  storePath?: string;
  /**
   * ASYNC_FLUSH acknowledges a send once written (flushed every 500 ms); SYNC_FLUSH only once on disk,
   * concurrent sends sharing one fdatasync. @default 'ASYNC_FLUSH'
   */
  flushDiskType?: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  /**
   * Plain ACL on the broker's TCP port (with `listen`): requests from other processes must be signed by an
   * account of `plainAclConfig` / `plainAclFile`, else they are answered NO_PERMISSION (16). @default false
   */
  aclEnable?: boolean;
  /** A plain_acl.yml with the accounts (`aclEnable`). Excludes `plainAclConfig`. */
  plainAclFile?: string;
  /** The accounts themselves, `{ accounts: [{ accessKey, secretKey, ... }], globalWhiteRemoteAddresses }`. */
  plainAclConfig?: { accounts: Array<Record<string, unknown>>; globalWhiteRemoteAddresses?: string[] };
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
   * The lite pull consumer of the default template, for `RocketMQTemplate.receive` (Spring's
   * `rocketmq.pull-consumer.*` / `rocketmq.consumer.group|topic|...`). @default undefined (no `receive`)
   */
  pullConsumer?: RocketMQPullConsumerOptions;
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
