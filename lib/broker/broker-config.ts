import { RocketMQBrokerConfigError } from './rocketmq-broker-config.error.js';
import { DEFAULT_MESSAGE_DELAY_LEVEL, parseMessageDelayLevel } from '../store/message-delay-level.js';

/** Settings of the bundled broker (the subset of RocketMQ's BrokerConfig and MessageStoreConfig it honours). */
export interface BrokerConfig {
  /**
   * Cluster the broker registers under; also stored in each message's CLUSTER property.
   * @default 'DefaultCluster'
   */
  brokerClusterName: string;
  /**
   * Name of the broker group (master and slaves share it).
   * @default 'broker-a'
   */
  brokerName: string;
  /**
   * 0 for the master, above 0 for a slave.
   * @default 0
   */
  brokerId: number;
  /**
   * IP the broker advertises in routes and in offset message ids.
   * @default '127.0.0.1'
   */
  brokerIP1: string;
  /**
   * Port the broker advertises; the broker address is `${brokerIP1}:${listenPort}`. In-process no socket is
   * opened, but the address still names the broker.
   * @default 10911
   */
  listenPort: number;
  /**
   * NameServer address(es), `;`-separated.
   * @default '127.0.0.1:9876'
   */
  namesrvAddr: string;
  /**
   * Create unknown topics on first send (from TBW102's settings).
   * @default true
   */
  autoCreateTopicEnable: boolean;
  /**
   * Queue count of auto-created topics (capped by what the producer asks for).
   * @default 4
   */
  defaultTopicQueueNums: number;
  /**
   * Create unknown subscription groups on heartbeat or pull.
   * @default true
   */
  autoCreateSubscriptionGroup: boolean;
  /**
   * Largest accepted message record, in bytes.
   * @default 4194304
   */
  maxMessageSize: number;
  /**
   * Hold pulls that find nothing until a message arrives or the client's suspend timeout passes.
   * @default true
   */
  longPollingEnable: boolean;
  /**
   * How long a pull is held when long polling is off, in ms.
   * @default 1000
   */
  shortPollingTimeMills: number;
  /**
   * How often held pulls are re-checked when long polling is on, in ms (arrivals wake them sooner).
   * @default 5000
   */
  pullRequestHoldCheckIntervalMills: number;
  /**
   * How often the broker re-registers with the NameServer, in ms.
   * @default 30000
   */
  registerBrokerInterval: number;
  /**
   * A client not heard from (heartbeat) for this long is dropped, in ms.
   * @default 120000
   */
  clientChannelExpiredTimeout: number;
  /**
   * Region reported in send responses (MSG_REGION).
   * @default 'DefaultRegion'
   */
  regionId: string;
  /**
   * Whether send responses tell clients to trace (TRACE_ON).
   * @default true
   */
  traceOn: boolean;
  /**
   * How long a half (prepared) message may stay undecided before the broker asks its producer group
   * (CHECK_TRANSACTION_STATE), in ms. A message's CHECK_IMMUNITY_TIME_IN_SECONDS property lengthens it.
   * @default 6000
   */
  transactionTimeOut: number;
  /**
   * Alias of `transactionTimeOut` (the name several RocketMQ guides use); ignored when both are given.
   * @default undefined
   */
  transactionMsgTimeout?: number;
  /**
   * How often undecided half messages are scanned and checked back, in ms (RocketMQ 4.x's 60 s).
   * @default 60000
   */
  transactionCheckInterval: number;
  /**
   * Check-backs per half message before the broker gives up on it and moves it to
   * TRANS_CHECK_MAX_TIME_TOPIC (as a rollback would: it is never delivered).
   * @default 15
   */
  transactionCheckMax: number;
  /**
   * Refuse transactional (half) messages with NO_PERMISSION.
   * @default false
   */
  rejectTransactionMessage: boolean;
  /**
   * Also store request-reply replies in `<brokerClusterName>_REPLY_TOPIC`, besides pushing them to the requester.
   * @default true
   */
  storeReplyMessageEnable: boolean;
  /**
   * Delay of each delay level (DELAY property, 1-based), space-separated; units s, m, h, d as in RocketMQ,
   * plus `ms` (this project's addition, for tests). Retries use levels 3 + reconsumeTimes.
   * @default '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h'
   */
  messageDelayLevel: string;
  /**
   * Farthest ahead a timer message (TIMER_DELIVER_MS, TIMER_DELAY_SEC, TIMER_DELAY_MS) may be scheduled, in
   * seconds; later ones are refused with MESSAGE_ILLEGAL.
   * @default 259200
   */
  timerMaxDelaySec: number;
  /**
   * Accept SQL92 subscriptions (property filters). Apache RocketMQ ships with this off; the bundled broker
   * turns it on, since nothing in-process pays for it unless a consumer subscribes with SQL92.
   * @default true
   */
  enablePropertyFilter: boolean;
  /**
   * How often consumer offsets (the transaction check progress included), delay-level progress and timer
   * progress are written to `<storePathRootDir>/config/` when the broker runs on the file store, in ms.
   * They are also written on shutdown; after a crash a group may see up to this much again.
   * @default 5000
   */
  flushConsumerOffsetInterval: number;
}

export const DEFAULT_BROKER_CONFIG: Readonly<BrokerConfig> = Object.freeze({
  brokerClusterName: 'DefaultCluster',
  brokerName: 'broker-a',
  brokerId: 0,
  brokerIP1: '127.0.0.1',
  listenPort: 10911,
  namesrvAddr: '127.0.0.1:9876',
  autoCreateTopicEnable: true,
  defaultTopicQueueNums: 4,
  autoCreateSubscriptionGroup: true,
  maxMessageSize: 4 * 1024 * 1024,
  longPollingEnable: true,
  shortPollingTimeMills: 1000,
  pullRequestHoldCheckIntervalMills: 5000,
  registerBrokerInterval: 30000,
  clientChannelExpiredTimeout: 120000,
  regionId: 'DefaultRegion',
  traceOn: true,
  transactionTimeOut: 6000,
  transactionCheckInterval: 60000,
  transactionCheckMax: 15,
  rejectTransactionMessage: false,
  storeReplyMessageEnable: true,
  messageDelayLevel: DEFAULT_MESSAGE_DELAY_LEVEL,
  timerMaxDelaySec: 3 * 24 * 3600,
  enablePropertyFilter: true,
  flushConsumerOffsetInterval: 5000,
});

type Check = (value: unknown) => string | undefined;

const nonEmptyString: Check = (v) => (typeof v === 'string' && v.trim() !== '' ? undefined : 'a non-empty string');
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'a boolean');
const intAtLeast =
  (min: number, max = Number.MAX_SAFE_INTEGER): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : max === Number.MAX_SAFE_INTEGER
        ? `an integer >= ${min}`
        : `an integer from ${min} to ${max}`;
const groupName: Check = (v) =>
  typeof v === 'string' && /^[%|a-zA-Z0-9_-]+$/.test(v) ? undefined : 'a name matching ^[%|a-zA-Z0-9_-]+$';

const CHECKS: Record<keyof BrokerConfig, Check> = {
  brokerClusterName: groupName,
  brokerName: groupName,
  brokerId: intAtLeast(0),
  brokerIP1: nonEmptyString,
  listenPort: intAtLeast(1, 65535),
  namesrvAddr: nonEmptyString,
  autoCreateTopicEnable: bool,
  defaultTopicQueueNums: intAtLeast(1, 1024),
  autoCreateSubscriptionGroup: bool,
  maxMessageSize: intAtLeast(1024, 1024 * 1024 * 1024),
  longPollingEnable: bool,
  shortPollingTimeMills: intAtLeast(1),
  pullRequestHoldCheckIntervalMills: intAtLeast(1),
  registerBrokerInterval: intAtLeast(1000),
  clientChannelExpiredTimeout: intAtLeast(1000),
  regionId: nonEmptyString,
  traceOn: bool,
  transactionTimeOut: intAtLeast(0),
  transactionMsgTimeout: intAtLeast(0),
  transactionCheckInterval: intAtLeast(1),
  transactionCheckMax: intAtLeast(0),
  rejectTransactionMessage: bool,
  storeReplyMessageEnable: bool,
  messageDelayLevel: (v) =>
    typeof v === 'string' && typeof parseMessageDelayLevel(v) !== 'string'
      ? undefined
      : `space-separated durations such as '1s 5s 10s' (units ms, s, m, h, d)${typeof v === 'string' ? `: ${parseMessageDelayLevel(v) as string}` : ''}`,
  timerMaxDelaySec: intAtLeast(1),
  enablePropertyFilter: bool,
  flushConsumerOffsetInterval: intAtLeast(1),
};

/** Alternative spellings accepted for a key, mapped to the key they set (the real key wins when both are given). */
const ALIASES: Readonly<Record<string, keyof BrokerConfig>> = {
  transactionMsgTimeout: 'transactionTimeOut',
};

/**
 * Merges options over the defaults, refusing unknown keys and bad values with a RocketMQBrokerConfigError
 * that names the key (prefixed by `path`) and what it expects. `allowed` lists extra keys the caller handles.
 */
export function resolveBrokerConfig(
  options: Record<string, unknown> = {},
  path = 'broker',
  allowed: readonly string[] = [],
): BrokerConfig {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new RocketMQBrokerConfigError(path, `${path} must be an object of broker options`);
  }
  const config: Record<string, unknown> = { ...DEFAULT_BROKER_CONFIG };
  for (const key of Object.keys(options)) {
    const value = options[key];
    if (allowed.includes(key) || value === undefined) continue;
    const check = CHECKS[key as keyof BrokerConfig];
    if (!check) {
      throw new RocketMQBrokerConfigError(
        `${path}.${key}`,
        `unknown broker option "${path}.${key}"; known options: ${[...Object.keys(CHECKS), ...allowed].join(', ')}`,
      );
    }
    const expected = check(value);
    if (expected) {
      throw new RocketMQBrokerConfigError(
        `${path}.${key}`,
        `broker option "${path}.${key}" must be ${expected}, got ${JSON.stringify(value)}`,
      );
    }
    const alias = ALIASES[key];
    if (alias) {
      if (options[alias] === undefined) config[alias] = value;
      continue;
    }
    config[key] = value;
  }
  return config as unknown as BrokerConfig;
}

/** The address clients reach the broker at and that offset message ids carry. */
export function brokerAddress(config: Pick<BrokerConfig, 'brokerIP1' | 'listenPort'>): string {
  return `${config.brokerIP1}:${config.listenPort}`;
}
