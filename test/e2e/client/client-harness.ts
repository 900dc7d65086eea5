import { BundledRocketMQ } from '../../../lib/broker/index.js';
import {
  ClientConfig,
  ConsumeConcurrentlyStatus,
  ConsumeOrderlyStatus,
  DefaultMQProducer,
  DefaultMQPushConsumer,
  ExpressionType,
  MQClientManager,
  PushConsumerOptions,
} from '../../../lib/client/index.js';
import { MessageExt } from '../../../lib/message/index.js';
import { InProcessRemotingClient } from '../../../lib/remoting/index.js';

/** A bundled broker plus the clients a test opens on it, all closed by `close()`. */
export class ClientHarness {
  private current: BundledRocketMQ;

  constructor(private readonly brokerOptions: ConstructorParameters<typeof BundledRocketMQ>[0] = {}) {
    this.current = new BundledRocketMQ(brokerOptions);
  }
  private managers: MQClientManager[] = [];
  private closers: Array<() => Promise<void>> = [];

  get broker(): BundledRocketMQ {
    return this.current;
  }

  /**
   * Closes every client and the broker (a clean shutdown), then starts a new broker with the same options:
   * with `store: 'file'` it recovers what the first one persisted. Clients opened before are gone; open new ones.
   */
  async restart(): Promise<this> {
    await this.close();
    this.managers = [];
    this.closers = [];
    this.current = new BundledRocketMQ(this.brokerOptions);
    return this.start();
  }

  async start(): Promise<this> {
    await this.broker.start();
    return this;
  }

  clientConfig(instanceName?: string): ClientConfig {
    return {
      namesrvAddr: this.broker.nameServerAddress,
      instanceName,
      clientIP: '127.0.0.1',
      remotingClientFactory: (local) => new InProcessRemotingClient(this.broker.registry, local),
    };
  }

  /** A new MQClientManager stands for a separate process. */
  manager(): MQClientManager {
    const m = new MQClientManager();
    this.managers.push(m);
    return m;
  }

  async producer(group = 'test-producer'): Promise<DefaultMQProducer> {
    const p = new DefaultMQProducer({ producerGroup: group }, this.clientConfig(), this.manager());
    await p.start();
    this.closers.push(() => p.shutdown());
    return p;
  }

  async consumer(
    options: PushConsumerOptions,
    topic: string,
    onMessage: (msg: MessageExt) => void | Promise<void>,
    opts: { orderly?: boolean; expression?: string; start?: boolean; type?: ExpressionType } = {},
  ): Promise<DefaultMQPushConsumer> {
    const c = new DefaultMQPushConsumer(options, this.clientConfig(), this.manager());
    c.subscribe(topic, opts.expression ?? '*', opts.type);
    if (opts.orderly) {
      c.registerMessageListener({
        orderly: true,
        consumeMessage: async (msgs) => {
          for (const m of msgs) await onMessage(m);
          return ConsumeOrderlyStatus.SUCCESS;
        },
      });
    } else {
      c.registerMessageListener({
        consumeMessage: async (msgs) => {
          for (const m of msgs) await onMessage(m);
          return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        },
      });
    }
    if (opts.start !== false) await c.start();
    this.closers.push(() => c.shutdown());
    return c;
  }

  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close().catch(() => undefined);
    for (const m of this.managers) await m.shutdown();
    await this.broker.shutdown();
  }
}

/** Polls `condition` every few ms until it holds or `timeoutMillis` passes. */
export async function waitFor(
  condition: () => boolean,
  timeoutMillis = 5000,
  what: string | (() => string) = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMillis} ms waiting for ${typeof what === 'function' ? what() : what}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
