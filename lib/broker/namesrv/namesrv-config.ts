import { RocketMQBrokerConfigError } from '../rocketmq-broker-config.error.js';

/** Settings of the bundled NameServer. */
export interface NamesrvConfig {
  /**
   * Answer GET_ROUTEINFO_BY_TOPIC for an unknown (valid, non-system) topic with a route built from the
   * brokers that registered TBW102, so a consumer that subscribes before the first send gets its queues at
   * once instead of after the next 30 s route refresh. A bundled-broker convenience; Apache answers 17.
   * @default true
   */
  autoCreateTopicRoutes: boolean;
  /**
   * Read and write queue counts of such synthesized routes.
   * @default 4
   */
  defaultTopicQueueNums: number;
  /**
   * How often brokers that stopped registering are looked for, in ms.
   * @default 5000
   */
  scanNotActiveBrokerInterval: number;
  /**
   * A broker not heard from for this long is removed from routes, in ms.
   * @default 120000
   */
  brokerChannelExpiredTime: number;
}

export const DEFAULT_NAMESRV_CONFIG: Readonly<NamesrvConfig> = Object.freeze({
  autoCreateTopicRoutes: true,
  defaultTopicQueueNums: 4,
  scanNotActiveBrokerInterval: 5000,
  brokerChannelExpiredTime: 120000,
});

/** Merges options over the defaults; unknown keys and bad values throw RocketMQBrokerConfigError. */
export function resolveNamesrvConfig(options: Record<string, unknown> = {}, path = 'namesrv'): NamesrvConfig {
  const config: Record<string, unknown> = { ...DEFAULT_NAMESRV_CONFIG };
  for (const key of Object.keys(options)) {
    const value = options[key];
    if (value === undefined) continue;
    if (!(key in DEFAULT_NAMESRV_CONFIG)) {
      throw new RocketMQBrokerConfigError(
        `${path}.${key}`,
        `unknown name server option "${path}.${key}"; known options: ${Object.keys(DEFAULT_NAMESRV_CONFIG).join(', ')}`,
      );
    }
    const isBool = key === 'autoCreateTopicRoutes';
    const ok = isBool ? typeof value === 'boolean' : typeof value === 'number' && Number.isInteger(value) && value >= 1;
    if (!ok) {
      throw new RocketMQBrokerConfigError(
        `${path}.${key}`,
        `name server option "${path}.${key}" must be ${isBool ? 'a boolean' : 'an integer >= 1'}, got ${JSON.stringify(value)}`,
      );
    }
    config[key] = value;
  }
  return config as unknown as NamesrvConfig;
}
