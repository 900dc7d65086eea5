import { Logger } from '@nestjs/common';
import { InProcessRegistry, InProcessRemotingClient } from '../remoting/index.js';
import { PlainAclValidator, type PlainAclConfig } from '../remoting/acl/plain-acl-validator.js';
import { TcpRemotingServer } from '../remoting/tcp/tcp-remoting-server.js';
import { FileMessageStore } from '../store/file/index.js';
import { MemoryMessageStore, MessageStore } from '../store/index.js';
import { brokerAddress } from './broker-config.js';
import { BrokerController } from './broker-controller.js';
import { DeferredRequestDispatcher } from './deferred-request-dispatcher.js';
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
  broker?: BrokerOptions & {
    /**
     * Serve other processes too, over TCP: the NameServer on this port (0: a free one) and the broker on
     * `listenPort` (0: a free one; the routes advertise the port actually bound; unset with port 0 here: a
     * free one too). Both bind `host`. The app
     * itself keeps the in-process channel.
     * @default undefined (in-process only)
     */
    listen?: number | BundledListenOptions;
  };
}

/** Where a bundled broker serves TCP. */
export interface BundledListenOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** The NameServer's port; 0 picks a free one. @default 9876 */
  port?: number;
}

/** The TCP addresses a listening bundled broker serves, once started. */
export interface BundledListenAddresses {
  nameServer: string;
  broker: string;
}

const OPTION_KEYS = ['nameServerAddress', 'broker'];

/**
 * A NameServer and a Broker in this process, reachable through the in-process channel of `registry`.
 * Each instance owns its registry, store and timers, so several can run side by side.
 */
export class BundledRocketMQ {
  private readonly logger = new Logger(BundledRocketMQ.name);
  readonly nameServerAddress: string;
  readonly registry = new InProcessRegistry();
  readonly namesrvController: NamesrvController;
  private controller: BrokerController | undefined;
  private readonly brokerOptions: Record<string, unknown>;
  private readonly listen: Required<BundledListenOptions> | undefined;
  private readonly servers: TcpRemotingServer[] = [];
  private tcpAddresses: BundledListenAddresses | undefined;
  private aclConfig: PlainAclConfig | undefined;
  private state: 'new' | 'started' | 'stopped' = 'new';

  constructor(options: BundledRocketMQOptions = {}) {
    validateOptions(options);
    this.nameServerAddress = options.nameServerAddress ?? '127.0.0.1:9876';
    const { listen, ...brokerOptions } = options.broker ?? {};
    this.listen = resolveListen(listen);
    this.brokerOptions = { ...brokerOptions, namesrvAddr: brokerOptions.namesrvAddr ?? this.nameServerAddress };
    // A free NameServer port asks for a free broker port too, unless listenPort says which.
    if (this.listen?.port === 0 && brokerOptions.listenPort === undefined) this.brokerOptions.listenPort = 0;
    if (this.listen && brokerOptions.brokerIP1 === undefined && !isWildcard(this.listen.host)) {
      this.brokerOptions.brokerIP1 = this.listen.host;
    }
    this.namesrvController = new NamesrvController();
    if (this.listen && isPortZero(this.brokerOptions.listenPort)) {
      // Checked now so a bad option fails at construction; built once the OS has chosen the port.
      this.aclConfig = resolveBrokerOptions({ ...this.brokerOptions, listenPort: 10911 }, 'broker').aclConfig;
    } else {
      this.controller = this.createController(this.brokerOptions);
    }
  }

  /** The broker; with `listen` and listenPort 0 it exists only once `start()` bound its port. */
  get brokerController(): BrokerController {
    if (!this.controller) throw new Error('the bundled broker picks its port (listenPort 0) at start(); start it first');
    return this.controller;
  }

  /** The address the broker advertises in routes (in-process and, with `listen`, over TCP). */
  get brokerAddress(): string {
    return this.brokerController.brokerAddress;
  }

  /** Where other processes reach this runtime over TCP; undefined without `listen` or before `start()`. */
  get listenAddresses(): BundledListenAddresses | undefined {
    return this.tcpAddresses;
  }

  private createController(options: Record<string, unknown>): BrokerController {
    const { store, brokerConfig, storeConfig, aclConfig } = resolveBrokerOptions(options, 'broker');
    this.aclConfig = aclConfig;
    const address = brokerAddress(brokerConfig);
    if (address === this.nameServerAddress) {
      throw new RocketMQBrokerConfigError('broker.listenPort', `the broker address ${address} must differ from the name server address`);
    }
    const messageStore: MessageStore =
      store === 'file' ? new FileMessageStore(storeConfig) : new MemoryMessageStore({ maxMessageSize: brokerConfig.maxMessageSize });
    return new BrokerController(brokerConfig, {
      remotingClient: new InProcessRemotingClient(this.registry, address),
      messageStore,
      storePathRootDir: store === 'file' ? storeConfig.storePathRootDir : undefined,
    });
  }

  /** Binds the TCP servers; the broker's answers SYSTEM_BUSY until the broker is loaded. */
  private async listenTcp(listen: Required<BundledListenOptions>): Promise<DeferredRequestDispatcher> {
    const brokerDispatcher = new DeferredRequestDispatcher();
    const namesrvServer = new TcpRemotingServer(this.namesrvController.dispatcher, { host: listen.host, port: listen.port });
    this.servers.push(namesrvServer);
    const ns = await namesrvServer.listen();
    const brokerPort = this.controller ? this.controller.brokerConfig.listenPort : 0;
    // The NameServer serves everyone, as Apache's does; the broker checks the ACL when aclEnable is set.
    const aclValidator = this.aclConfig ? new PlainAclValidator(this.aclConfig) : undefined;
    const brokerServer = new TcpRemotingServer(brokerDispatcher, { host: listen.host, port: brokerPort, aclValidator });
    this.servers.push(brokerServer);
    const bound = await brokerServer.listen();
    this.controller ??= this.createController({ ...this.brokerOptions, listenPort: bound.port });
    this.tcpAddresses = { nameServer: `${advertised(ns.host)}:${ns.port}`, broker: this.controller.brokerAddress };
    return brokerDispatcher;
  }

  /**
   * Recovers the store (file store), binds the NameServer and the Broker to the registry and starts them;
   * resolves once routes exist. When recovery fails (store locked by another process, unreadable metadata)
   * nothing stays bound or running.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`this bundled RocketMQ is already ${this.state}`);
    this.state = 'started';
    let tcpDispatcher: DeferredRequestDispatcher | undefined;
    try {
      if (this.listen) tcpDispatcher = await this.listenTcp(this.listen);
      // Before binding: no client may reach a broker whose queues are not recovered yet.
      await this.brokerController.load();
    } catch (err) {
      this.state = 'stopped';
      await this.closeServers();
      await this.controller?.shutdown().catch((e: unknown) => this.logger.error(`stopping after a failed load: ${String(e)}`));
      throw err;
    }
    this.registry.bind(this.nameServerAddress, this.namesrvController.dispatcher);
    this.registry.bind(this.brokerAddress, this.brokerController.dispatcher);
    this.namesrvController.start();
    if (tcpDispatcher) tcpDispatcher.target = this.brokerController.dispatcher;
    await this.brokerController.start();
    this.logger.log(`bundled RocketMQ started: name server ${this.nameServerAddress}, broker ${this.brokerAddress}`);
    if (this.tcpAddresses) {
      this.logger.log(`serving TCP: name server ${this.tcpAddresses.nameServer}, broker ${this.tcpAddresses.broker}`);
    }
  }

  /** Answers held pulls, closes client connections, stops timers, persists metadata, flushes and stops the store. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.state !== 'started') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    // Closing the sockets first: remote clients see the broker go, as they would a broker process stopping.
    await this.closeServers();
    // The controller persists the metadata before its first await; unbinding right after means no request
    // can change it while the store flushes and closes.
    const stopping = this.brokerController.shutdown();
    // Unbinding closes every in-process connection to these addresses, as a server socket closing would.
    this.registry.unbind(this.brokerAddress);
    this.registry.unbind(this.nameServerAddress);
    this.namesrvController.shutdown();
    await stopping;
  }

  private async closeServers(): Promise<void> {
    const servers = this.servers.splice(0);
    await Promise.all(servers.map((s) => s.close().catch((err: unknown) => this.logger.warn(`closing a TCP server failed: ${String(err)}`))));
  }
}

function resolveListen(listen: number | BundledListenOptions | undefined): Required<BundledListenOptions> | undefined {
  if (listen === undefined) return undefined;
  const value = typeof listen === 'number' ? { port: listen } : listen;
  if (value === null || typeof value !== 'object') {
    throw new RocketMQBrokerConfigError('broker.listen', 'broker.listen must be a port or { host, port }');
  }
  const port = value.port ?? 9876;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RocketMQBrokerConfigError('broker.listen', `broker.listen port must be an integer from 0 to 65535, got ${JSON.stringify(port)}`);
  }
  const host = value.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw new RocketMQBrokerConfigError('broker.listen', 'broker.listen host must be a non-empty string');
  return { host, port };
}

function isPortZero(value: unknown): boolean {
  return value === 0 || value === '0';
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** A wildcard bind is reached through the loopback address on this machine. */
function advertised(host: string): string {
  return isWildcard(host) ? '127.0.0.1' : host;
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
