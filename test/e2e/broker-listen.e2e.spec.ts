import { afterEach, describe, expect, it } from '@jest/globals';
import { type INestApplicationContext } from '@nestjs/common';
import {
  ConsumeConcurrentlyStatus,
  ConsumeFromWhere,
  DefaultMQProducer,
  DefaultMQPushConsumer,
  Message,
  MessageExt,
  MQClientManager,
  RocketMQConfigError,
  RocketMQMessageListener,
  RocketMQModule,
  RocketMQRuntime,
  RocketMQTemplate,
  type RocketMQListener,
} from '../../lib/index.js';
import { createApp, createAppError } from './utils/test-app.js';
import { waitFor } from './utils/wait-for.js';

const fromOutside: string[] = [];

@RocketMQMessageListener({ topic: 'listen-from-outside', consumerGroup: 'listen-app-consumer' })
class AppListener implements RocketMQListener<string> {
  onMessage(message: string): void {
    fromOutside.push(message);
  }
}

describe('RocketMQModule broker.listen: the bundled broker serves other processes over TCP', () => {
  let app: INestApplicationContext | undefined;
  let outside: MQClientManager | undefined;
  afterEach(async () => {
    await outside?.shutdown();
    await app?.close();
    app = undefined;
    outside = undefined;
    fromOutside.length = 0;
  });

  async function exchange(listen: number | { host?: string; port?: number }): Promise<void> {
    app = await createApp({
      imports: [RocketMQModule.forRoot({ producer: { group: 'listen-app-producer' }, broker: { store: 'memory', listen } })],
      providers: [AppListener],
    });
    const tcp = app.get(RocketMQRuntime).bundled!.listenAddresses!;
    expect(tcp.nameServer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(tcp.nameServer).not.toBe('127.0.0.1:9876');
    expect(tcp.broker).not.toBe('127.0.0.1:10911');

    // A second client, over TCP (the default transport), as another process would connect.
    outside = new MQClientManager();
    const config = { namesrvAddr: tcp.nameServer, pollNameServerInterval: 500 };
    const producer = new DefaultMQProducer({ producerGroup: 'listen-outside-producer' }, config, outside);
    await producer.start();
    for (let i = 0; i < 5; i++) {
      const result = await producer.send(new Message('listen-from-outside', JSON.stringify(`outside-${i}`)));
      expect(result.messageQueue.brokerName).toBe('broker-a');
    }
    await waitFor(() => fromOutside.length >= 5, { message: "the app's listener to get the outside producer's messages" });
    expect([...fromOutside].sort()).toEqual(['outside-0', 'outside-1', 'outside-2', 'outside-3', 'outside-4']);

    const template = app.get(RocketMQTemplate);
    await template.syncSend('listen-from-app', 'app-0');
    const got: MessageExt[] = [];
    const consumer = new DefaultMQPushConsumer(
      { consumerGroup: 'listen-outside-consumer', consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET },
      config,
      outside,
    );
    consumer.subscribe('listen-from-app', '*');
    consumer.registerMessageListener({
      consumeMessage: (msgs) => {
        got.push(...msgs);
        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
      },
    });
    await consumer.start();
    await template.syncSend('listen-from-app', 'app-1');
    await waitFor(() => got.length >= 2, { message: "the outside consumer to get the app template's messages" });
    expect(got.map((m) => m.body.toString('utf8')).sort()).toEqual(['app-0', 'app-1']);
    await consumer.shutdown();
    await producer.shutdown();
  }

  it('listen: 0 binds free ports for the NameServer and the broker; an outside client sends to the listener and consumes the template', async () => {
    await exchange(0);
  });

  it('listen: { host, port: 0 } works the same', async () => {
    await exchange({ host: '127.0.0.1', port: 0 });
  });

  it('refuses a bad listen value', async () => {
    for (const listen of [-1, 70000, 'x', { port: 'x' }, { host: '' }, { prot: 1 }]) {
      const err = await createAppError({ imports: [RocketMQModule.forRoot({ producer: { group: 'g' }, broker: { store: 'memory', listen: listen as number } })] });
      expect(err).toBeInstanceOf(RocketMQConfigError);
      expect(err.message).toContain('broker.listen');
    }
  });
});
