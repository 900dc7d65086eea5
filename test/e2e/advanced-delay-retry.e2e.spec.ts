import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ValidationPipe, type ArgumentMetadata, type INestApplicationContext, type PipeTransform } from '@nestjs/common';
import { IsInt, IsString, Min } from 'class-validator';
import {
  Ctx,
  javaStringHashCode,
  Payload,
  RocketMQContext,
  RocketMQMessageListener,
  RocketMQModule,
  RocketMQSendError,
  RocketMQTemplate,
  type RocketMQListener,
} from '../../lib/index.js';
import { createApp } from './utils/test-app.js';
import { sleep, waitFor } from './utils/wait-for.js';

/** 18 delay levels, 10 ms apart: level n is n × 10 ms, so retry k (level k + 2) waits (k + 2) × 10 ms. */
const DELAY_STEP = 10;
const FAST_DELAY_LEVELS = Array.from({ length: 18 }, (_, i) => `${(i + 1) * DELAY_STEP}ms`).join(' ');

interface Delivery {
  body: unknown;
  msgId: string;
  reconsumeTimes: number;
  topic: string;
  queueId: number;
  at: number;
}

const seen: Record<string, Delivery[]> = {};
function record(name: string, body: unknown, ctx: RocketMQContext): void {
  (seen[name] ??= []).push({ body, msgId: ctx.msgId, reconsumeTimes: ctx.reconsumeTimes, topic: ctx.topic, queueId: ctx.queueId, at: Date.now() });
}
const by = (name: string): Delivery[] => seen[name] ?? [];

@RocketMQMessageListener({ topic: 'adv-delayed', consumerGroup: 'adv-delayed' })
class DelayedListener implements RocketMQListener<unknown> {
  onMessage(body: unknown, ctx: RocketMQContext) {
    record('delayed', body, ctx);
  }
}

@RocketMQMessageListener({ topic: 'adv-doomed', consumerGroup: 'adv-doomed' })
class AlwaysFails implements RocketMQListener<unknown> {
  onMessage(body: unknown, ctx: RocketMQContext) {
    record('doomed', body, ctx);
    throw new Error('always fails');
  }
}

@RocketMQMessageListener({ topic: '%DLQ%adv-doomed', consumerGroup: 'adv-doomed-dlq' })
class DoomedDeadLetters implements RocketMQListener<unknown> {
  onMessage(body: unknown, ctx: RocketMQContext) {
    record('doomed-dlq', body, ctx);
  }
}

@RocketMQMessageListener({ topic: 'adv-limited', consumerGroup: 'adv-limited', maxReconsumeTimes: 2 })
class LimitedRetries implements RocketMQListener<unknown> {
  onMessage(body: unknown, ctx: RocketMQContext) {
    record('limited', body, ctx);
    throw new Error('never works');
  }
}

@RocketMQMessageListener({ topic: '%DLQ%adv-limited', consumerGroup: 'adv-limited-dlq' })
class LimitedDeadLetters implements RocketMQListener<unknown> {
  onMessage(body: unknown, ctx: RocketMQContext) {
    record('limited-dlq', body, ctx);
  }
}

@RocketMQMessageListener({ topic: 'adv-straight', consumerGroup: 'adv-straight', delayLevelWhenNextConsume: -1 })
class StraightToDlq implements RocketMQListener<unknown> {
  onMessage(body: unknown, ctx: RocketMQContext) {
    record('straight', body, ctx);
    throw new Error('no retries wanted');
  }
}

@RocketMQMessageListener({ topic: '%DLQ%adv-straight', consumerGroup: 'adv-straight-dlq' })
class StraightDeadLetters implements RocketMQListener<unknown> {
  onMessage(body: unknown, ctx: RocketMQContext) {
    record('straight-dlq', body, ctx);
  }
}

class Order {
  @IsString() id!: string;
  @IsInt() @Min(1) quantity!: number;
}

class CountingPipe implements PipeTransform {
  transform(value: unknown, _meta: ArgumentMetadata) {
    (seen['validated-attempts'] ??= []).push({ body: value, msgId: '', reconsumeTimes: -1, topic: '', queueId: -1, at: Date.now() });
    return value;
  }
}

@RocketMQMessageListener({ topic: 'adv-validated', consumerGroup: 'adv-validated', maxReconsumeTimes: 1, messageType: Order })
class ValidatedListener {
  onMessage(@Payload(CountingPipe, new ValidationPipe()) order: Order, @Ctx() ctx: RocketMQContext) {
    record('validated', order, ctx);
  }
}

@RocketMQMessageListener({ topic: '%DLQ%adv-validated', consumerGroup: 'adv-validated-dlq', messageType: String })
class ValidatedDeadLetters implements RocketMQListener<string> {
  onMessage(body: string, ctx: RocketMQContext) {
    record('validated-dlq', body, ctx);
  }
}

@RocketMQMessageListener({
  topic: 'adv-orderly',
  consumerGroup: 'adv-orderly',
  consumeMode: 'ORDERLY',
  maxReconsumeTimes: 2,
  suspendCurrentQueueTimeMillis: 50,
})
class OrderlyListener implements RocketMQListener<string> {
  onMessage(body: string, ctx: RocketMQContext) {
    record('orderly', body, ctx);
    if (body === 'bad') throw new Error('poison message');
  }
}

@RocketMQMessageListener({ topic: '%DLQ%adv-orderly', consumerGroup: 'adv-orderly-dlq' })
class OrderlyDeadLetters implements RocketMQListener<unknown> {
  onMessage(body: unknown, ctx: RocketMQContext) {
    record('orderly-dlq', body, ctx);
  }
}

@RocketMQMessageListener({ topic: 'adv-broadcast', consumerGroup: 'adv-broadcast', messageModel: 'BROADCASTING' })
class BroadcastListener implements RocketMQListener<string> {
  onMessage(body: string, ctx: RocketMQContext) {
    record('broadcast', body, ctx);
    if (body === 'fail') throw new Error('broadcast failure');
  }
}

describe('delay, retry and the DLQ through the Nest layer', () => {
  let app: INestApplicationContext;
  let template: RocketMQTemplate;

  beforeAll(async () => {
    app = await createApp({
      imports: [
        RocketMQModule.forRoot({
          producer: { group: 'adv-delay-producer' },
          broker: { messageDelayLevel: FAST_DELAY_LEVELS },
        }),
      ],
      providers: [
        DelayedListener,
        AlwaysFails,
        DoomedDeadLetters,
        LimitedRetries,
        LimitedDeadLetters,
        StraightToDlq,
        StraightDeadLetters,
        ValidatedListener,
        ValidatedDeadLetters,
        OrderlyListener,
        OrderlyDeadLetters,
        BroadcastListener,
      ],
    });
    template = app.get(RocketMQTemplate);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a delay level arrives after its delay, not early', async () => {
    const level = 10;
    const start = Date.now();
    const sent = await template.syncSend('adv-delayed', { kind: 'level' }, { delayLevel: level });
    await waitFor(() => by('delayed').some((d) => d.msgId === sent.msgId), { message: 'the delayed message' });
    const got = by('delayed').find((d) => d.msgId === sent.msgId)!;
    expect(got.at - start).toBeGreaterThanOrEqual(level * DELAY_STEP);
    expect(got.topic).toBe('adv-delayed');
    expect(got.body).toEqual({ kind: 'level' });
    expect(got.reconsumeTimes).toBe(0);

    // Spring's syncSend(destination, payload, timeout, delayLevel) form.
    const start2 = Date.now();
    const sent2 = await template.syncSend('adv-delayed', 'positional', 3000, 5);
    await waitFor(() => by('delayed').some((d) => d.msgId === sent2.msgId), { message: 'the positional delayed message' });
    expect(by('delayed').find((d) => d.msgId === sent2.msgId)!.at - start2).toBeGreaterThanOrEqual(5 * DELAY_STEP);
  });

  it('syncSendDelayTimeMills, syncSendDeliverTimeMills, syncSendDelayTimeSeconds and async variants deliver on time', async () => {
    const start = Date.now();
    const [mills, deliver, seconds, asyncMills, asyncDeliver] = await Promise.all([
      template.syncSendDelayTimeMills('adv-delayed', 'mills', 300),
      template.syncSendDeliverTimeMills('adv-delayed', 'deliver', start + 400),
      template.syncSendDelayTimeSeconds('adv-delayed', 'seconds', 1),
      template.asyncSendDelayTimeMills('adv-delayed', 'async-mills', 250),
      // rocketmq-spring's argument order: callback before the time.
      new Promise<Awaited<ReturnType<RocketMQTemplate['asyncSend']>>>((resolve, reject) => {
        void template.asyncSendDeliverTimeMills('adv-delayed', 'async-deliver', { onSuccess: resolve, onException: reject }, start + 200);
      }),
    ]);
    const arrival = (msgId: string) => by('delayed').find((d) => d.msgId === msgId)?.at;
    await waitFor(() => [mills, deliver, seconds, asyncMills, asyncDeliver].every((r) => arrival(r.msgId) !== undefined), {
      timeout: 5000,
      message: 'every timer message',
    });
    expect(arrival(mills.msgId)! - start).toBeGreaterThanOrEqual(300);
    expect(arrival(deliver.msgId)!).toBeGreaterThanOrEqual(start + 400);
    expect(arrival(seconds.msgId)! - start).toBeGreaterThanOrEqual(1000);
    expect(arrival(asyncMills.msgId)! - start).toBeGreaterThanOrEqual(250);
    expect(arrival(asyncDeliver.msgId)!).toBeGreaterThanOrEqual(start + 200);

    // 0 means no delay.
    const now = await template.syncSendDelayTimeMills('adv-delayed', 'now', 0);
    await waitFor(() => arrival(now.msgId) !== undefined, { message: 'the undelayed message' });
  });

  it('rejects negative or fractional delays and out-of-range levels with RocketMQSendError naming the argument', async () => {
    await expect(template.syncSendDelayTimeSeconds('adv-delayed', 'x', -1)).rejects.toThrow(RocketMQSendError);
    await expect(template.syncSendDelayTimeSeconds('adv-delayed', 'x', -1)).rejects.toThrow('Invalid delaySeconds -1 for "adv-delayed"');
    await expect(template.syncSendDelayTimeMills('adv-delayed', 'x', 1.5)).rejects.toThrow('Invalid delayMillis 1.5');
    await expect(template.syncSendDeliverTimeMills('adv-delayed', 'x', -5)).rejects.toThrow('Invalid deliverTimeMillis -5');
    await expect(template.asyncSendDelayTimeSeconds('adv-delayed', 'x', -2)).rejects.toThrow('Invalid delaySeconds -2');
    await expect(template.syncSend('adv-delayed', 'x', { delayLevel: 19 })).rejects.toThrow('Invalid delayLevel 19');
    await expect(template.syncSend('adv-delayed', ['a', 'b'], { delayLevel: 2 })).rejects.toThrow('batches cannot carry a delay level');
  });

  it('a listener that always throws: 1 + 16 deliveries (reconsumeTimes 0..16, one msgId), then the DLQ', async () => {
    const sent = await template.syncSend('adv-doomed', { id: 'doomed-1' }, { keys: 'doomed-1' });
    await waitFor(() => by('doomed-dlq').length === 1, { timeout: 15_000, message: 'the dead letter' });
    const deliveries = by('doomed');
    expect(deliveries.map((d) => d.reconsumeTimes)).toEqual(Array.from({ length: 17 }, (_, i) => i));
    expect(new Set(deliveries.map((d) => d.msgId))).toEqual(new Set([sent.msgId]));
    expect(deliveries.every((d) => d.topic === 'adv-doomed')).toBe(true);
    // Retry k waits at least level k + 2.
    for (let k = 1; k < deliveries.length; k++) {
      expect(deliveries[k].at - deliveries[k - 1].at).toBeGreaterThanOrEqual((k + 2) * DELAY_STEP - 5);
    }
    const dead = by('doomed-dlq')[0];
    expect(dead.msgId).toBe(sent.msgId);
    expect(dead.body).toEqual({ id: 'doomed-1' });
    expect(dead.topic).toBe('adv-doomed'); // ctx.topic: where it was first sent (RETRY_TOPIC)
    await sleep(200);
    expect(by('doomed')).toHaveLength(17);
  }, 20_000);

  it('maxReconsumeTimes: 2 gives 3 deliveries then the DLQ; delayLevelWhenNextConsume -1 goes straight there', async () => {
    const limited = await template.syncSend('adv-limited', 'limited');
    const straight = await template.syncSend('adv-straight', 'straight');
    await waitFor(() => by('limited-dlq').length === 1 && by('straight-dlq').length === 1, { timeout: 5000, message: 'both dead letters' });
    expect(by('limited').map((d) => d.reconsumeTimes)).toEqual([0, 1, 2]);
    expect(by('limited-dlq')[0].msgId).toBe(limited.msgId);
    expect(by('straight')).toHaveLength(1);
    expect(by('straight-dlq')[0].msgId).toBe(straight.msgId);
    await sleep(200);
    expect(by('limited')).toHaveLength(3);
    expect(by('straight')).toHaveLength(1);
  });

  it('a payload the ValidationPipe rejects, or that does not convert, is retried and then dead-lettered', async () => {
    const invalid = await template.syncSend('adv-validated', { id: 'bad', quantity: 0 });
    const notJson = await template.syncSend('adv-validated', 'not json at all');
    const valid = await template.syncSend('adv-validated', { id: 'good', quantity: 2 });
    await waitFor(() => by('validated-dlq').length >= 2, { timeout: 5000, message: 'two dead letters' });
    await sleep(100);
    expect(new Set(by('validated-dlq').map((d) => d.msgId))).toEqual(new Set([invalid.msgId, notJson.msgId]));
    expect(by('validated-dlq').map((d) => d.body).sort()).toEqual(['not json at all', '{"id":"bad","quantity":0}']);
    // The pipe ran for the invalid order twice (1 + maxReconsumeTimes 1) and once for the valid one.
    const attempts = (seen['validated-attempts'] ?? []).map((a) => (a.body as Order).id);
    expect(attempts.filter((id) => id === 'bad')).toHaveLength(2);
    expect(by('validated').map((d) => (d.body as Order).id)).toEqual(['good']);
    expect(by('validated')[0].msgId).toBe(valid.msgId);
  });

  it('orderly: a failing message blocks its queue only; after maxReconsumeTimes it is dead-lettered and the queue moves on', async () => {
    const first = await template.syncSendOrderly('adv-orderly', 'a1', 'key-a');
    const queueA = first.messageQueue.queueId;
    let keyB = '';
    for (const candidate of ['key-b', 'key-c', 'key-d', 'key-e', 'key-f', 'key-g', 'key-h']) {
      const queues = await app.get(RocketMQTemplate).getProducer().fetchPublishMessageQueues('adv-orderly');
      const index = Math.abs(javaStringHashCode(candidate) % queues.length);
      if (queues[index].queueId !== queueA) {
        keyB = candidate;
        break;
      }
    }
    expect(keyB).not.toBe('');
    await template.syncSendOrderly('adv-orderly', 'bad', 'key-a');
    await template.syncSendOrderly('adv-orderly', 'a2', 'key-a');
    for (const body of ['b1', 'b2', 'b3']) {
      const r = await template.syncSendOrderly('adv-orderly', body, keyB);
      expect(r.messageQueue.queueId).not.toBe(queueA);
    }
    await waitFor(() => by('orderly').filter((d) => d.body === 'b3').length === 1, { message: 'the other queue' });
    // The other queue finished while the poison message still holds its own.
    expect(by('orderly-dlq')).toHaveLength(0);
    await waitFor(() => by('orderly').some((d) => d.body === 'a2'), { timeout: 5000, message: 'a2 after the poison message' });
    await waitFor(() => by('orderly-dlq').length === 1, { message: 'the orderly dead letter' });
    const queueABodies = by('orderly').filter((d) => d.queueId === queueA).map((d) => d.body);
    expect(queueABodies).toEqual(['a1', 'bad', 'bad', 'bad', 'a2']);
    expect(by('orderly').filter((d) => d.body === 'bad').map((d) => d.reconsumeTimes)).toEqual([0, 1, 2]);
    expect(by('orderly').filter((d) => d.queueId !== queueA).map((d) => d.body)).toEqual(['b1', 'b2', 'b3']);
    expect(by('orderly-dlq')[0].body).toBe('bad');
  });

  it('broadcasting: a failed message is not retried, and consumption moves on', async () => {
    await template.syncSend('adv-broadcast', 'fail');
    await template.syncSend('adv-broadcast', 'next');
    await waitFor(() => by('broadcast').some((d) => d.body === 'next'), { message: 'the next broadcast message' });
    await sleep(300); // > the first retry delays (levels 3 and 4)
    expect(by('broadcast').map((d) => d.body).sort()).toEqual(['fail', 'next']);
  });
});
