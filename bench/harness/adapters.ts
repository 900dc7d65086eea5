/**
 * One small interface over each system the bench measures, so every workload runs the same code:
 * nestjs-rocketmq (in-process or TCP), BullMQ on Redis, RabbitMQ through amqplib.
 * Every message carries its send time (ms, shared clock) for latency at the consumer; t < 0 marks a warm-up message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { BundledRocketMQ } from '../../lib/broker/index.js';
import {
  ClientConfig,
  ConsumeConcurrentlyStatus,
  ConsumeFromWhere,
  DefaultMQProducer,
  DefaultMQPushConsumer,
  MQClientManager,
} from '../../lib/client/index.js';
import { Message } from '../../lib/message/index.js';
import { InProcessRemotingClient } from '../../lib/remoting/index.js';

/** Milliseconds on a clock shared by every process of this machine. */
export const now = (): number => performance.timeOrigin + performance.now();

export interface Adapter {
  readonly hasBatch: boolean;
  /** Send one message and wait for the broker's acknowledgement (durable where the system says so). */
  send(topic: string, t: number): Promise<void>;
  /** Send several in one call and wait for the acknowledgement(s). */
  sendBatch(topic: string, ts: number[]): Promise<void>;
  /** Fire and forget: resolves once handed off, without the broker's acknowledgement. */
  sendOneway(topic: string, t: number): Promise<void>;
  /** Subscribe; `onT` gets each message's send time. Returns the unsubscribe. */
  subscribe(topic: string, group: string, onT: (t: number) => void): Promise<() => Promise<void>>;
  /** Drop what a producer-only workload left behind on `topic`. */
  discard(topic: string): Promise<void>;
  close(): Promise<void>;
}

export type SystemId = 'rmq-memory' | 'rmq-file-async' | 'rmq-file-sync' | 'rmq-tcp' | 'bullmq' | 'rabbitmq';

export interface AdapterOptions {
  system: SystemId;
  size: number;
  /** rmq-tcp: the NameServer address. */
  namesrvAddr?: string;
  /** bullmq / rabbitmq: the server port on 127.0.0.1. */
  port?: number;
}

function bodyFactory(size: number): (t: number) => Buffer {
  const template = Buffer.alloc(Math.max(size, 8), 0x61);
  return (t) => {
    const b = Buffer.from(template);
    b.writeDoubleLE(t, 0);
    return b;
  };
}

// ---------------------------------------------------------------------------------------------- RocketMQ

class RocketMQAdapter implements Adapter {
  readonly hasBatch = true;
  private broker: BundledRocketMQ | undefined;
  private dir: string | undefined;
  private producer: DefaultMQProducer | undefined;
  private readonly managers: MQClientManager[] = [];
  private readonly body: (t: number) => Buffer;

  constructor(private readonly options: AdapterOptions) {
    this.body = bodyFactory(options.size);
  }

  async start(): Promise<void> {
    Logger.overrideLogger(['error']);
    const s = this.options.system;
    if (s !== 'rmq-tcp') {
      const broker: Record<string, unknown> = { store: 'memory' };
      if (s === 'rmq-file-async' || s === 'rmq-file-sync') {
        this.dir = mkdtempSync(join(tmpdir(), 'bench-rmq-'));
        broker.store = 'file';
        broker.storePathRootDir = this.dir;
        broker.flushDiskType = s === 'rmq-file-sync' ? 'SYNC_FLUSH' : 'ASYNC_FLUSH';
      }
      this.broker = new BundledRocketMQ({ nameServerAddress: '127.0.0.1:19876', broker: broker as never });
      await this.broker.start();
    }
    const m = new MQClientManager();
    this.managers.push(m);
    this.producer = new DefaultMQProducer({ producerGroup: 'bench_pg', retryTimesWhenSendFailed: 2 }, this.config(), m);
    await this.producer.start();
  }

  /** The temp dir of a file store, removed by close() (and by the caller's exit handler). */
  get tempDir(): string | undefined {
    return this.dir;
  }

  private config(): ClientConfig {
    if (this.broker) {
      const broker = this.broker;
      return {
        namesrvAddr: broker.nameServerAddress,
        clientIP: '127.0.0.1',
        rebalanceInterval: 1000,
        remotingClientFactory: (local) => new InProcessRemotingClient(broker.registry, local),
      } as ClientConfig;
    }
    return { namesrvAddr: this.options.namesrvAddr!, clientIP: '127.0.0.1', rebalanceInterval: 1000 } as ClientConfig;
  }

  async send(topic: string, t: number): Promise<void> {
    await this.producer!.send(new Message(topic, this.body(t)));
  }

  async sendBatch(topic: string, ts: number[]): Promise<void> {
    await this.producer!.sendBatch(ts.map((t) => new Message(topic, this.body(t))));
  }

  async sendOneway(topic: string, t: number): Promise<void> {
    await this.producer!.sendOneway(new Message(topic, this.body(t)));
  }

  async subscribe(topic: string, group: string, onT: (t: number) => void): Promise<() => Promise<void>> {
    // The topic exists before the consumer looks up its route: one 1-byte message (ignored below) creates it.
    await this.producer!.send(new Message(topic, Buffer.alloc(1)));
    const m = new MQClientManager();
    this.managers.push(m);
    const c = new DefaultMQPushConsumer({ consumerGroup: group, consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET }, this.config(), m);
    c.subscribe(topic, '*');
    c.registerMessageListener({
      consumeMessage: (msgs) => {
        for (const msg of msgs) if (msg.body.length >= 8) onT(msg.body.readDoubleLE(0));
        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
      },
    });
    await c.start();
    return () => c.shutdown();
  }

  async discard(): Promise<void> {
    // Topics stay; the store is thrown away with the process / temp dir.
  }

  async close(): Promise<void> {
    await this.producer?.shutdown().catch(() => undefined);
    for (const m of this.managers) await m.shutdown().catch(() => undefined);
    await this.broker?.shutdown().catch(() => undefined);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------- BullMQ

class BullMQAdapter implements Adapter {
  readonly hasBatch = true;
  private mod!: typeof import('bullmq');
  private readonly queues = new Map<string, import('bullmq').Queue>();
  private readonly payload: string;
  private readonly connection: { host: string; port: number; maxRetriesPerRequest: null };

  constructor(options: AdapterOptions) {
    // JSON job data: the time plus a string payload that makes the serialized job about `size` bytes.
    this.payload = 'a'.repeat(Math.max(0, options.size - 20));
    this.connection = { host: '127.0.0.1', port: options.port!, maxRetriesPerRequest: null };
  }

  async start(): Promise<void> {
    this.mod = await import('bullmq');
  }

  private queue(name: string): import('bullmq').Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new this.mod.Queue(name, { connection: this.connection, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
      this.queues.set(name, q);
    }
    return q;
  }

  async send(topic: string, t: number): Promise<void> {
    await this.queue(topic).add('m', { t, p: this.payload });
  }

  async sendBatch(topic: string, ts: number[]): Promise<void> {
    await this.queue(topic).addBulk(ts.map((t) => ({ name: 'm', data: { t, p: this.payload } })));
  }

  async sendOneway(topic: string, t: number): Promise<void> {
    // BullMQ has no fire-and-forget: the closest is not waiting for each add (the workload keeps many in flight).
    await this.queue(topic).add('m', { t, p: this.payload });
  }

  async subscribe(topic: string, _group: string, onT: (t: number) => void): Promise<() => Promise<void>> {
    const w = new this.mod.Worker(
      topic,
      async (job) => {
        onT((job.data as { t: number }).t);
      },
      { connection: this.connection, concurrency: 50 },
    );
    await w.waitUntilReady();
    return () => w.close();
  }

  async discard(topic: string): Promise<void> {
    await this.queue(topic).obliterate({ force: true }).catch(() => undefined);
  }

  async close(): Promise<void> {
    for (const q of this.queues.values()) await q.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------- RabbitMQ

class RabbitMQAdapter implements Adapter {
  readonly hasBatch = false;
  private conn!: import('amqplib').ChannelModel;
  private confirm!: import('amqplib').ConfirmChannel;
  private plain!: import('amqplib').Channel;
  private readonly asserted = new Set<string>();
  private readonly body: (t: number) => Buffer;

  constructor(private readonly options: AdapterOptions) {
    this.body = bodyFactory(options.size);
  }

  async start(): Promise<void> {
    const amqp = await import('amqplib');
    // noDelay: without it Nagle holds small frames (acks, single messages) and adds milliseconds of latency.
    this.conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${this.options.port}`, { noDelay: true });
    this.confirm = await this.conn.createConfirmChannel();
    this.plain = await this.conn.createChannel();
  }

  private async queue(name: string): Promise<void> {
    if (!this.asserted.has(name)) {
      await this.confirm.assertQueue(name, { durable: true });
      this.asserted.add(name);
    }
  }

  private publishConfirmed(topic: string, t: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.confirm.sendToQueue(topic, this.body(t), { persistent: true }, (err) => (err ? reject(err) : resolve()));
    });
  }

  async send(topic: string, t: number): Promise<void> {
    await this.queue(topic);
    await this.publishConfirmed(topic, t);
  }

  async sendBatch(topic: string, ts: number[]): Promise<void> {
    // No batch in AMQP 0-9-1: publish them back to back and wait for every confirm.
    await this.queue(topic);
    await Promise.all(ts.map((t) => this.publishConfirmed(topic, t)));
  }

  async sendOneway(topic: string, t: number): Promise<void> {
    await this.queue(topic);
    if (!this.plain.sendToQueue(topic, this.body(t), { persistent: true })) {
      await new Promise((r) => this.plain.once('drain', r));
    }
  }

  async subscribe(topic: string, _group: string, onT: (t: number) => void): Promise<() => Promise<void>> {
    await this.queue(topic);
    const ch = await this.conn.createChannel();
    await ch.prefetch(100);
    const { consumerTag } = await ch.consume(
      topic,
      (msg) => {
        if (!msg) return;
        onT(msg.content.readDoubleLE(0));
        ch.ack(msg);
      },
      { noAck: false },
    );
    return async () => {
      await ch.cancel(consumerTag).catch(() => undefined);
      await ch.close().catch(() => undefined);
    };
  }

  async discard(topic: string): Promise<void> {
    await this.confirm.deleteQueue(topic).catch(() => undefined);
    this.asserted.delete(topic);
  }

  async close(): Promise<void> {
    await this.conn.close().catch(() => undefined);
  }
}

export async function openAdapter(options: AdapterOptions): Promise<Adapter & { tempDir?: string }> {
  const a =
    options.system === 'bullmq' ? new BullMQAdapter(options) : options.system === 'rabbitmq' ? new RabbitMQAdapter(options) : new RocketMQAdapter(options);
  await a.start();
  return a;
}
