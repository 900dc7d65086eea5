import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  ClientConfig,
  ConsumeConcurrentlyStatus,
  ConsumeFromWhere,
  DefaultMQProducer,
  DefaultMQPushConsumer,
  MQClientManager,
} from '../../lib/client/index.js';
import { Message, MessageExt } from '../../lib/message/index.js';
import { RemotingCommand, RequestCode, ResponseCode } from '../../lib/remoting/index.js';
import { TcpRemotingClient } from '../../lib/remoting/tcp/index.js';
import { startBrokerProcess, waitFor } from './multiprocess-kit.js';

jest.setTimeout(60_000);

describe('instanceName and namespace over TCP, on a standalone broker', () => {
  let broker: Awaited<ReturnType<typeof startBrokerProcess>>;
  const admin = new TcpRemotingClient();
  const managers: MQClientManager[] = [];
  const closers: Array<() => Promise<void>> = [];

  const consumerIds = async (group: string): Promise<string[]> => {
    const response = await admin.invoke(broker.broker!, RemotingCommand.createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: group }), 3000);
    if (response.code !== ResponseCode.SUCCESS || !response.body) return [];
    return (JSON.parse(response.body.toString('utf8')) as { consumerIdList: string[] }).consumerIdList.sort();
  };

  const startConsumer = async (manager: MQClientManager, group: string, topic: string, config: ClientConfig, sink: MessageExt[]) => {
    const consumer = new DefaultMQPushConsumer({ consumerGroup: group, consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET }, config, manager);
    consumer.subscribe(topic, '*');
    consumer.registerMessageListener({
      consumeMessage: (msgs) => {
        sink.push(...msgs);
        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
      },
    });
    await consumer.start();
    closers.push(() => consumer.shutdown());
    return consumer;
  };

  beforeAll(async () => {
    broker = await startBrokerProcess();
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    for (const m of managers) await m.shutdown();
    admin.shutdown();
    await broker?.stop();
  });

  it('two instanceNames in one process are two clients of one group: they split the queues', async () => {
    const manager = new MQClientManager();
    managers.push(manager);
    const topic = 'InstanceSplitTopic';
    const producer = new DefaultMQProducer({ producerGroup: 'PG_INSTANCES' }, { namesrvAddr: broker.nameServer! }, manager);
    await producer.start();
    closers.push(() => producer.shutdown());
    // The topic exists (4 queues) before the consumers look for its route.
    await producer.send(new Message(topic, 'first'));

    const a: MessageExt[] = [];
    const b: MessageExt[] = [];
    const config = (instanceName: string): ClientConfig => ({ namesrvAddr: broker.nameServer!, instanceName, rebalanceInterval: 1000 });
    await startConsumer(manager, 'GID_INSTANCES', topic, config('instance-a'), a);
    await startConsumer(manager, 'GID_INSTANCES', topic, config('instance-b'), b);

    const ids = await consumerIds('GID_INSTANCES');
    expect(ids).toHaveLength(2);
    expect(ids.map((id) => id.substring(id.indexOf('@') + 1)).sort()).toEqual(['instance-a', 'instance-b']);

    // NOTIFY_CONSUMER_IDS_CHANGED rebalances at once; the 1 s rebalance period is the fallback.
    await new Promise((r) => setTimeout(r, 1500));
    const sent = ['first'];
    for (let i = 0; i < 20; i++) {
      sent.push(`tail-${i}`);
      await producer.send(new Message(topic, `tail-${i}`));
    }
    const bodies = () => new Set([...a, ...b].map((m) => m.body.toString('utf8')));
    await waitFor(() => sent.every((s) => bodies().has(s)), 20_000, 'every message');
    const queuesA = new Set(a.filter((m) => m.body.toString().startsWith('tail-')).map((m) => m.queueId));
    const queuesB = new Set(b.filter((m) => m.body.toString().startsWith('tail-')).map((m) => m.queueId));
    for (const q of queuesA) expect(queuesB.has(q)).toBe(false);
    expect(queuesA.size).toBeGreaterThan(0);
    expect(queuesB.size).toBeGreaterThan(0);
    expect(queuesA.size + queuesB.size).toBe(4);
  });

  it("a consumer joining a client instance whose producer already has the topic's route still gets its queues", async () => {
    const manager = new MQClientManager();
    managers.push(manager);
    const config: ClientConfig = { namesrvAddr: broker.nameServer! };
    const producer = new DefaultMQProducer({ producerGroup: 'PG_SHARED' }, config, manager);
    await producer.start();
    closers.push(() => producer.shutdown());
    await producer.send(new Message('SharedInstanceTopic', 'shared-hello'));
    const got: MessageExt[] = [];
    await startConsumer(manager, 'GID_SHARED', 'SharedInstanceTopic', config, got);
    await waitFor(() => got.length >= 1, 10_000, 'the consumer sharing the producer instance to consume');
    expect(got[0].body.toString('utf8')).toBe('shared-hello');
  });

  it('a namespace producer and consumer round-trip; the broker sees ns%topic and ns%group', async () => {
    const manager = new MQClientManager();
    managers.push(manager);
    const config: ClientConfig = { namesrvAddr: broker.nameServer!, namespace: 'ns1' };
    const producer = new DefaultMQProducer({ producerGroup: 'PG_NS' }, config, manager);
    await producer.start();
    closers.push(() => producer.shutdown());
    const result = await producer.send(new Message('NsTopic', 'ns-hello'));
    expect(result.messageQueue.topic).toBe('NsTopic');

    // The broker created the topic under its namespaced name only.
    const all = await admin.invoke(broker.broker!, RemotingCommand.createRequest(RequestCode.GET_ALL_TOPIC_CONFIG, {}), 3000);
    const topics = Object.keys((JSON.parse(all.body!.toString('utf8')) as { topicConfigTable: Record<string, unknown> }).topicConfigTable);
    expect(topics).toContain('ns1%NsTopic');
    expect(topics).not.toContain('NsTopic');

    const got: MessageExt[] = [];
    await startConsumer(manager, 'GID_NS', 'NsTopic', config, got);
    await waitFor(() => got.length >= 1, 20_000, 'the namespaced message');
    expect(got[0].body.toString('utf8')).toBe('ns-hello');
    expect(got[0].topic).toBe('NsTopic');
    expect(await consumerIds('ns1%GID_NS')).toHaveLength(1);
    expect(await consumerIds('GID_NS')).toHaveLength(0);
  });
});
