import { createHash, randomBytes } from 'node:crypto';
import { localIPv4 } from '../message/index.js';
import { ClientConfig, CLIENT_CONFIG_DEFAULTS, ResolvedClientConfig } from './client-config.js';
import { MQClientInstance } from './impl/mq-client-instance.js';
import { TcpRemotingClient } from '../remoting/tcp/tcp-remoting-client.js';
import { RemotingClientFactory } from './client-config.js';
import { definedOnly } from './defined-only.js';

/** The default transport: RocketMQ's remoting protocol over TCP, signing requests when keys are given. */
function tcpRemotingClientFactory(config: ClientConfig): RemotingClientFactory {
  return () => new TcpRemotingClient({ accessKey: config.accessKey, secretKey: config.secretKey });
}

/** Where producers and consumers get their client instance from. */
export interface MQClientInstanceProvider {
  getOrCreateInstance(config: ClientConfig): MQClientInstance;
}

/**
 * Hands out client instances (MQClientManager). Unlike Java's process-wide singleton, each Nest app owns
 * one manager, so two apps in one process never share a connection, a route cache or a client id.
 */
export class MQClientManager implements MQClientInstanceProvider {
  private readonly instances = new Map<string, MQClientInstance>();
  /** Java turns the default instance name into the pid; adding a random part keeps two managers apart. */
  readonly defaultInstanceName = `${process.pid}#${randomBytes(4).toString('hex')}`;

  getOrCreateInstance(config: ClientConfig): MQClientInstance {
    const clientIP = config.clientIP ?? Array.from(localIPv4()).join('.');
    const instanceName = config.instanceName ?? this.defaultInstanceName;
    // The secret is part of the identity too (as a digest): the same AccessKey with another SecretKey signs differently.
    const secret = config.secretKey ? createHash('sha256').update(config.secretKey).digest('hex').substring(0, 16) : '';
    const key = [clientIP, instanceName, config.namesrvAddr, config.accessKey ?? '', secret, config.namespace ?? ''].join('|');
    let instance = this.instances.get(key);
    if (instance) return instance;
    let clientId = `${clientIP}@${instanceName}`;
    const taken = new Set([...this.instances.values()].map((i) => i.clientId));
    for (let n = 2; taken.has(clientId); n++) clientId = `${clientIP}@${instanceName}#${n}`;
    const localAddress = `${clientIP}:${30000 + Math.floor(Math.random() * 30000)}`;
    instance = new MQClientInstance(
      clientId,
      { ...CLIENT_CONFIG_DEFAULTS, ...definedOnly(config) } as ResolvedClientConfig,
      (config.remotingClientFactory ?? tcpRemotingClientFactory(config))(localAddress),
      (i) => {
        if (this.instances.get(key) === i) this.instances.delete(key);
      },
    );
    this.instances.set(key, instance);
    instance.start();
    return instance;
  }

  /** Stops every instance this manager handed out. */
  async shutdown(): Promise<void> {
    for (const instance of this.instances.values()) instance.shutdown();
    this.instances.clear();
  }
}

