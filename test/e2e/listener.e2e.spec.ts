import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Inject,
  Scope,
  UsePipes,
  ValidationPipe,
  type ArgumentMetadata,
  type INestApplicationContext,
  type PipeTransform,
} from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { IsInt, IsString, Min } from 'class-validator';
import {
  Ctx,
  MessageExt,
  Payload,
  RocketMQContext,
  RocketMQListenerConfigError,
  RocketMQMessageListener,
  RocketMQModule,
  RocketMQTemplate,
  type RocketMQListener,
} from '../../lib/index.js';
import { createApp, createAppError } from './utils/test-app.js';
import { deferred, sleep, waitFor } from './utils/wait-for.js';

class Order {
  @IsString() id!: string;
  @IsInt() @Min(1) quantity!: number;
  total(): number {
    return this.quantity * 10;
  }
}

const got: Record<string, unknown[]> = { order: [], text: [], buffer: [], ext: [], plain: [] };

@RocketMQMessageListener({ topic: 'payload-topic', consumerGroup: 'payload-order' })
class OrderListener implements RocketMQListener<Order> {
  // TypeScript records parameter types only on decorated methods: @Payload() makes Order the payload type.
  onMessage(@Payload() order: Order) {
    got.order.push(order);
  }
}

@RocketMQMessageListener({ topic: 'payload-topic', consumerGroup: 'payload-text', messageType: String })
class TextListener {
  onMessage(text: unknown) {
    got.text.push(text);
  }
}

@RocketMQMessageListener({ topic: 'payload-topic', consumerGroup: 'payload-buffer', messageType: Buffer })
class BufferListener {
  onMessage(body: unknown) {
    got.buffer.push(body);
  }
}

@RocketMQMessageListener({ topic: 'payload-topic', consumerGroup: 'payload-ext', messageType: MessageExt })
class ExtListener {
  onMessage(message: unknown) {
    got.ext.push(message);
  }
}

@RocketMQMessageListener({ topic: 'payload-topic', consumerGroup: 'payload-plain' })
class PlainListener {
  // No type information: JSON when the body parses, the string otherwise.
  onMessage(@Payload() payload: unknown, @Ctx() ctx: RocketMQContext) {
    got.plain.push({ payload, tags: ctx.tags });
  }
}

describe('@RocketMQMessageListener payloads', () => {
  let app: INestApplicationContext;
  beforeAll(async () => {
    app = await createApp({
      imports: [RocketMQModule.forRoot({ producer: { group: 'payload-producer' } })],
      providers: [OrderListener, TextListener, BufferListener, ExtListener, PlainListener],
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('gives each listener the type it asked for; a message sent right after init reaches every group', async () => {
    const template = app.get(RocketMQTemplate);
    await template.syncSend('payload-topic:json', { id: 'o-1', quantity: 3 });
    await waitFor(() => Object.values(got).filter((list) => list.length >= 1).length === 5, { message: 'every group to receive' });
    const order = got.order[0] as Order;
    expect(order).toBeInstanceOf(Order);
    expect(order.total()).toBe(30);
    expect(got.text[0]).toBe('{"id":"o-1","quantity":3}');
    expect(Buffer.isBuffer(got.buffer[0])).toBe(true);
    expect((got.buffer[0] as Buffer).toString()).toBe('{"id":"o-1","quantity":3}');
    expect(got.ext[0]).toBeInstanceOf(MessageExt);
    expect((got.ext[0] as MessageExt).tags).toBe('json');
    expect(got.plain[0]).toEqual({ payload: { id: 'o-1', quantity: 3 }, tags: 'json' });

    await template.syncSend('payload-topic', 'not json');
    await waitFor(() => got.plain.length >= 2);
    expect(got.plain[1]).toEqual({ payload: 'not json', tags: undefined });
  });
});

describe('listener validation', () => {
  it('reports every misconfigured listener in one RocketMQListenerConfigError', async () => {
    @RocketMQMessageListener({ topic: '', consumerGroup: '' })
    class MissingBoth {
      onMessage() {}
    }
    @RocketMQMessageListener({ topic: 'bad topic!', consumerGroup: 'g-bad-topic' })
    class BadTopic {
      onMessage() {}
    }
    @RocketMQMessageListener({ topic: 't', consumerGroup: 'g-orderly', consumeMode: 'ORDERLY', messageModel: 'BROADCASTING' })
    class OrderlyBroadcast {
      onMessage() {}
    }
    @RocketMQMessageListener({ topic: 't', consumerGroup: 'g-no-handler' })
    class NoHandler {}
    @RocketMQMessageListener({ topic: 't1', consumerGroup: 'g-shared' })
    class SharedA {
      onMessage() {}
    }
    @RocketMQMessageListener({ topic: 't2', consumerGroup: 'g-shared' })
    class SharedB {
      onMessage() {}
    }
    @RocketMQMessageListener({ topic: '${missing.topic}', consumerGroup: 'g-placeholder' })
    class Unresolved {
      onMessage() {}
    }
    const err = await createAppError({
      imports: [RocketMQModule.forRoot({})],
      providers: [MissingBoth, BadTopic, OrderlyBroadcast, NoHandler, SharedA, SharedB, Unresolved],
    });
    expect(err).toBeInstanceOf(RocketMQListenerConfigError);
    const m = err.message;
    expect(m).toContain('MissingBoth: consumerGroup is required');
    expect(m).toContain('MissingBoth: topic is required');
    expect(m).toContain('BadTopic: topic is invalid');
    expect(m).toContain('OrderlyBroadcast: consumeMode ORDERLY cannot be combined with messageModel BROADCASTING');
    expect(m).toContain('NoHandler: onMessage is missing');
    expect(m).toContain('SharedB: consumerGroup "g-shared" is also used by SharedA with another subscription');
    expect(m).toContain('Unresolved: topic has the placeholder ${missing.topic} that nothing resolves');
    expect((err as RocketMQListenerConfigError).problems).toHaveLength(7);
  });
});

describe('placeholders', () => {
  const seen: string[] = [];
  @RocketMQMessageListener({ topic: '${orders.topic}', consumerGroup: '${orders.group:placeholder-default-group}', selectorExpression: '${ORDERS_TAG_FOR_TEST}' })
  class PlaceholderListener {
    onMessage(text: string, ctx: RocketMQContext) {
      seen.push(`${ctx.consumerGroup}/${ctx.topic}/${ctx.tags}/${text}`);
    }
  }

  it('resolves ${key} from resolvePlaceholder, properties and the environment, with ${key:default}', async () => {
    process.env.ORDERS_TAG_FOR_TEST = 'envtag';
    const app = await createApp({
      imports: [
        RocketMQModule.forRoot({
          producer: { group: 'placeholder-producer' },
          properties: { 'orders.topic': 'from-properties' },
          resolvePlaceholder: (key) => (key === 'orders.topic' ? 'resolved-topic' : undefined),
        }),
      ],
      providers: [PlaceholderListener],
    });
    try {
      const template = app.get(RocketMQTemplate);
      await template.syncSend('resolved-topic:othertag', 'skip');
      await template.syncSend('resolved-topic:envtag', 'hit');
      await waitFor(() => seen.length >= 1);
      await sleep(50);
      expect(seen).toEqual(['placeholder-default-group/resolved-topic/envtag/hit']);
    } finally {
      delete process.env.ORDERS_TAG_FOR_TEST;
      await app.close();
    }
  });
});

describe('pipes, scopes and shutdown', () => {
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('a ValidationPipe rejecting the payload leaves the message unacknowledged, so it comes again', async () => {
    const attempts: unknown[] = [];
    const handled: Order[] = [];
    class CountingPipe implements PipeTransform {
      transform(value: unknown, _meta: ArgumentMetadata) {
        attempts.push(value);
        return value;
      }
    }
    @RocketMQMessageListener({ topic: 'validated-topic', consumerGroup: 'validated-group', consumeMode: 'ORDERLY', suspendCurrentQueueTimeMillis: 50 })
    class ValidatedListener {
      onMessage(@Payload(CountingPipe, new ValidationPipe()) order: Order) {
        handled.push(order);
      }
    }
    app = await createApp({ imports: [RocketMQModule.forRoot({ producer: { group: 'validated-producer' } })], providers: [ValidatedListener] });
    await app.get(RocketMQTemplate).syncSendOrderly('validated-topic', { id: 'bad', quantity: 0 }, 'k');
    await waitFor(() => attempts.length >= 2, { message: `the invalid message to be redelivered (attempts: ${attempts.length})` });
    expect(handled).toHaveLength(0);
  });

  it('a class-level ValidationPipe validates an undecorated onMessage against messageType', async () => {
    const handled: unknown[] = [];
    @RocketMQMessageListener({ topic: 'class-pipe-topic', consumerGroup: 'class-pipe-group', messageType: Order })
    @UsePipes(new ValidationPipe({ transform: true }))
    class ClassPipeListener {
      onMessage(order: Order) {
        handled.push(order);
      }
    }
    app = await createApp({ imports: [RocketMQModule.forRoot({ producer: { group: 'class-pipe-producer' } })], providers: [ClassPipeListener] });
    const template = app.get(RocketMQTemplate);
    await template.syncSend('class-pipe-topic', { id: 'bad', quantity: 0 });
    await template.syncSend('class-pipe-topic', { id: 'good', quantity: 2 });
    await waitFor(() => handled.length === 1, { message: 'the valid order' });
    await sleep(100);
    expect(handled).toHaveLength(1);
    expect((handled[0] as Order).id).toBe('good');
    expect(handled[0]).toBeInstanceOf(Order);
  });

  it('a request-scoped listener gets a fresh instance per message, with the context as REQUEST', async () => {
    const instances = new Set<number>();
    const requests: unknown[] = [];
    let counter = 0;
    @RocketMQMessageListener({ topic: 'scoped-topic', consumerGroup: 'scoped-group' }, { scope: Scope.REQUEST })
    class ScopedListener {
      private readonly id = ++counter;
      constructor(@Inject(REQUEST) private readonly request: unknown) {}
      onMessage(_text: string) {
        instances.add(this.id);
        requests.push(this.request);
      }
    }
    app = await createApp({ imports: [RocketMQModule.forRoot({ producer: { group: 'scoped-producer' } })], providers: [ScopedListener] });
    const template = app.get(RocketMQTemplate);
    await template.syncSend('scoped-topic', 'one');
    await template.syncSend('scoped-topic', 'two');
    await waitFor(() => requests.length >= 2);
    expect(instances.size).toBe(2);
    expect(requests[0]).toBeInstanceOf(RocketMQContext);
  });

  it('two apps in one process do not see each other\'s messages', async () => {
    const byApp: Record<string, string[]> = { a: [], b: [] };
    const listenerFor = (name: 'a' | 'b') => {
      @RocketMQMessageListener({ topic: 'isolated-topic', consumerGroup: 'isolated-group' })
      class IsolatedListener {
        onMessage(text: string) {
          byApp[name].push(text);
        }
      }
      return IsolatedListener;
    };
    const appA = await createApp({ imports: [RocketMQModule.forRoot({ producer: { group: 'iso-producer' } })], providers: [listenerFor('a')] });
    const appB = await createApp({ imports: [RocketMQModule.forRoot({ producer: { group: 'iso-producer' } })], providers: [listenerFor('b')] });
    try {
      await appA.get(RocketMQTemplate).syncSend('isolated-topic', 'for-a');
      await appB.get(RocketMQTemplate).syncSend('isolated-topic', 'for-b');
      await waitFor(() => byApp.a.length >= 1 && byApp.b.length >= 1);
      await sleep(100);
      expect(byApp).toEqual({ a: ['for-a'], b: ['for-b'] });
    } finally {
      await appA.close();
      await appB.close();
    }
  });

  it('app.close() waits for an in-flight handler', async () => {
    const started = deferred();
    let finished = false;
    @RocketMQMessageListener({ topic: 'drain-topic', consumerGroup: 'drain-group', awaitTerminationMillisWhenShutdown: 2000 })
    class SlowListener {
      async onMessage() {
        started.resolve();
        await sleep(300);
        finished = true;
      }
    }
    const local = await createApp({ imports: [RocketMQModule.forRoot({ producer: { group: 'drain-producer' } })], providers: [SlowListener] });
    await local.get(RocketMQTemplate).syncSend('drain-topic', 'slow');
    await started.promise;
    expect(finished).toBe(false);
    await local.close();
    expect(finished).toBe(true);
  });
});

