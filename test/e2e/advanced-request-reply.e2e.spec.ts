import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import {
  MessageExt,
  RocketMQContext,
  RocketMQMessageListener,
  RocketMQModule,
  RocketMQRequestTimeoutError,
  RocketMQSendError,
  RocketMQTemplate,
  type RocketMQListener,
  type RocketMQReplyListener,
} from '../../lib/index.js';
import { createApp } from './utils/test-app.js';
import { sleep } from './utils/wait-for.js';

class Quote {
  sku!: string;
  price!: number;
  describe(): string {
    return `${this.sku}@${this.price}`;
  }
}

@RocketMQMessageListener({ topic: 'adv-quotes', consumerGroup: 'adv-quoter' })
class Quoter implements RocketMQReplyListener<{ sku: string; qty: number }, Quote> {
  async onMessage(request: { sku: string; qty: number }, _ctx: RocketMQContext): Promise<Quote> {
    await sleep(Math.floor(Math.random() * 20)); // replies come back out of order
    return Object.assign(new Quote(), { sku: request.sku, price: request.qty * 3 });
  }
}

@RocketMQMessageListener({ topic: 'adv-echo', consumerGroup: 'adv-echo', messageType: String })
class Echo implements RocketMQReplyListener<string, string> {
  onMessage(text: string): string {
    return text.toUpperCase();
  }
}

/** Answers with the queue each request arrived on, to show where a hash key sent it. */
@RocketMQMessageListener({ topic: 'adv-keyed', consumerGroup: 'adv-keyed', messageType: String, consumeMode: 'ORDERLY' })
class KeyedEcho implements RocketMQReplyListener<string, string> {
  onMessage(text: string, ctx: RocketMQContext): string {
    return `${text}@${ctx.queueId}`;
  }
}

const plainSeen: string[] = [];
/** A listener that returns nothing: plain messages are consumed; a request to it gets no reply. */
@RocketMQMessageListener({ topic: 'adv-silent', consumerGroup: 'adv-silent', messageType: String })
class Silent implements RocketMQListener<string> {
  onMessage(text: string) {
    plainSeen.push(text);
  }
}

describe('request-reply', () => {
  let app: INestApplicationContext;
  let template: RocketMQTemplate;
  beforeAll(async () => {
    app = await createApp({
      imports: [RocketMQModule.forRoot({ producer: { group: 'adv-rr-producer' } })],
      providers: [Quoter, Echo, Silent, KeyedEcho],
    });
    template = app.get(RocketMQTemplate);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('sendAndReceive resolves with the converted reply', async () => {
    const quote = await template.sendAndReceive<Quote>('adv-quotes', { sku: 'apple', qty: 2 }, { type: Quote });
    expect(quote).toBeInstanceOf(Quote);
    expect(quote.describe()).toBe('apple@6');
    expect(await template.sendAndReceive('adv-echo', 'hello')).toBe('HELLO');
    expect(await template.sendAndReceive<string>('adv-echo', 'raw', { type: String })).toBe('RAW');
    const raw = await template.sendAndReceive<MessageExt>('adv-echo', 'ext', { type: MessageExt });
    expect(raw).toBeInstanceOf(MessageExt);
    expect(raw.body.toString()).toBe('EXT');
    const buffer = await template.sendAndReceive<Buffer>('adv-echo', 'buf', { type: Buffer, timeout: 2000 });
    expect(buffer.toString()).toBe('BUF');
  });

  it('50 concurrent requests each get their own reply', async () => {
    const requests = Array.from({ length: 50 }, (_, i) => ({ sku: `sku-${i}`, qty: i }));
    const replies = await Promise.all(requests.map((r) => template.sendAndReceive<{ sku: string; price: number }>('adv-quotes', r, { timeout: 5000 })));
    expect(replies).toEqual(requests.map((r) => ({ sku: r.sku, price: r.qty * 3 })));
  });

  it('no reply within the timeout rejects with RocketMQRequestTimeoutError naming the destination', async () => {
    const started = Date.now();
    const err = await template.sendAndReceive('adv-silent:tagged', 'anyone?', { timeout: 300 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(RocketMQRequestTimeoutError);
    expect(err).toBeInstanceOf(RocketMQSendError);
    expect((err as RocketMQRequestTimeoutError).destination).toBe('adv-silent:tagged');
    expect((err as RocketMQRequestTimeoutError).timeout).toBe(300);
    expect((err as Error).message).toContain('sendAndReceive to "adv-silent:tagged": no reply within 300 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // The request itself was delivered; the listener returned nothing, so nobody answered.
    expect(plainSeen).toContain('anyone?');
  });

  it('with a hashKey every request of one key goes to one queue, in order', async () => {
    const replies: string[] = [];
    for (let i = 0; i < 6; i++) replies.push(await template.sendAndReceive<string>('adv-keyed', `r${i}`, { hashKey: 'customer-7' }));
    const queues = new Set(replies.map((r) => r.split('@')[1]));
    expect(queues.size).toBe(1);
    expect(replies.map((r) => r.split('@')[0])).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('a plain send to a reply listener is consumed without a reply attempt', async () => {
    await template.syncSend('adv-echo', 'not a request');
    await sleep(100);
    // Nothing to assert on the wire: the absence of an error log is the point; the request path still works.
    expect(await template.sendAndReceive('adv-echo', 'still works')).toBe('STILL WORKS');
  });

  it('rejects a bad timeout', async () => {
    await expect(template.sendAndReceive('adv-echo', 'x', { timeout: 0 })).rejects.toThrow('timeout must be a positive integer');
  });
});
