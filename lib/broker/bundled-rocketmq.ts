import { Logger } from '@nestjs/common';
import { InProcessRegistry, InProcessRemotingClient } from '../remoting/index.js';
import { FileMessageStore } from '../store/file/index.js';
import { MemoryMessageStore, MessageStore } from '../store/index.js';
import { brokerAddress } from './broker-config.js';
import { BrokerController } from './broker-controller.js';
import { resolveBrokerOptions } from './config/broker-config-parser.js';
import type { BrokerOptions } from './config/broker-options.js';
import { NamesrvController } from './namesrv/index.js';
import { RocketMQBrokerConfigError } from './rocketmq-broker-config.error.js';

export interface BundledRocketMQOptions {
  /**
   * Address the in-process NameServer answers at; clients use it as their name server.
   * @default '127.0.0.1:9876'
   */
  nameServerAddress?: string;
  /**
   * Broker settings: BrokerConfig's keys, `store` ('memory' or 'file') and, for the file store, its keys
   * (storePathRootDir, flushDiskType, mappedFileSizeCommitLog, ...). Every key of a RocketMQ broker.conf is
   * accepted, with the spellings RocketMQ versions use; values may be strings (see `parseBrokerConf`).
   * @default { store: 'file', storePathRootDir: '<cwd>/.rocketmq' }
   */
  broker?: BrokerOptions;
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
    const brokerOptions = options.broker ?? {};
    const { store, brokerConfig, storeConfig } = resolveBrokerOptions(
      { ...brokerOptions, namesrvAddr: brokerOptions.namesrvAddr ?? this.nameServerAddress },
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
    const messageStore: MessageStore =
      store === 'file' ? new FileMessageStore(storeConfig) : new MemoryMessageStore({ maxMessageSize: brokerConfig.maxMessageSize });
    this.brokerController = new BrokerController(brokerConfig, {
      remotingClient: new InProcessRemotingClient(this.registry, this.brokerAddress),
      messageStore,
      storePathRootDir: store === 'file' ? storeConfig.storePathRootDir : undefined,
    });
  }

  /**
   * Recovers the store (file store), binds the NameServer and the Broker to the registry and starts them;
   * resolves once routes exist. When recovery fails (store locked by another process, unreadable metadata)
   * nothing stays bound or running.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`this bundled RocketMQ is already ${this.state}`);
    this.state = 'started';
    try {
      // Before binding: no client may reach a broker whose queues are not recovered yet.
      await this.brokerController.load();
    } catch (err) {
      this.state = 'stopped';
      await this.brokerController.shutdown().catch((e: unknown) => this.logger.error(`stopping after a failed load: ${String(e)}`));
      throw err;
    }
    this.registry.bind(this.nameServerAddress, this.namesrvController.dispatcher);
    this.registry.bind(this.brokerAddress, this.brokerController.dispatcher);
    this.namesrvController.start();
    await this.brokerController.start();
    this.logger.log(`bundled RocketMQ started: name server ${this.nameServerAddress}, broker ${this.brokerAddress}`);
  }

  /** Answers held pulls, closes client connections, stops timers, persists metadata, flushes and stops the store. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.state !== 'started') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    // The controller persists the metadata before its first await; unbinding right after means no request
    // can change it while the store flushes and closes.
    const stopping = this.brokerController.shutdown();
    // Unbinding closes every in-process connection to these addresses, as a server socket closing would.
    this.registry.unbind(this.brokerAddress);
    this.registry.unbind(this.nameServerAddress);
    this.namesrvController.shutdown();
    await stopping;
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
}
