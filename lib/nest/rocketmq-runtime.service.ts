import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { BundledRocketMQ, type BrokerConfig } from '../broker/index.js';
import { DefaultMQProducer, MQClientManager, type ClientConfig } from '../client/index.js';
import { InProcessRemotingClient } from '../remoting/index.js';
import { RocketMQMessageConverter } from './messaging/rocketmq-message.converter.js';
import type { ResolvedProducerOptions, ResolvedRocketMQOptions, ResolvedTemplateOptions } from './options/rocketmq-options.validator.js';
import { DEFAULT_TEMPLATE_NAME, ROCKETMQ_RESOLVED_OPTIONS } from './rocketmq.constants.js';
import { RocketMQTemplate } from './template/rocketmq.template.js';

/** Client-level settings a producer or consumer may set for itself. */
export interface ClientOverrides {
  nameServer?: string;
  accessKey?: string;
  secretKey?: string;
  namespace?: string;
  instanceName?: string;
}

/**
 * Everything one app's RocketMQ clients share: its own MQClientManager, its bundled broker (when no
 * nameServer is configured) and its templates' producers. Nothing here is static, so two apps in one
 * process share nothing. Started by the listener explorer at module init (after validation), closed at
 * application shutdown after the consumers have stopped.
 */
@Injectable()
export class RocketMQRuntime implements OnApplicationShutdown {
  private readonly logger = new Logger(RocketMQRuntime.name);
  readonly manager = new MQClientManager();
  /** The in-process broker, when the app runs without `nameServer`. */
  readonly bundled?: BundledRocketMQ;
  private readonly templates = new Map<string, RocketMQTemplate>();
  private readonly producers: DefaultMQProducer[] = [];
  private starting?: Promise<void>;
  private closed = false;

  constructor(
    @Inject(ROCKETMQ_RESOLVED_OPTIONS) readonly options: ResolvedRocketMQOptions,
    private readonly converter: RocketMQMessageConverter,
  ) {
    if (!options.nameServer) this.bundled = new BundledRocketMQ({ broker: this.brokerConfig() });
    this.templates.set(DEFAULT_TEMPLATE_NAME, this.createTemplate(DEFAULT_TEMPLATE_NAME, options.producer));
    for (const [name, template] of Object.entries(options.templates)) {
      this.templates.set(name, this.createTemplate(name, template));
    }
    if ([options.producer, ...Object.values(options.templates)].some((p) => p?.enableMsgTrace) || options.consumer.enableMsgTrace) {
      this.logger.warn('enableMsgTrace is accepted but message trace is not implemented yet: no trace data is sent');
    }
  }

  /** The NameServer every client without its own `nameServer` uses: the configured one or the bundled broker's. */
  get nameServerAddress(): string {
    return this.options.nameServer ?? this.bundled!.nameServerAddress;
  }

  /** Client settings for a producer or consumer; the bundled broker's address gets the in-process transport. */
  clientConfig(overrides: ClientOverrides = {}): ClientConfig {
    const namesrvAddr = overrides.nameServer ?? this.nameServerAddress;
    const bundled = this.bundled;
    return {
      namesrvAddr,
      remotingClientFactory:
        bundled && namesrvAddr === bundled.nameServerAddress
          ? (local) => new InProcessRemotingClient(bundled.registry, local)
          : undefined,
      instanceName: overrides.instanceName,
      namespace: overrides.namespace,
      accessKey: overrides.accessKey,
      secretKey: overrides.secretKey,
    };
  }

  /** The default template (name omitted) or a named one; unconfigured names throw when used. */
  getTemplate(name: string = DEFAULT_TEMPLATE_NAME): RocketMQTemplate {
    return (
      this.templates.get(name) ??
      new RocketMQTemplate(undefined, this.converter, name, this.missingTemplateReason(name))
    );
  }

  /** Why a template cannot send, or undefined when it can. */
  missingTemplateReason(name: string = DEFAULT_TEMPLATE_NAME): string | undefined {
    if (this.templates.get(name)?.configured) return undefined;
    if (name === DEFAULT_TEMPLATE_NAME) {
      return 'No default RocketMQTemplate: set producer.group in RocketMQModule options (rocketmq.producer.group), e.g. producer: { group: "my-app-producer" }';
    }
    return `No RocketMQTemplate named "${name}": add templates: { "${name}": { group: "..." } } to the RocketMQModule options`;
  }

  /** Starts the bundled broker, then every producer. Safe to call more than once. */
  start(): Promise<void> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<void> {
    if (this.bundled) {
      await this.bundled.start();
      this.logger.log(`Bundled RocketMQ broker started (NameServer ${this.bundled.nameServerAddress}, in-process)`);
    }
    await Promise.all(this.producers.map((p) => p.start()));
  }

  /** Producers first (nothing sends any more), then the client instances, then the broker. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.producers.map((p) => p.shutdown()));
    await this.manager.shutdown();
    if (this.bundled) await this.bundled.shutdown();
  }

  private createTemplate(name: string, options: ResolvedProducerOptions | ResolvedTemplateOptions | undefined): RocketMQTemplate {
    if (!options) return new RocketMQTemplate(undefined, this.converter, name, this.missingTemplateReason(name));
    const producer = new DefaultMQProducer(
      {
        producerGroup: options.group,
        sendMsgTimeout: options.sendMessageTimeout,
        retryTimesWhenSendFailed: options.retryTimesWhenSendFailed,
        retryTimesWhenSendAsyncFailed: options.retryTimesWhenSendAsyncFailed,
        retryAnotherBrokerWhenNotStoreOK: options.retryNextServer,
        maxMessageSize: options.maxMessageSize,
        compressMsgBodyOverHowmuch: options.compressMessageBodyThreshold,
      },
      this.clientConfig({ ...options, nameServer: (options as ResolvedTemplateOptions).nameServer }),
      this.manager,
    );
    this.producers.push(producer);
    return new RocketMQTemplate(producer, this.converter, name);
  }

  private brokerConfig(): Partial<BrokerConfig> & { store?: 'memory' } {
    // storePath and flushDiskType belong to the file store, which the bundled broker does not have yet.
    const { listen, storePath, flushDiskType, ...rest } = this.options.broker ?? {};
    void storePath;
    void flushDiskType;
    const config = { ...rest } as Partial<BrokerConfig> & { store?: 'memory' };
    if (listen !== undefined && config.listenPort === undefined) config.listenPort = listen as number;
    return config;
  }
}
