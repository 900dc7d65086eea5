import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import {
  BrokerController,
  DeferredRequestDispatcher,
  NamesrvController,
  parseBrokerConf,
  resolveBrokerOptions,
  RocketMQBrokerConfigError,
} from '../broker/index.js';
import { FileMessageStore } from '../store/file/index.js';
import { MemoryMessageStore, MessageStore } from '../store/index.js';
import { TcpRemotingClient, TcpRemotingServer } from '../remoting/tcp/index.js';
import { PlainAclValidator } from '../remoting/acl/plain-acl-validator.js';
import type { BrokerCommandLine } from './broker-command-line.js';

/** NameServer keys a command line or broker.conf may carry; every other key is the broker's. */
const NAMESRV_KEYS: Readonly<Record<string, 'int' | 'boolean'>> = {
  brokerChannelExpiredTime: 'int',
  scanNotActiveBrokerInterval: 'int',
  autoCreateTopicRoutes: 'boolean',
};

/** Where a started standalone broker listens. */
export interface BrokerStartupAddresses {
  nameServer?: string;
  broker?: string;
}

/**
 * The standalone broker (NamesrvStartup + BrokerStartup in one): a NameServer and/or a Broker on TCP, the
 * broker on the file store, registering with its NameServer(s) over TCP like any remote broker would.
 */
export class BrokerStartup {
  private readonly logger = new Logger(BrokerStartup.name);
  private readonly servers: TcpRemotingServer[] = [];
  private namesrv: NamesrvController | undefined;
  private broker: BrokerController | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly commandLine: BrokerCommandLine) {}

  /** Binds and starts; on failure everything started so far is stopped again before the error is thrown. */
  async start(): Promise<BrokerStartupAddresses> {
    const cl = this.commandLine;
    const fileOptions = cl.configFile ? parseBrokerConf(readConfigFile(cl.configFile)) : {};
    const { namesrv: namesrvOptions, broker: brokerOptions } = splitOptions({ ...fileOptions, ...cl.overrides });
    const addresses: BrokerStartupAddresses = {};
    // A bad key must stop the start before any port is bound.
    if (!cl.namesrvOnly) resolveBrokerOptions({ ...brokerOptions, listenPort: 10911 }, 'broker');
    try {
      if (!cl.brokerOnly) {
        this.namesrv = new NamesrvController(namesrvOptions);
        const server = new TcpRemotingServer(this.namesrv.dispatcher, { host: cl.listenHost, port: cl.namesrvPort });
        this.servers.push(server);
        const bound = await server.listen();
        this.namesrv.start();
        addresses.nameServer = `${advertised(bound.host)}:${bound.port}`;
        this.logger.log(`The Name Server boot success. listening on ${addresses.nameServer}`);
      }
      if (!cl.namesrvOnly) addresses.broker = await this.startBroker(brokerOptions, addresses.nameServer);
    } catch (err) {
      await this.shutdown();
      throw err;
    }
    return addresses;
  }

  private async startBroker(options: Record<string, string>, ownNameServer: string | undefined): Promise<string> {
    const cl = this.commandLine;
    const namesrvAddr = cl.namesrvAddr ?? options.namesrvAddr ?? ownNameServer;
    if (!namesrvAddr) {
      throw new RocketMQBrokerConfigError('namesrvAddr', '--broker-only needs the NameServers to register with: --namesrv-addr host:port or namesrvAddr=host:port');
    }
    const merged: Record<string, unknown> = { store: 'file', ...options, namesrvAddr };
    if (merged.brokerIP1 === undefined && !isWildcard(cl.listenHost)) merged.brokerIP1 = cl.listenHost;
    const wantsFreePort = merged.listenPort === '0';
    // Validated before any socket is bound, so a bad key costs no port.
    const { aclConfig } = resolveBrokerOptions(wantsFreePort ? { ...merged, listenPort: 10911 } : merged, 'broker');
    const dispatcher = new DeferredRequestDispatcher();
    const requestedPort = wantsFreePort ? 0 : Number(merged.listenPort ?? 10911);
    // The NameServer is open to all, as Apache's; the broker checks requests when aclEnable=true.
    const aclValidator = aclConfig ? new PlainAclValidator(aclConfig) : undefined;
    const server = new TcpRemotingServer(dispatcher, { host: cl.listenHost, port: requestedPort, aclValidator });
    this.servers.push(server);
    const bound = await server.listen();
    const { store, brokerConfig, storeConfig } = resolveBrokerOptions({ ...merged, listenPort: bound.port }, 'broker');
    const messageStore: MessageStore =
      store === 'file' ? new FileMessageStore(storeConfig) : new MemoryMessageStore({ maxMessageSize: brokerConfig.maxMessageSize });
    this.broker = new BrokerController(brokerConfig, {
      remotingClient: new TcpRemotingClient(),
      messageStore,
      storePathRootDir: store === 'file' ? storeConfig.storePathRootDir : undefined,
    });
    await this.broker.load();
    dispatcher.target = this.broker.dispatcher;
    await this.broker.start();
    this.logger.log(
      `The broker[${brokerConfig.brokerName}, ${this.broker.brokerAddress}] boot success. listening on ${cl.listenHost}:${bound.port}, ` +
        `name server ${namesrvAddr}, store ${store === 'file' ? storeConfig.storePathRootDir : 'memory'}` +
        (aclConfig ? `, ACL on (${aclConfig.accounts.length} account(s))` : ''),
    );
    return this.broker.brokerAddress;
  }

  /** Closes the sockets, then persists and flushes the broker and stops the NameServer. Idempotent. */
  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      const broker = this.broker;
      // The broker unregisters and persists before its store closes; the sockets go first so no request
      // changes the metadata meanwhile.
      await Promise.all(this.servers.splice(0).map((s) => s.close().catch((err: unknown) => this.logger.warn(`closing a server: ${String(err)}`))));
      if (broker) await broker.shutdown();
      this.namesrv?.shutdown();
    })();
    return this.stopping;
  }
}

function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new RocketMQBrokerConfigError('-c', `cannot read the config file ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function splitOptions(all: Record<string, string>): { namesrv: Record<string, unknown>; broker: Record<string, string> } {
  const namesrv: Record<string, unknown> = {};
  const broker: Record<string, string> = {};
  for (const [key, value] of Object.entries(all)) {
    const kind = NAMESRV_KEYS[key];
    if (!kind) broker[key] = value;
    else if (kind === 'boolean') namesrv[key] = value === 'true' ? true : value === 'false' ? false : value;
    else namesrv[key] = /^\d+$/.test(value) ? Number(value) : value;
  }
  return { namesrv, broker };
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function advertised(host: string): string {
  return isWildcard(host) ? '127.0.0.1' : host;
}
