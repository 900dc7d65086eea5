import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import {
  InjectRocketMQTemplate,
  LocalTransactionState,
  MessageBuilder,
  RocketMQContext,
  RocketMQHeaders,
  RocketMQLocalTransactionState,
  RocketMQMessage,
  RocketMQMessageListener,
  RocketMQModule,
  RocketMQTemplate,
  RocketMQTransactionError,
  RocketMQTransactionListener,
  RocketMQTransactionListenerConfigError,
  type RocketMQListener,
  type RocketMQLocalTransactionListener,
} from '../../lib/index.js';
import { createApp, createAppError } from './utils/test-app.js';
import { sleep, waitFor } from './utils/wait-for.js';

const FAST_BROKER = {
  messageDelayLevel: Array.from({ length: 18 }, (_, i) => `${(i + 1) * 20}ms`).join(' '),
  transactionTimeOut: 100,
  transactionCheckInterval: 50,
};

/** What the local "database" decided per order: the check-back looks it up, never re-runs the business. */
const localTable = new Map<string, 'committed' | 'rolled-back' | 'pending'>();
const executed: RocketMQMessage[] = [];
const checked: RocketMQMessage[] = [];
const consumed: Array<{ id: string; msgId: string }> = [];

type Order = { id: string; plan: 'commit' | 'rollback' | 'unknown' | 'throw' | 'async-commit' };

@RocketMQTransactionListener({ corePoolSize: 5, maximumPoolSize: 20 })
class OrderTransactions implements RocketMQLocalTransactionListener {
  async executeLocalTransaction(msg: RocketMQMessage, arg: unknown) {
    executed.push(msg);
    const order = msg.payload as Order;
    expect(arg).toEqual({ requestedBy: 'test' });
    switch (order.plan) {
      case 'commit':
        localTable.set(order.id, 'committed');
        return RocketMQLocalTransactionState.COMMIT;
      case 'async-commit':
        await sleep(30);
        localTable.set(order.id, 'committed');
        return RocketMQLocalTransactionState.COMMIT;
      case 'rollback':
        localTable.set(order.id, 'rolled-back');
        return RocketMQLocalTransactionState.ROLLBACK;
      case 'unknown':
        localTable.set(order.id, 'pending');
        setTimeout(() => localTable.set(order.id, 'committed'), 150);
        return RocketMQLocalTransactionState.UNKNOWN;
      case 'throw':
        localTable.set(order.id, 'committed');
        throw new Error('crashed after the local commit');
    }
  }

  async checkLocalTransaction(msg: RocketMQMessage) {
    checked.push(msg);
    await sleep(5);
    const state = localTable.get((msg.payload as Order).id);
    if (state === 'committed') return RocketMQLocalTransactionState.COMMIT;
    if (state === 'rolled-back') return RocketMQLocalTransactionState.ROLLBACK;
    return RocketMQLocalTransactionState.UNKNOW; // the Java spelling works too
  }
}

@RocketMQMessageListener({ topic: 'adv-tx-orders', consumerGroup: 'adv-tx-consumer' })
class CommittedOrders implements RocketMQListener<Order> {
  onMessage(order: Order, ctx: RocketMQContext) {
    consumed.push({ id: order.id, msgId: ctx.msgId });
  }
}

const auditExecuted: string[] = [];
@RocketMQTransactionListener({ rocketMQTemplateBeanName: 'audit' })
class AuditTransactions implements RocketMQLocalTransactionListener {
  executeLocalTransaction(msg: RocketMQMessage) {
    auditExecuted.push(String(msg.payload));
    return RocketMQLocalTransactionState.COMMIT;
  }
  checkLocalTransaction() {
    return RocketMQLocalTransactionState.COMMIT;
  }
}

const auditConsumed: string[] = [];
@RocketMQMessageListener({ topic: 'adv-tx-audit', consumerGroup: 'adv-tx-audit-consumer', messageType: String })
class AuditConsumer implements RocketMQListener<string> {
  onMessage(text: string) {
    auditConsumed.push(text);
  }
}

class AuditService {
  constructor(@InjectRocketMQTemplate('audit') readonly template: RocketMQTemplate) {}
}

describe('transactional messages', () => {
  let app: INestApplicationContext;
  let template: RocketMQTemplate;
  const ARG = { requestedBy: 'test' };

  beforeAll(async () => {
    app = await createApp({
      imports: [
        RocketMQModule.forRoot({
          producer: { group: 'adv-tx-producer' },
          templates: { audit: { group: 'adv-tx-audit-producer' }, plain: { group: 'adv-tx-plain-producer' } },
          broker: FAST_BROKER,
        }),
      ],
      providers: [OrderTransactions, CommittedOrders, AuditTransactions, AuditConsumer, AuditService],
    });
    template = app.get(RocketMQTemplate);
  });
  afterAll(async () => {
    await app?.close();
  });

  const consumedIds = (id: string) => consumed.filter((c) => c.id === id);

  it('COMMIT is consumed once; ROLLBACK never; the callbacks get the full message', async () => {
    const committed = await template.sendMessageInTransaction(
      'adv-tx-orders:created',
      MessageBuilder.withPayload<Order>({ id: 'tx-commit', plan: 'commit' }).setHeader(RocketMQHeaders.KEYS, 'tx-commit').setHeader('region', 'eu').build(),
      ARG,
    );
    expect(committed.localTransactionState).toBe(LocalTransactionState.COMMIT_MESSAGE);
    expect(committed.rocketMQLocalTransactionState).toBe(RocketMQLocalTransactionState.COMMIT);
    expect(committed.transactionId).toBeTruthy();

    const rolledBack = await template.sendMessageInTransaction('adv-tx-orders', { id: 'tx-rollback', plan: 'rollback' }, ARG);
    expect(rolledBack.rocketMQLocalTransactionState).toBe(RocketMQLocalTransactionState.ROLLBACK);

    await waitFor(() => consumedIds('tx-commit').length === 1, { message: 'the committed order' });
    expect(consumedIds('tx-commit')[0].msgId).toBe(committed.msgId);

    const msg = executed.find((m) => (m.payload as Order).id === 'tx-commit')!;
    expect(msg).toBeInstanceOf(RocketMQMessage);
    expect(msg.transactionId).toBe(committed.transactionId);
    expect(msg.headers[RocketMQHeaders.TRANSACTION_ID]).toBe(committed.transactionId);
    expect(msg.headers[RocketMQHeaders.KEYS]).toBe('tx-commit');
    expect(msg.headers[RocketMQHeaders.TAGS]).toBe('created');
    expect(msg.headers[RocketMQHeaders.TOPIC]).toBe('adv-tx-orders');
    expect(msg.headers[RocketMQHeaders.MESSAGE_ID]).toBe(committed.msgId);
    expect(msg.headers.region).toBe('eu');
    expect(msg.body.toString()).toBe('{"id":"tx-commit","plan":"commit"}');

    await sleep(400); // several check intervals: nothing more arrives
    expect(consumedIds('tx-commit')).toHaveLength(1);
    expect(consumedIds('tx-rollback')).toHaveLength(0);
  });

  it('UNKNOWN is resolved by the check-back, which gets the full stored message', async () => {
    const result = await template.sendMessageInTransaction('adv-tx-orders', { id: 'tx-unknown', plan: 'unknown' }, ARG);
    expect(result.rocketMQLocalTransactionState).toBe(RocketMQLocalTransactionState.UNKNOWN);
    await waitFor(() => consumedIds('tx-unknown').length === 1, { timeout: 5000, message: 'the order committed by check-back' });
    const check = checked.find((m) => (m.payload as Order).id === 'tx-unknown')!;
    expect(check.transactionId).toBe(result.transactionId);
    expect(check.msgId).toBe(result.msgId);
    expect(check.topic).toBe('adv-tx-orders');
    expect(check.headers[RocketMQHeaders.BORN_TIMESTAMP]).toEqual(expect.any(Number));
    await sleep(300);
    expect(consumedIds('tx-unknown')).toHaveLength(1);
  });

  it('an execute that throws counts as UNKNOWN and is resolved by the check-back; async callbacks work', async () => {
    const thrown = await template.sendMessageInTransaction('adv-tx-orders', { id: 'tx-throw', plan: 'throw' }, ARG);
    expect(thrown.rocketMQLocalTransactionState).toBe(RocketMQLocalTransactionState.UNKNOWN);
    const asyncCommit = await template.sendMessageInTransaction('adv-tx-orders', { id: 'tx-async', plan: 'async-commit' }, ARG);
    expect(asyncCommit.rocketMQLocalTransactionState).toBe(RocketMQLocalTransactionState.COMMIT);
    await waitFor(() => consumedIds('tx-throw').length === 1 && consumedIds('tx-async').length === 1, { timeout: 5000, message: 'both orders' });
    expect(checked.some((m) => (m.payload as Order).id === 'tx-throw')).toBe(true);
  });

  it('rejects delays, batches and a template without a listener with RocketMQTransactionError', async () => {
    await expect(
      template.sendMessageInTransaction('adv-tx-orders', MessageBuilder.withPayload({ id: 'x' }).setHeader(RocketMQHeaders.DELAY, 3).build(), ARG),
    ).rejects.toThrow(RocketMQTransactionError);
    await expect(
      template.sendMessageInTransaction('adv-tx-orders', MessageBuilder.withPayload({ id: 'x' }).setHeader(RocketMQHeaders.DELAY, 3).build(), ARG),
    ).rejects.toThrow('cannot be delayed');
    await expect(template.sendMessageInTransaction('adv-tx-orders', [{ id: 'a' }, { id: 'b' }], ARG)).rejects.toThrow('not a batch');
    const plain = app.get<RocketMQTemplate>('RocketMQTemplate:plain');
    const err = await plain.sendMessageInTransaction('adv-tx-orders', { id: 'x' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(RocketMQTransactionError);
    expect((err as Error).message).toContain(`RocketMQTemplate "plain" has no transaction listener`);
    expect((err as Error).message).toContain(`@RocketMQTransactionListener({ rocketMQTemplateBeanName: 'plain' })`);
  });

  it('a listener bound to a named template serves that template only', async () => {
    const audit = app.get(AuditService).template;
    expect(audit.transactionListenerName).toBe('AuditTransactions');
    expect(template.transactionListenerName).toBe('OrderTransactions');
    const result = await audit.sendMessageInTransaction('adv-tx-audit', 'audit entry 1');
    expect(result.rocketMQLocalTransactionState).toBe(RocketMQLocalTransactionState.COMMIT);
    expect(auditExecuted).toEqual(['audit entry 1']);
    await waitFor(() => auditConsumed.length === 1, { message: 'the audit entry' });
    expect(executed.some((m) => m.payload === 'audit entry 1')).toBe(false);
  });
});

describe('@RocketMQTransactionListener validation', () => {
  it('two listeners on one template, an unknown template and a missing callback are one named error', async () => {
    @RocketMQTransactionListener()
    class First {
      executeLocalTransaction() {
        return RocketMQLocalTransactionState.COMMIT;
      }
      checkLocalTransaction() {
        return RocketMQLocalTransactionState.COMMIT;
      }
    }
    @RocketMQTransactionListener()
    class Second {
      executeLocalTransaction() {
        return RocketMQLocalTransactionState.COMMIT;
      }
      checkLocalTransaction() {
        return RocketMQLocalTransactionState.COMMIT;
      }
    }
    @RocketMQTransactionListener({ rocketMQTemplateBeanName: 'nope' })
    class Unbound {
      executeLocalTransaction() {
        return RocketMQLocalTransactionState.COMMIT;
      }
      checkLocalTransaction() {
        return RocketMQLocalTransactionState.COMMIT;
      }
    }
    @RocketMQTransactionListener({ rocketMQTemplateBeanName: 'other', corePoolSize: 0 })
    class Incomplete {
      executeLocalTransaction() {
        return RocketMQLocalTransactionState.COMMIT;
      }
    }
    const err = await createAppError({
      imports: [RocketMQModule.forRoot({ producer: { group: 'adv-tx-validation' }, templates: { other: { group: 'adv-tx-other' } } })],
      providers: [First, Second, Unbound, Incomplete],
    });
    expect(err).toBeInstanceOf(RocketMQTransactionListenerConfigError);
    expect(err.message).toContain('Second: RocketMQTemplate "rocketMQTemplate" already has the transaction listener First');
    expect(err.message).toContain('Unbound: rocketMQTemplateBeanName "nope" names no template with a producer');
    expect(err.message).toContain(`templates: { "nope": { group: "..." } }`);
    expect(err.message).toContain('Incomplete: checkLocalTransaction is missing');
    expect(err.message).toContain('Incomplete: corePoolSize must be an integer >= 1, got 0');
  });

  it('a transaction listener on the default template without producer.group is a named error', async () => {
    @RocketMQTransactionListener()
    class NoProducer {
      executeLocalTransaction() {
        return RocketMQLocalTransactionState.COMMIT;
      }
      checkLocalTransaction() {
        return RocketMQLocalTransactionState.COMMIT;
      }
    }
    const err = await createAppError({ imports: [RocketMQModule.forRoot({})], providers: [NoProducer] });
    expect(err).toBeInstanceOf(RocketMQTransactionListenerConfigError);
    expect(err.message).toContain('NoProducer: rocketMQTemplateBeanName "rocketMQTemplate" names no template with a producer');
    expect(err.message).toContain('set producer.group');
  });
});
