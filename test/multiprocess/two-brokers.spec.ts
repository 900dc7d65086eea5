import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  ConsumeConcurrentlyStatus,
  ConsumeFromWhere,
  DefaultMQProducer,
  DefaultMQPushConsumer,
  MQClientManager,
  SendResult,
} from '../../lib/client/index.js';
import { Message, MessageExt } from '../../lib/message/index.js';
import { RemotingCommand, RequestCode, ResponseCode } from '../../lib/remoting/index.js';
import { TcpRemotingClient } from '../../lib/remoting/tcp/index.js';
import { startBrokerProcess, waitFor } from './multiprocess-kit.js';

jest.setTimeout(60_000);

type BrokerProcess = Awaited<ReturnType<typeof startBrokerProcess>>;

const TOPIC = 'TwoBrokersTopic';

describe('two brokers behind one NameServer (separate processes)', () => {
  let namesrv: BrokerProcess;
  let brokerA: BrokerProcess;
  let brokerB: BrokerProcess;
  const admin = new TcpRemotingClient();
  const manager = new MQClientManager();

  const brokerNamesInRoute = async (): Promise<string[]> => {
    const response = await admin.invoke(namesrv.nameServer!, RemotingCommand.createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: TOPIC }), 3000);
    if (response.code !== ResponseCode.SUCCESS) return [];
    const route = JSON.parse(response.body!.toString('utf8')) as { brokerDatas: Array<{ brokerName: string }> };
    return route.brokerDatas.map((b) => b.brokerName).sort();
  };

  beforeAll(async () => {
    namesrv = await startBrokerProcess(['--namesrv-only']);
    [brokerA, brokerB] = await Promise.all(
      ['broker-a', 'broker-b'].map((name) => startBrokerProcess(['--broker-only', '--namesrv-addr', namesrv.nameServer!, `brokerName=${name}`])),
    );
    // The topic lives on both brokers: 4 queues each.
    for (const broker of [brokerA, brokerB]) {
      const created = await admin.invoke(
        broker.broker!,
        RemotingCommand.createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
          topic: TOPIC, readQueueNums: 4, writeQueueNums: 4, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false,
        }),
        3000,
      );
      expect(created.code).toBe(ResponseCode.SUCCESS);
    }
    let names: string[] = [];
    const begin = Date.now();
    while (names.length < 2 && Date.now() - begin < 10_000) {
      names = await brokerNamesInRoute();
      if (names.length < 2) await new Promise((r) => setTimeout(r, 50));
    }
    expect(names).toEqual(['broker-a', 'broker-b']);
  });

  afterAll(async () => {
    await manager.shutdown();
    admin.shutdown();
    await Promise.all([brokerA, brokerB].filter(Boolean).map((b) => b.stop()));
    await namesrv?.stop();
  });

  it('spreads sends over both brokers; after one is killed, sends go to the other and its messages are all consumed', async () => {
    const clientConfig = { namesrvAddr: namesrv.nameServer!, pollNameServerInterval: 500, rebalanceInterval: 1000 };
    const consumer = new DefaultMQPushConsumer(
      { consumerGroup: 'GID_TWO_BROKERS', consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET },
      clientConfig,
      manager,
    );
    const received: MessageExt[] = [];
    consumer.subscribe(TOPIC, '*');
    consumer.registerMessageListener({
      consumeMessage: (msgs) => {
        received.push(...msgs);
        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
      },
    });
    await consumer.start();

    const producer = new DefaultMQProducer({ producerGroup: 'PG_TWO_BROKERS', retryTimesWhenSendFailed: 2, sendMsgTimeout: 3000 }, clientConfig, manager);
    await producer.start();
    const acknowledged: Array<{ body: string; result: SendResult }> = [];
    for (let i = 0; i < 24; i++) {
      const body = `before-${i}`;
      acknowledged.push({ body, result: await producer.send(new Message(TOPIC, body)) });
    }
    const namesBefore = new Set(acknowledged.map((a) => a.result.messageQueue.brokerName));
    expect([...namesBefore].sort()).toEqual(['broker-a', 'broker-b']);

    // broker-a dies without a word: no UNREGISTER_BROKER, only its connections closing.
    brokerA.child.kill('SIGKILL');
    await brokerA.child.exited;
    for (let i = 0; i < 24; i++) {
      const body = `after-${i}`;
      const result = await producer.send(new Message(TOPIC, body));
      expect(result.sendStatus).toBe('SEND_OK');
      expect(result.messageQueue.brokerName).toBe('broker-b');
      acknowledged.push({ body, result });
    }
    // The NameServer dropped broker-a's route when its connection closed, long before brokerChannelExpiredTime.
    expect(await brokerNamesInRoute()).toEqual(['broker-b']);

    const onB = acknowledged.filter((a) => a.result.messageQueue.brokerName === 'broker-b').map((a) => a.body);
    expect(onB.filter((b) => b.startsWith('after-'))).toHaveLength(24);
    const bodies = () => new Set(received.map((m) => m.body.toString('utf8')));
    await waitFor(() => onB.every((b) => bodies().has(b)), 20_000, 'every message acknowledged by broker-b to be consumed');
    expect(received.filter((m) => m.body.toString('utf8').startsWith('after-')).every((m) => m.brokerName === 'broker-b')).toBe(true);
    await producer.shutdown();
    await consumer.shutdown();
  });
});
