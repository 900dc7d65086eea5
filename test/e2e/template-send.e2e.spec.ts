import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import {
  InjectRocketMQTemplate,
  Message,
  MessageBuilder,
  RocketMQContext,
  RocketMQHeaders,
  RocketMQMessageListener,
  RocketMQModule,
  RocketMQSendError,
  RocketMQTemplate,
  SendStatus,
  splitBatch,
  type RocketMQListener,
  type SendResult,
} from '../../lib/index.js';
import { createApp } from './utils/test-app.js';
import { waitFor } from './utils/wait-for.js';

interface Seen {
  text: string;
  ctx: RocketMQContext;
}

const all: Seen[] = [];
const tagged: Seen[] = [];
const orderly: Seen[] = [];
const batch: Seen[] = [];

@RocketMQMessageListener({ topic: 'send-topic', consumerGroup: 'send-all' })
class AllListener implements RocketMQListener<string> {
  onMessage(text: string, ctx: RocketMQContext) {
    all.push({ text, ctx });
  }
}

@RocketMQMessageListener({ topic: 'send-topic', consumerGroup: 'send-tagged', selectorExpression: 'created || paid' })
class TaggedListener implements RocketMQListener<string> {
  onMessage(text: string, ctx: RocketMQContext) {
    tagged.push({ text, ctx });
  }
}

@RocketMQMessageListener({ topic: 'orderly-topic', consumerGroup: 'orderly-group', consumeMode: 'ORDERLY' })
class OrderlyListener implements RocketMQListener<string> {
  onMessage(text: string, ctx: RocketMQContext) {
    orderly.push({ text, ctx });
  }
}

@RocketMQMessageListener({ topic: 'batch-topic', consumerGroup: 'batch-group', messageType: Buffer })
class BatchListener implements RocketMQListener<Buffer> {
  onMessage(body: Buffer, ctx: RocketMQContext) {
    batch.push({ text: body.subarray(0, 16).toString('utf8').trim(), ctx });
  }
}

@Injectable()
class AuditService {
  constructor(@InjectRocketMQTemplate('audit') readonly audit: RocketMQTemplate) {}
}

const texts = (seen: Seen[]) => seen.map((s) => s.text);

describe('RocketMQTemplate send modes', () => {
  let app: INestApplicationContext;
  let template: RocketMQTemplate;

  beforeAll(async () => {
    app = await createApp({
      imports: [
        RocketMQModule.forRoot({
          producer: { group: 'send-producer' },
          templates: { audit: { group: 'audit-producer' } },
        }),
      ],
      providers: [AllListener, TaggedListener, OrderlyListener, BatchListener, AuditService],
    });
    template = app.get(RocketMQTemplate);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('syncSend returns SEND_OK and the listener gets the message with its context', async () => {
    const result = await template.syncSend('send-topic', 'sync-1', { keys: ['k1', 'k2'], headers: { color: 'red' } });
    expect(result.sendStatus).toBe(SendStatus.SEND_OK);
    expect(result.messageQueue.topic).toBe('send-topic');
    await waitFor(() => texts(all).includes('sync-1'));
    const { ctx } = all.find((s) => s.text === 'sync-1')!;
    expect(ctx.msgId).toBe(result.msgId);
    expect(ctx.offsetMsgId).toBe(result.offsetMsgId);
    expect(ctx.topic).toBe('send-topic');
    expect(ctx.keys).toBe('k1 k2');
    expect(ctx.queueId).toBe(result.messageQueue.queueId);
    expect(ctx.queueOffset).toBe(result.queueOffset);
    expect(ctx.getProperty('color')).toBe('red');
    expect(ctx.consumerGroup).toBe('send-all');
    expect(ctx.reconsumeTimes).toBe(0);
    expect(ctx.storeTimestamp).toBeGreaterThan(0);
  });

  it('asyncSend calls onSuccess and resolves', async () => {
    let callbackResult: SendResult | undefined;
    const result = await template.asyncSend('send-topic', 'async-1', {
      onSuccess: (r) => (callbackResult = r),
      onException: () => undefined,
    });
    await waitFor(() => callbackResult !== undefined);
    expect(callbackResult!.msgId).toBe(result.msgId);
    await waitFor(() => texts(all).includes('async-1'));
  });

  it('sendOneWay delivers without a result', async () => {
    await expect(template.sendOneWay('send-topic', 'oneway-1')).resolves.toBeUndefined();
    await waitFor(() => texts(all).includes('oneway-1'));
  });

  it('topic:tag destinations reach only listeners whose expression matches', async () => {
    await template.syncSend('send-topic:created', 'tag-created');
    await template.syncSend('send-topic:shipped', 'tag-shipped');
    await template.convertAndSend('send-topic:paid', 'tag-paid');
    await waitFor(() => ['tag-created', 'tag-shipped', 'tag-paid'].every((t) => texts(all).includes(t)));
    await waitFor(() => texts(tagged).includes('tag-created') && texts(tagged).includes('tag-paid'));
    expect(texts(tagged)).not.toContain('tag-shipped');
    expect(tagged.find((s) => s.text === 'tag-paid')!.ctx.tags).toBe('paid');
  });

  it('send takes a MessageBuilder message with headers', async () => {
    const message = MessageBuilder.withPayload('built-1')
      .setHeader(RocketMQHeaders.KEYS, 'order-42')
      .setHeader('userProp', 'v')
      .build();
    await template.send('send-topic:created', message);
    await waitFor(() => texts(tagged).includes('built-1'));
    const { ctx } = tagged.find((s) => s.text === 'built-1')!;
    expect(ctx.keys).toBe('order-42');
    expect(ctx.getProperty('userProp')).toBe('v');
  });

  it('send takes a ready Message as it is', async () => {
    const message = new Message('ignored-topic', Buffer.from('raw-message-1'), { keys: 'raw-key' });
    message.putUserProperty('origin', 'raw');
    await template.syncSend('send-topic:paid', message);
    await waitFor(() => texts(tagged).includes('raw-message-1'));
    const { ctx } = tagged.find((s) => s.text === 'raw-message-1')!;
    expect(ctx.keys).toBe('raw-key');
    expect(ctx.getProperty('origin')).toBe('raw');
  });

  it('syncSendOrderly puts every message of one hashKey in one queue, consumed in order', async () => {
    const results: SendResult[] = [];
    for (let i = 0; i < 12; i++) results.push(await template.syncSendOrderly('orderly-topic', `order-a-${i}`, 'order-a'));
    const queues = new Set(results.map((r) => r.messageQueue.queueId));
    expect(queues.size).toBe(1);
    await waitFor(() => orderly.filter((s) => s.text.startsWith('order-a-')).length === 12);
    expect(orderly.filter((s) => s.text.startsWith('order-a-')).map((s) => s.text)).toEqual(
      Array.from({ length: 12 }, (_, i) => `order-a-${i}`),
    );
    // Another key may land elsewhere, but always in one queue too.
    const other = await Promise.all([0, 1, 2].map(() => template.syncSendOrderly('orderly-topic', 'x', 'order-b')));
    expect(new Set(other.map((r) => r.messageQueue.queueId)).size).toBe(1);
  });

  it('asyncSendOrderly and sendOneWayOrderly use the same queue for a key', async () => {
    const a = await template.asyncSendOrderly('orderly-topic', 'async-orderly', 'order-c');
    const b = await template.syncSendOrderly('orderly-topic', 'sync-orderly', 'order-c');
    expect(a.messageQueue.queueId).toBe(b.messageQueue.queueId);
    await template.sendOneWayOrderly('orderly-topic', 'oneway-orderly', 'order-c');
    await waitFor(() => texts(orderly).includes('oneway-orderly'));
    const ctx = orderly.find((s) => s.text === 'oneway-orderly')!.ctx;
    expect(ctx.queueId).toBe(a.messageQueue.queueId);
  });

  it('syncSend of an array sends one batch; each message arrives once', async () => {
    const payloads = Array.from({ length: 10 }, (_, i) => `small-${i}`.padEnd(16));
    const result = await template.syncSend('batch-topic', payloads);
    expect(result.sendStatus).toBe(SendStatus.SEND_OK);
    await waitFor(() => payloads.every((p) => texts(batch).includes(p.trim())));
    for (const p of payloads) expect(texts(batch).filter((t) => t === p.trim())).toHaveLength(1);
  });

  it('a batch over 4 MiB is split; every message arrives exactly once', async () => {
    // 1.3 MiB each: three fit in 4 MiB (with room for the properties the client adds), four do not.
    const size = Math.floor(1.3 * 1024 * 1024);
    const payloads = Array.from({ length: 5 }, (_, i) => Buffer.concat([Buffer.from(`big-${i}`.padEnd(16)), Buffer.alloc(size - 16, 0x61)]));
    const results = await template.syncSendBatch('batch-topic', payloads);
    expect(results.length).toBe(2);
    await waitFor(() => [0, 1, 2, 3, 4].every((i) => texts(batch).includes(`big-${i}`)), { timeout: 8000 });
    for (let i = 0; i < 5; i++) expect(texts(batch).filter((t) => t === `big-${i}`)).toHaveLength(1);
  });

  it('splitBatch follows the ListSplitter estimate and never drops an oversize message', () => {
    const limit = 100;
    const msg = (size: number) => new Message('t', Buffer.alloc(size));
    // estimate = topic (1) + body + 20
    const chunks = splitBatch([msg(20), msg(20), msg(20), msg(200), msg(10)], limit);
    expect(chunks.map((c) => c.map((m) => m.body.length))).toEqual([[20, 20], [20], [200], [10]]);
  });

  it('an oversize message in a batch is sent alone and rejected loudly', async () => {
    const payloads = [Buffer.from('fine'), Buffer.alloc(5 * 1024 * 1024, 0x62)];
    const err = (await template.syncSendBatch('batch-topic', payloads).catch((e: unknown) => e)) as RocketMQSendError;
    expect(err).toBeInstanceOf(RocketMQSendError);
    expect(err.message).toContain('request 2 of 2');
    expect(err.results).toHaveLength(1);
  });

  it('rejects bad destinations with a RocketMQSendError', async () => {
    await expect(template.syncSend('bad topic', 'x')).rejects.toThrow(RocketMQSendError);
    await expect(template.syncSend('bad topic', 'x')).rejects.toThrow('has characters other than letters');
    await expect(template.syncSend('send-topic:', 'x')).rejects.toThrow('the tag after \':\' is empty');
    await expect(template.syncSendOrderly('send-topic', 'x', '')).rejects.toThrow('needs a hashKey');
  });

  it('a named template sends through its own producer group', async () => {
    const audit = app.get(AuditService).audit;
    expect(audit).not.toBe(template);
    expect(audit.name).toBe('audit');
    await audit.syncSend('send-topic', 'from-audit');
    await waitFor(() => texts(all).includes('from-audit'));
  });
});
