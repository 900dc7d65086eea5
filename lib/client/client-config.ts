import { RemotingClient } from '../remoting/index.js';

/** Opens the transport a client instance uses; it is given the local address brokers record for it. */
export type RemotingClientFactory = (localAddress: string) => RemotingClient;

/** Settings every producer and consumer shares with its client instance (ClientConfig). */
export interface ClientConfig {
  /** NameServer addresses, `host:port` separated by `;`. */
  namesrvAddr: string;
  /**
   * The transport. The bundled broker hands an in-process one.
   * @default () => new TcpRemotingClient({ accessKey, secretKey })
   */
  remotingClientFactory?: RemotingClientFactory;
  /**
   * Names this client instance within the process; clients with one instance name share connections.
   * @default a name unique to the MQClientManager
   */
  instanceName?: string;
  /** Prefixes topics and groups as `namespace%name`. */
  namespace?: string;
  /** @default the first non-internal IPv4 address */
  clientIP?: string;
  accessKey?: string;
  secretKey?: string;
  /** @default 30000 */
  pollNameServerInterval?: number;
  /** @default 30000 */
  heartbeatBrokerInterval?: number;
  /** @default 5000 */
  persistConsumerOffsetInterval?: number;
  /**
   * How often every consumer re-runs its rebalance besides the NOTIFY_CONSUMER_IDS_CHANGED pushes
   * (Java's `rocketmq.client.rebalance.waitInterval`).
   * @default 20000
   */
  rebalanceInterval?: number;
  /** How long a request may wait for its answer, for requests other than send and pull. @default 3000 */
  mqClientApiTimeout?: number;
}

export type ResolvedClientConfig = ClientConfig &
  Required<Pick<ClientConfig, 'pollNameServerInterval' | 'heartbeatBrokerInterval' | 'persistConsumerOffsetInterval' | 'mqClientApiTimeout' | 'rebalanceInterval'>>;

export const CLIENT_CONFIG_DEFAULTS = {
  pollNameServerInterval: 30_000,
  heartbeatBrokerInterval: 30_000,
  persistConsumerOffsetInterval: 5_000,
  mqClientApiTimeout: 3_000,
  rebalanceInterval: 20_000,
};

/** Adds the namespace to a resource name, leaving system and already-prefixed names alone. */
export function withNamespace(name: string, namespace?: string): string {
  if (!namespace || name.startsWith(`${namespace}%`)) return name;
  if (name.startsWith('%RETRY%')) return `%RETRY%${namespace}%${name.substring(7)}`;
  if (name.startsWith('%DLQ%')) return `%DLQ%${namespace}%${name.substring(5)}`;
  return `${namespace}%${name}`;
}

export function withoutNamespace(name: string, namespace?: string): string {
  if (!namespace) return name;
  const prefix = `${namespace}%`;
  if (name.startsWith(`%RETRY%${prefix}`)) return `%RETRY%${name.substring(7 + prefix.length)}`;
  if (name.startsWith(`%DLQ%${prefix}`)) return `%DLQ%${name.substring(5 + prefix.length)}`;
  return name.startsWith(prefix) ? name.substring(prefix.length) : name;
}
