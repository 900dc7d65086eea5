import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import {
  MessageBuilder,
  RocketMQContext,
  RocketMQListenerConfigError,
  RocketMQMessageListener,
  RocketMQModule,
  RocketMQTemplate,
  type RocketMQListener,
} from '../../lib/index.js';
import { createApp, createAppError } from './utils/test-app.js';
import { sleep, waitFor } from './utils/wait-for.js';

const got: Record<string, string[]> = { eu: [], seed: [], between: [], all: [] };

@RocketMQMessageListener({ topic: 'adv-sql', consumerGroup: 'adv-sql-eu', selectorType: 'SQL92', selectorExpression: "amount > 100 AND region = 'eu'" })
class BigEuOrders implements RocketMQListener<{ id: string }> {
  onMessage(order: { id: string }) {
    got.eu.push(order.id);
  }
}

@RocketMQMessageListener({ topic: 'adv-sql', consumerGroup: 'adv-sql-all' })
class AllOrders implements RocketMQListener<{ id: string }> {
  onMessage(order: { id: string }) {
    got.all.push(order.id);
  }
}

@RocketMQMessageListener({ topic: 'adv-sql-seed', consumerGroup: 'adv-sql-seed', selectorType: 'SQL92', selectorExpression: "a > 5 AND b = 'abc'" })
class SeedExample implements RocketMQListener<string> {
  onMessage(body: string) {
    got.seed.push(body);
  }
}

@RocketMQMessageListener({ topic: 'adv-sql-between', consumerGroup: 'adv-sql-between', selectorType: 'SQL92', selectorExpression: 'a between 0 and 3', messageType: String })
class BetweenExample implements RocketMQListener<string> {
  onMessage(body: string, _ctx: RocketMQContext) {
    got.between.push(body);
  }
}

describe('SQL92 listeners', () => {
  let app: INestApplicationContext;
  beforeAll(async () => {
    app = await createApp({
      imports: [RocketMQModule.forRoot({ producer: { group: 'adv-sql-producer' } })],
      providers: [BigEuOrders, AllOrders, SeedExample, BetweenExample],
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a listener gets exactly the messages whose properties match', async () => {
    const template = app.get(RocketMQTemplate);
    const orders = [
      { id: 'o1', amount: 150, region: 'eu' }, // match
      { id: 'o2', amount: 50, region: 'eu' }, // too small
      { id: 'o3', amount: 500, region: 'us' }, // other region
      { id: 'o4', amount: 101, region: 'eu' }, // match
      { id: 'o5', amount: 100, region: 'eu' }, // not > 100
      { id: 'o6' }, // no properties: unknown, no match
    ];
    for (const o of orders) {
      const headers = o.amount === undefined ? {} : { amount: o.amount, region: o.region };
      await template.syncSend('adv-sql', { id: o.id }, { headers });
    }
    // MessageBuilder headers are user properties too.
    await template.send('adv-sql', MessageBuilder.withPayload({ id: 'o7' }).setHeader('amount', '999').setHeader('region', 'eu').build());
    await waitFor(() => got.all.length === 7, { message: 'every order at the unfiltered group' });
    await waitFor(() => got.eu.length === 3, { message: 'the matching orders' });
    await sleep(100);
    expect(got.eu.sort()).toEqual(['o1', 'o4', 'o7']);
  });

  it("the seeds' examples: a > 5 AND b = 'abc', and a between 0 and 3", async () => {
    const template = app.get(RocketMQTemplate);
    await template.syncSend('adv-sql-seed', 'ten', { headers: { a: '10', b: 'abc', c: 'true' } });
    await template.syncSend('adv-sql-seed', 'one', { headers: { a: '1', b: 'abc', c: 'true' } });
    for (let i = 0; i < 10; i++) await template.syncSend('adv-sql-between', String(i), { headers: { a: String(i) } });
    await waitFor(() => got.seed.length === 1 && got.between.length === 4, { message: 'the seed examples' });
    await sleep(100);
    expect(got.seed).toEqual(['ten']);
    expect(got.between.sort()).toEqual(['0', '1', '2', '3']);
  });
});

describe('SQL92 validation at start', () => {
  it('rejects a bad expression with RocketMQListenerConfigError naming the class, quoting the expression and the position', async () => {
    @RocketMQMessageListener({ topic: 't', consumerGroup: 'adv-sql-bad', selectorType: 'SQL92', selectorExpression: "amount > AND region = 'eu'" })
    class BadSql {
      onMessage() {}
    }
    @RocketMQMessageListener({ topic: 't', consumerGroup: 'adv-sql-star', selectorType: 'SQL92' })
    class StarSql {
      onMessage() {}
    }
    const err = await createAppError({ imports: [RocketMQModule.forRoot({})], providers: [BadSql, StarSql] });
    expect(err).toBeInstanceOf(RocketMQListenerConfigError);
    expect(err.message).toContain(`BadSql: selectorExpression "amount > AND region = 'eu'" is not a valid SQL92 selector: at position 9`);
    expect(err.message).toContain(`StarSql: selectorExpression "*" is a tag expression, not SQL92`);
  });

  it('a TAG listener is not parsed as SQL', async () => {
    @RocketMQMessageListener({ topic: 't', consumerGroup: 'adv-sql-tag', selectorExpression: 'a || b' })
    class TagListener {
      onMessage() {}
    }
    const app = await createApp({ imports: [RocketMQModule.forRoot({})], providers: [TagListener] });
    await app.close();
  });
});
