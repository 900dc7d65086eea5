/**
 * The client against a real cluster: ROCKETMQ_NAME_SERVER=host:port[;host:port] (an Apache RocketMQ
 * cluster with autoCreateTopicEnable=true, or `npx nestjs-rocketmq broker`). Skipped when unset.
 * Every run uses fresh topic and group names, so earlier runs' messages and offsets do not matter.
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import {
  ClientConfig,
  ConsumeConcurrentlyStatus,
  ConsumeFromWhere,
  ConsumeOrderlyStatus,
  DefaultMQProducer,
  DefaultMQPushConsumer,
  MessageModel,
  MQClientManager,
  SelectMessageQueueByHash,
} from '../../lib/client/index.js';
import { Message, MessageExt } from '../../lib/message/index.js';

const NAME_SERVER = process.env.ROCKETMQ_NAME_SERVER;
const suite = NAME_SERVER ? describe : describe.skip;
if (!NAME_SERVER) {
  console.log('set ROCKETMQ_NAME_SERVER=host:port to run the cluster suite against an Apache RocketMQ cluster');
}

jest.setTimeout(90_000);

const RUN = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

async function waitUntil(predicate: () => boolean, timeoutMillis: number, what: string): Promise<void> {
  const begin = Date.now();
  while (!predicate()) {
    if (Date.now() - begin > timeoutMillis) throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

suite(`cluster suite against ROCKETMQ_NAME_SERVER=${NAME_SERVER ?? '(unset)'}`, () => {
  const managers: MQClientManager[] = [];
  const closers: Array<() => Promise<void>> = [];
  /** The default transport: TcpRemotingClient. Each client its own manager (its own client id). */
  const config = (): ClientConfig => ({ namesrvAddr: NAME_SERVER!, pollNameServerInterval: 1000, rebalanceInterval: 2000 });
  const manager = () => {
    const m = new MQClientManager();
    managers.push(m);
    return m;
  };

  const producer = async (topic: string): Promise<DefaultMQProducer> => {
    const p = new DefaultMQProducer({ producerGroup: `PG_${RUN}_${topic}`, retryTimesWhenSendFailed: 2 }, config(), manager());
    await p.start();
    closers.push(() => p.shutdown());
    return p;
  };

  const consumer = async (
    group: string,
    topic: string,
    expression: string,
    received: MessageExt[],
    mode: 'clustering' | 'broadcasting' | 'orderly' = 'clustering',
  ): Promise<DefaultMQPushConsumer> => {
    const c = new DefaultMQPushConsumer(
      {
        consumerGroup: group,
        consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
        messageModel: mode === 'broadcasting' ? MessageModel.BROADCASTING : MessageModel.CLUSTERING,
      },
      config(),
      manager(),
    );
    c.subscribe(topic, expression);
    if (mode === 'orderly') {
      c.registerMessageListener({
        orderly: true,
        consumeMessage: (msgs) => {
          received.push(...msgs);
          return ConsumeOrderlyStatus.SUCCESS;
        },
      });
    } else {
      c.registerMessageListener({
        consumeMessage: (msgs) => {
          received.push(...msgs);
          return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        },
      });
    }
    await c.start();
    closers.push(() => c.shutdown());
    return c;
  };

  const bodies = (msgs: MessageExt[]) => new Set(msgs.map((m) => m.body.toString('utf8')));

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    for (const m of managers) await m.shutdown();
  });

  it('sends and consumes (clustering), each message once', async () => {
    const topic = `ClusterSend_${RUN}`;
    const p = await producer(topic);
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      const result = await p.send(new Message(topic, `m-${i}`));
      expect(result.sendStatus).toBe('SEND_OK');
      sent.push(`m-${i}`);
    }
    const got: MessageExt[] = [];
    await consumer(`GID_${RUN}_send`, topic, '*', got);
    await waitUntil(() => bodies(got).size >= sent.length, 60_000, 'all 10 messages');
    expect([...bodies(got)].sort()).toEqual([...sent].sort());
  });

  it('filters by tag', async () => {
    const topic = `ClusterTags_${RUN}`;
    const p = await producer(topic);
    for (const tag of ['TagA', 'TagB', 'TagC', 'TagA']) await p.send(new Message(topic, `${tag}-body`, { tags: tag }));
    const got: MessageExt[] = [];
    await consumer(`GID_${RUN}_tags`, topic, 'TagA || TagB', got);
    await waitUntil(() => got.length >= 3, 60_000, 'the TagA and TagB messages');
    await new Promise((r) => setTimeout(r, 1000));
    expect(got.map((m) => m.tags).sort()).toEqual(['TagA', 'TagA', 'TagB']);
  });

  it('keeps order within a queue (orderly consumer, messages selected by key)', async () => {
    const topic = `ClusterOrderly_${RUN}`;
    const p = await producer(topic);
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) {
      const body = `order-${String(i).padStart(2, '0')}`;
      await p.sendWithSelector(new Message(topic, body), SelectMessageQueueByHash, 'order-key-1');
      sent.push(body);
    }
    const got: MessageExt[] = [];
    await consumer(`GID_${RUN}_orderly`, topic, '*', got, 'orderly');
    await waitUntil(() => bodies(got).size >= sent.length, 60_000, 'all 20 orderly messages');
    expect(new Set(got.map((m) => `${m.brokerName}@${m.queueId}`)).size).toBe(1);
    expect(got.map((m) => m.body.toString('utf8'))).toEqual(sent);
  });

  it('delivers every message to each broadcasting consumer', async () => {
    const topic = `ClusterBroadcast_${RUN}`;
    const p = await producer(topic);
    await p.send(new Message(topic, 'warm-up'));
    const a: MessageExt[] = [];
    const b: MessageExt[] = [];
    await consumer(`GID_${RUN}_bc`, topic, '*', a, 'broadcasting');
    await consumer(`GID_${RUN}_bc`, topic, '*', b, 'broadcasting');
    for (let i = 0; i < 10; i++) await p.send(new Message(topic, `bc-${i}`));
    const want = ['warm-up', ...Array.from({ length: 10 }, (_, i) => `bc-${i}`)];
    await waitUntil(() => want.every((w) => bodies(a).has(w) && bodies(b).has(w)), 60_000, 'both consumers to get every message');
  });

  it('delays a message by level 1 (1 s)', async () => {
    const topic = `ClusterDelay_${RUN}`;
    const p = await producer(topic);
    await p.send(new Message(topic, 'warm-up'));
    const sink: MessageExt[] = [];
    await consumer(`GID_${RUN}_delay`, topic, '*', sink);
    await waitUntil(() => bodies(sink).has('warm-up'), 60_000, 'the warm-up message');
    const msg = new Message(topic, 'delayed');
    msg.delayTimeLevel = 1;
    const sentAt = Date.now();
    const result = await p.send(msg);
    expect(result.sendStatus).toBe('SEND_OK');
    await waitUntil(() => bodies(sink).has('delayed'), 30_000, 'the delayed message');
    // Level 1 is 1 s by default; allow for the broker's timer granularity.
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(900);
  });
});
