import { RocketMQBrokerConfigError } from './rocketmq-broker-config.error.js';

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
    config[key] = value;
  }
  return config as unknown as BrokerConfig;
}

/** The address clients reach the broker at and that offset message ids carry. */
export function brokerAddress(config: Pick<BrokerConfig, 'brokerIP1' | 'listenPort'>): string {
  return `${config.brokerIP1}:${config.listenPort}`;
}
