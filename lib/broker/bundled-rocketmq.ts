import { Logger } from '@nestjs/common';
import { InProcessRegistry, InProcessRemotingClient } from '../remoting/index.js';
import { MemoryMessageStore } from '../store/index.js';
import { brokerAddress, BrokerConfig, resolveBrokerConfig } from './broker-config.js';
import { BrokerController } from './broker-controller.js';
import { NamesrvController } from './namesrv/index.js';
import { RocketMQBrokerConfigError } from './rocketmq-broker-config.error.js';

export interface BundledRocketMQOptions {
  /**
   * Address the in-process NameServer answers at; clients use it as their name server.
   * @default '127.0.0.1:9876'
   */
  nameServerAddress?: string;
  /**
   * Broker settings; `store` picks the message store.
   * @default { store: 'memory' }
   */
  broker?: Partial<BrokerConfig> & { store?: 'memory' };
}

const OPTION_KEYS = ['nameServerAddress', 'broker'];

/**
 * A NameServer and a Broker in this process, reachable through the in-process channel of `registry`.
 * Each instance owns its registry, store and timers, so several can run side by side.
 */
export class BundledRocketMQ {
  private readonly logger = new Logger(BundledRocketMQ.name);
  readonly nameServerAddress: string;
  readonly brokerAddress: string;
  readonly registry = new InProcessRegistry();
  readonly namesrvController: NamesrvController;
  readonly brokerController: BrokerController;
  private state: 'new' | 'started' | 'stopped' = 'new';

  constructor(options: BundledRocketMQOptions = {}) {
    validateOptions(options);
    this.nameServerAddress = options.nameServerAddress ?? '127.0.0.1:9876';
    const { store: _store, ...brokerOptions } = options.broker ?? {};
    const brokerConfig = resolveBrokerConfig(
      { ...brokerOptions, namesrvAddr: brokerOptions.namesrvAddr ?? this.nameServerAddress } as Record<string, unknown>,
      'broker',
    );
    this.brokerAddress = brokerAddress(brokerConfig);
    if (this.brokerAddress === this.nameServerAddress) {
      throw new RocketMQBrokerConfigError(
        'broker.listenPort',
        `the broker address ${this.brokerAddress} must differ from the name server address`,
      );
    }
    this.namesrvController = new NamesrvController();
    this.brokerController = new BrokerController(brokerConfig, {
      remotingClient: new InProcessRemotingClient(this.registry, this.brokerAddress),
      messageStore: new MemoryMessageStore({ maxMessageSize: brokerConfig.maxMessageSize }),
    });
  }

  /** Binds the NameServer and the Broker to the registry and starts them; resolves once routes exist. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`this bundled RocketMQ is already ${this.state}`);
    this.state = 'started';
    this.registry.bind(this.nameServerAddress, this.namesrvController.dispatcher);
    this.registry.bind(this.brokerAddress, this.brokerController.dispatcher);
    this.namesrvController.start();
    await this.brokerController.start();
    this.logger.log(`bundled RocketMQ started: name server ${this.nameServerAddress}, broker ${this.brokerAddress}`);
  }

  /** Answers held pulls, closes client connections, stops timers and the store. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.state !== 'started') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    this.brokerController.shutdown();
    // Unbinding closes every in-process connection to these addresses, as a server socket closing would.
    this.registry.unbind(this.brokerAddress);
    this.registry.unbind(this.nameServerAddress);
    this.namesrvController.shutdown();
  }
}

function validateOptions(options: BundledRocketMQOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new RocketMQBrokerConfigError('options', 'bundled RocketMQ options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      throw new RocketMQBrokerConfigError(key, `unknown bundled RocketMQ option "${key}"; known options: ${OPTION_KEYS.join(', ')}`);
    }
  }
  const address = options.nameServerAddress;
  if (address !== undefined && (typeof address !== 'string' || !/^[^\s:;]+:\d{1,5}$/.test(address))) {
    throw new RocketMQBrokerConfigError('nameServerAddress', `nameServerAddress must be "host:port", got ${JSON.stringify(address)}`);
  }
  const store = options.broker?.store;
  if (store !== undefined && store !== 'memory') {
    throw new RocketMQBrokerConfigError('broker.store', `broker.store must be 'memory', got ${JSON.stringify(store)}`);
  }
  if (options.broker !== undefined) resolveBrokerConfig(options.broker as Record<string, unknown>, 'broker', ['store']);
}
