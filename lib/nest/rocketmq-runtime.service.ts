import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { BundledRocketMQ } from '../broker/index.js';
import {
  ConsumeFromWhere,
  DefaultLitePullConsumer,
  DefaultMQProducer,
  ExpressionType,
  MessageModel,
  MQAdminClient,
  MQClientManager,
  type ClientConfig,
} from '../client/index.js';
import { InProcessRemotingClient } from '../remoting/index.js';
import { RocketMQMessageConverter } from './messaging/rocketmq-message.converter.js';
import type {
  ResolvedProducerOptions,
  ResolvedPullConsumerOptions,
  ResolvedRocketMQOptions,
  ResolvedTemplateOptions,
} from './options/rocketmq-options.validator.js';
import { DEFAULT_TEMPLATE_NAME, ROCKETMQ_RESOLVED_OPTIONS } from './rocketmq.constants.js';
import { RocketMQTemplate } from './template/rocketmq.template.js';

type BundledBrokerOptions = NonNullable<ConstructorParameters<typeof BundledRocketMQ>[0]>['broker'];

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
  private pullConsumer?: DefaultLitePullConsumer;
  private admin?: Promise<MQAdminClient>;
  private starting?: Promise<void>;
  private closed = false;

  constructor(
    @Inject(ROCKETMQ_RESOLVED_OPTIONS) readonly options: ResolvedRocketMQOptions,
    private readonly converter: RocketMQMessageConverter,
  ) {
    if (!options.nameServer) this.bundled = new BundledRocketMQ({ broker: this.brokerConfig() });
    const defaultTemplate = this.createTemplate(DEFAULT_TEMPLATE_NAME, options.producer);
    if (options.pullConsumer) {
      this.pullConsumer = this.createPullConsumer(options.pullConsumer);
      defaultTemplate.setConsumer(this.pullConsumer);
    }
    this.templates.set(DEFAULT_TEMPLATE_NAME, defaultTemplate);
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

  /**
   * Client settings for a producer or consumer: the bundled broker's address gets the in-process transport,
   * any other NameServer the client's default, TCP.
   */
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
      const tcp = this.bundled.listenAddresses;
      this.logger.log(
        `Bundled RocketMQ broker started (NameServer ${this.bundled.nameServerAddress}, in-process` +
          (tcp ? `; TCP NameServer ${tcp.nameServer}, broker ${tcp.broker})` : ')'),
      );
    }
    await Promise.all(this.producers.map((p) => p.start()));
    if (this.pullConsumer) await this.pullConsumer.start();
  }

  /**
   * The admin client behind `RocketMQAdmin`, created and started on first use (after the broker), so an
   * app that never queries pays nothing.
   */
  adminClient(): Promise<MQAdminClient> {
    if (this.closed) return Promise.reject(new Error('RocketMQ is shut down: the admin client is closed'));
    this.admin ??= (async () => {
      await this.start();
      const admin = new MQAdminClient(this.clientConfig({ ...this.options.consumer }), this.manager);
      await admin.start();
      return admin;
    })();
    return this.admin;
  }

  /** Producers first (nothing sends any more), then the client instances, then the broker. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pullConsumer) await this.pullConsumer.shutdown().catch((err: Error) => this.logger.error(`The pull consumer did not stop cleanly: ${err.message}`));
    if (this.admin) await this.admin.then((a) => a.shutdown()).catch(() => undefined);
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

  private createPullConsumer(options: ResolvedPullConsumerOptions): DefaultLitePullConsumer {
    if (options.enableMsgTrace) this.logger.warn('pullConsumer.enableMsgTrace is accepted but message trace is not implemented yet');
    return new DefaultLitePullConsumer(
      {
        consumerGroup: options.group,
        topic: options.topic,
        messageModel: options.messageModel as MessageModel,
        pullBatchSize: options.pullBatchSize,
        consumeFromWhere: options.consumeFromWhere as ConsumeFromWhere,
        selectorType: options.selectorType as ExpressionType,
        selectorExpression: options.selectorExpression,
      },
      this.clientConfig(options),
      this.manager,
    );
  }

  /**
   * The bundled broker's options: `storePath` is this module's name for storePathRootDir; `listen` (the
   * NameServer's TCP port) makes the bundled broker serve other processes too.
   */
  private brokerConfig(): BundledBrokerOptions {
    const { storePath, ...rest } = this.options.broker ?? {};
    const config: Record<string, unknown> = { ...rest };
    if (storePath !== undefined && config.storePathRootDir === undefined) config.storePathRootDir = storePath;
    return config as BundledBrokerOptions;
  }

}
