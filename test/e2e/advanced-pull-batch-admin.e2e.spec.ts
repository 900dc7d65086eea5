import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import {
  MessageExt,
  RocketMQAdmin,
  RocketMQAdminError,
  RocketMQConfigError,
  RocketMQContext,
  RocketMQMessageListener,
  RocketMQModule,
  RocketMQTemplate,
  rocketMQOptionsFromProperties,
  type RocketMQBatchListener,
  type RocketMQListener,
} from '../../lib/index.js';
import { createApp } from './utils/test-app.js';
import { sleep, waitFor } from './utils/wait-for.js';

class Reading {
  sensor!: string;
  value!: number;
  label(): string {
    return `${this.sensor}=${this.value}`;
  }
}

describe('RocketMQTemplate.receive (lite pull consumer)', () => {
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('receive() converts every polled message, and resolves empty when nothing arrives in time', async () => {
    app = await createApp({
      imports: [
        RocketMQModule.forRoot({
          producer: { group: 'adv-pull-producer' },
          pullConsumer: { group: 'adv-pull-group', topic: 'adv-pull-topic', pullBatchSize: 3 },
        }),
      ],
    });
    const template = app.get(RocketMQTemplate);
    for (let i = 0; i < 7; i++) await template.syncSend('adv-pull-topic', { sensor: `s${i}`, value: i });
    const got: Reading[] = [];
    const deadline = Date.now() + 5000;
    while (got.length < 7 && Date.now() < deadline) {
      const batch = await template.receive<Reading>(Reading, 1000);
      expect(batch.length).toBeLessThanOrEqual(3);
      got.push(...batch);
    }
    expect(got.map((r) => r.label()).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `s${i}=${i}`));
    expect(got[0]).toBeInstanceOf(Reading);

    const started = Date.now();
    expect(await template.receive(200)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);

    await template.syncSend('adv-pull-topic', 'plain text');
    let raw: MessageExt[] = [];
    while (raw.length === 0) raw = await template.receive<MessageExt>(MessageExt, 1000);
    expect(raw[0]).toBeInstanceOf(MessageExt);
    expect(raw[0].body.toString()).toBe('plain text');
  });

  it('works from Spring properties without a producer; sends then say producer.group is missing', async () => {
    @Injectable()
    class Poller {
      constructor(readonly template: RocketMQTemplate) {}
    }
    app = await createApp({
      imports: [
        RocketMQModule.forRoot(
          rocketMQOptionsFromProperties({
            'rocketmq.pull-consumer.group': 'adv-pull-props',
            'rocketmq.pull-consumer.topic': 'adv-pull-props-topic',
            'rocketmq.pull-consumer.pull-batch-size': '5',
          }),
        ),
      ],
      providers: [Poller],
    });
    const template = app.get(Poller).template;
    expect(template.getConsumer()).toBeDefined();
    expect(await template.receive(50)).toEqual([]);
    await expect(template.syncSend('adv-pull-props-topic', 'x')).rejects.toThrow('set producer.group');
  });

  it('without pullConsumer, receive() is a RocketMQConfigError telling what to set', async () => {
    app = await createApp({ imports: [RocketMQModule.forRoot({ producer: { group: 'adv-nopull' } })] });
    const err = await app.get(RocketMQTemplate).receive().catch((e: Error) => e);
    expect(err).toBeInstanceOf(RocketMQConfigError);
    expect((err as Error).message).toContain('set pullConsumer: { group: "...", topic: "..." }');
  });

  it('rejects a pullConsumer without topic', async () => {
    let err: unknown;
    try {
      await createApp({ imports: [RocketMQModule.forRoot({ pullConsumer: { group: 'g' } as never })] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RocketMQConfigError);
    expect((err as Error).message).toContain('pullConsumer.topic is missing');
  });
});

const batches: Array<{ bodies: number[]; contexts: number }> = [];
@RocketMQMessageListener({ topic: 'adv-batch', consumerGroup: 'adv-batch', batch: true, consumeMessageBatchMaxSize: 4 })
class BatchListener implements RocketMQBatchListener<{ n: number }> {
  onMessage(messages: Array<{ n: number }>, contexts: RocketMQContext[]) {
    batches.push({ bodies: messages.map((m) => m.n), contexts: contexts.length });
  }
}

const replayed: Array<{ body: string; msgId: string }> = [];
@RocketMQMessageListener({ topic: 'adv-replay', consumerGroup: 'adv-replay', messageType: String })
class ReplayListener implements RocketMQListener<string> {
  onMessage(body: string, ctx: RocketMQContext) {
    replayed.push({ body, msgId: ctx.msgId });
  }
}

describe('batch listeners and RocketMQAdmin', () => {
  let app: INestApplicationContext;
  let template: RocketMQTemplate;
  let admin: RocketMQAdmin;
  beforeAll(async () => {
    app = await createApp({
      imports: [RocketMQModule.forRoot({ producer: { group: 'adv-admin-producer' } })],
      providers: [BatchListener, ReplayListener],
    });
    template = app.get(RocketMQTemplate);
    admin = app.get(RocketMQAdmin);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a batch listener receives arrays of at most consumeMessageBatchMaxSize, every message once', async () => {
    await template.syncSend('adv-batch', Array.from({ length: 10 }, (_, n) => ({ n })));
    await waitFor(() => batches.reduce((sum, b) => sum + b.bodies.length, 0) >= 10, { message: 'all ten messages' });
    await sleep(100);
    const all = batches.flatMap((b) => b.bodies);
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, n) => n));
    expect(batches.every((b) => b.bodies.length >= 1 && b.bodies.length <= 4 && b.contexts === b.bodies.length)).toBe(true);
    expect(batches.some((b) => b.bodies.length > 1)).toBe(true);
  });

  it('queries a message by key, by message id and by offset message id', async () => {
    const sent = await template.syncSend('adv-admin-topic', { order: 'A-1' }, { keys: ['order-A-1', 'customer-7'] });
    await template.syncSend('adv-admin-topic', { order: 'A-2' }, { keys: 'order-A-2' });

    const byKey = await admin.queryMessageByKey('adv-admin-topic', 'customer-7');
    expect(byKey.map((m) => m.msgId)).toEqual([sent.msgId]);
    expect(byKey[0].body.toString()).toBe('{"order":"A-1"}');

    const byId = await admin.queryMessageById('adv-admin-topic', sent.msgId);
    expect(byId?.offsetMsgId).toBe(sent.offsetMsgId);
    expect(await admin.queryMessageById('adv-admin-topic', '0A0000000000000000000000000000FF')).toBeUndefined();

    const byOffset = await admin.queryMessageByOffsetMsgId(sent.offsetMsgId);
    expect(byOffset.msgId).toBe(sent.msgId);
    expect(byOffset.keys).toBe('order-A-1 customer-7');

    await expect(admin.queryMessageByKey('adv-admin-topic', '')).rejects.toThrow(RocketMQAdminError);
  });

  it('resetOffsetByTime makes a running listener consume again from that time', async () => {
    const before = new Date();
    await sleep(5);
    for (const body of ['r1', 'r2', 'r3']) await template.syncSend('adv-replay', body);
    await waitFor(() => replayed.length === 3, { message: 'the first pass' });
    const offsets = await admin.resetOffsetByTime('adv-replay', 'adv-replay', before);
    expect(offsets.length).toBeGreaterThan(0);
    await waitFor(() => replayed.length === 6, { timeout: 5000, message: 'the replay' });
    const bodies = replayed.map((r) => r.body);
    expect(bodies.slice(3).sort()).toEqual(['r1', 'r2', 'r3']);
    await expect(admin.resetOffsetByTime('adv-replay', 'adv-replay', -1)).rejects.toThrow('timestamp must be a Date or epoch ms');
  });
});
