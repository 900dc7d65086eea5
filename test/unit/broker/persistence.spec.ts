import { afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundledRocketMQ, createSubscriptionGroupConfig, createTopicConfig, TransactionalMessageUtil } from '../../../lib/broker/index.js';
import { ConsumeFromWhere, DefaultMQProducer, LocalTransactionState } from '../../../lib/client/index.js';
import { decodeMessageRecord, Message } from '../../../lib/message/index.js';
import { PermName } from '../../../lib/remoting/index.js';
import { ClientHarness, sleep, waitFor } from '../../e2e/client/client-harness.js';

/** Level 1 is long enough to restart before it is due; retries (levels 3+) are quick. */
const LEVELS = ['600ms', ...Array.from({ length: 17 }, (_, i) => `${(i + 2) * 5}ms`)].join(' ');

describe('bundled broker on the file store: what survives a clean restart', () => {
  let h: ClientHarness | undefined;
  let root: string | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  async function start(broker: Record<string, unknown> = {}): Promise<ClientHarness> {
    root = mkdtempSync(join(tmpdir(), 'rmq-persist-'));
    h = new ClientHarness({
      broker: {
        store: 'file',
        storePathRootDir: root,
        messageDelayLevel: LEVELS,
        flushConsumerOffsetInterval: 100,
        mappedFileSizeCommitLog: 256 * 1024,
        mappedFileSizeConsumeQueue: 20 * 1000,
        ...broker,
      },
    });
    return h.start();
  }

  const store = () => h!.broker.brokerController.messageStore;
  const queueTotal = (topic: string, queues = 4) =>
    Array.from({ length: queues }, (_, q) => store().getMaxOffsetInQueue(topic, q)).reduce((a, b) => a + b, 0);

  it('messages, their index and consumer offsets: a group resumes after its committed offset', async () => {
    await start();
    const producer = await h!.producer('orders-producer');
    const sent = [];
    for (let i = 0; i < 10; i++) sent.push(await producer.send(new Message('persist-orders', `m${i}`, { keys: `k${i}` })));
    const got: string[] = [];
    await h!.consumer({ consumerGroup: 'orders-g', consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET }, 'persist-orders', (m) => void got.push(m.body.toString()));
    await waitFor(() => got.length === 10, 3000, () => `first consumption (got ${got.length})`);

    await h!.restart();
    expect(queueTotal('persist-orders')).toBe(10);
    for (const s of sent) {
      const record = store().getConsumeQueueEntry('persist-orders', s.messageQueue.queueId, s.queueOffset);
      expect(record).toBeDefined();
      const msg = store().lookMessageByOffset(record!.phyOffset)!;
      expect(msg.msgId).toBe(s.msgId);
    }
    const byKey = store().queryMessage('persist-orders', 'k3', 10, 0, Date.now());
    expect(byKey.messages.map((r) => decodeMessageRecord(r).body.toString())).toEqual(['m3']);

    const again: string[] = [];
    await h!.consumer({ consumerGroup: 'orders-g', consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET }, 'persist-orders', (m) => void again.push(m.body.toString()));
    const fresh: string[] = [];
    await h!.consumer({ consumerGroup: 'orders-new', consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET }, 'persist-orders', (m) => void fresh.push(m.body.toString()));
    const producer2 = await h!.producer('orders-producer');
    for (let i = 0; i < 3; i++) await producer2.send(new Message('persist-orders', `n${i}`));
    await waitFor(() => again.length >= 3 && fresh.length >= 13, 3000, () => `after restart (again ${again}, fresh ${fresh.length})`);
    await sleep(100);
    expect(again.sort()).toEqual(['n0', 'n1', 'n2']);
    expect(fresh.sort()).toEqual([...sent.map((_, i) => `m${i}`), 'n0', 'n1', 'n2'].sort());
  });

  it('a pending delayed message is delivered after the restart, once', async () => {
    await start();
    const producer = await h!.producer('delay-producer');
    const msg = new Message('persist-delayed', 'later');
    msg.delayTimeLevel = 1;
    const sentAt = Date.now();
    const sent = await producer.send(msg);
    await h!.restart();
    const got: Array<{ id: string; at: number }> = [];
    await h!.consumer({ consumerGroup: 'delayed-g', consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET }, 'persist-delayed', (m) => void got.push({ id: m.msgId, at: Date.now() }));
    await waitFor(() => got.length === 1, 3000, 'the delayed message');
    expect(got[0].id).toBe(sent.msgId);
    expect(got[0].at - sentAt).toBeGreaterThanOrEqual(590);
    // Progress was persisted on the second shutdown: a third start does not deliver it again.
    await h!.restart();
    await sleep(100);
    expect(store().getMaxOffsetInQueue('persist-delayed', sent.messageQueue.queueId)).toBe(1);
    const delayOffset = JSON.parse(readFileSync(join(root!, 'config', 'delayOffset.json'), 'utf8'));
    expect(delayOffset.offsetTable['1']).toBe(1);
  });

  it('a pending timer message is delivered after the restart: the heap is rebuilt from the timer progress', async () => {
    await start();
    const producer = await h!.producer('timer-producer');
    const early = new Message('persist-timer', 'early');
    early.deliverTimeMs = Date.now() + 50;
    const late = new Message('persist-timer', 'late');
    late.deliverTimeMs = Date.now() + 600;
    await producer.send(early);
    const sent = await producer.send(late);
    const got: string[] = [];
    await h!.consumer({ consumerGroup: 'timer-g', consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET }, 'persist-timer', (m) => void got.push(m.body.toString()));
    await waitFor(() => got.length === 1, 3000, 'the early timer message');
    await h!.restart();
    const after: Array<{ body: string; id: string }> = [];
    await h!.consumer({ consumerGroup: 'timer-g' }, 'persist-timer', (m) => void after.push({ body: m.body.toString(), id: m.msgId }));
    await waitFor(() => after.length === 1, 3000, 'the late timer message');
    await sleep(100);
    // The early one was delivered before the restart and is not delivered again.
    expect(after).toEqual([{ body: 'late', id: sent.msgId }]);
    expect(late.deliverTimeMs! - Date.now()).toBeLessThanOrEqual(0);
  });

  it('retry and DLQ topics keep their config and their messages', async () => {
    await start();
    const deliveries: number[] = [];
    await h!.consumer({ consumerGroup: 'fragile-g', maxReconsumeTimes: 1 }, 'persist-fragile', (m) => {
      deliveries.push(m.reconsumeTimes);
      throw new Error('always fails');
    });
    const producer = await h!.producer('fragile-producer');
    const sent = await producer.send(new Message('persist-fragile', 'doomed'));
    await waitFor(() => store().getMaxOffsetInQueue('%DLQ%fragile-g', 0) === 1, 5000, () => `the DLQ (deliveries ${deliveries})`);
    const retryCount = store().getMaxOffsetInQueue('%RETRY%fragile-g', 0);
    expect(retryCount).toBeGreaterThanOrEqual(1);
    const topics = h!.broker.brokerController.topicConfigManager;
    const dlqBefore = { ...topics.selectTopicConfig('%DLQ%fragile-g')! };
    const retryBefore = { ...topics.selectTopicConfig('%RETRY%fragile-g')! };

    await h!.restart();
    const after = h!.broker.brokerController.topicConfigManager;
    expect(after.selectTopicConfig('%DLQ%fragile-g')).toEqual(dlqBefore);
    expect(after.selectTopicConfig('%RETRY%fragile-g')).toEqual(retryBefore);
    expect(store().getMaxOffsetInQueue('%RETRY%fragile-g', 0)).toBe(retryCount);
    const entry = store().getConsumeQueueEntry('%DLQ%fragile-g', 0, 0)!;
    const dead = store().lookMessageByOffset(entry.phyOffset)!;
    expect(dead.msgId).toBe(sent.msgId);
    expect(dead.body.toString()).toBe('doomed');
    expect(h!.broker.brokerController.subscriptionGroupManager.getSubscriptionGroupTable().has('fragile-g')).toBe(true);
  });

  it('a half transaction left undecided is resolved by a check-back after the restart', async () => {
    await start({ transactionTimeOut: 100, transactionCheckInterval: 100 });
    const checksBefore: string[] = [];
    const first = new DefaultMQProducer({ producerGroup: 'tx-g' }, h!.clientConfig(), h!.manager());
    first.setTransactionListener({
      executeLocalTransaction: () => LocalTransactionState.UNKNOW,
      checkLocalTransaction: (m) => {
        checksBefore.push(m.msgId);
        return LocalTransactionState.UNKNOW;
      },
    });
    await first.start();
    const sent = await first.sendMessageInTransaction(new Message('persist-tx', 'pending'));
    await waitFor(() => checksBefore.length >= 1, 3000, 'a first check-back');
    await first.shutdown();

    await h!.restart();
    const checksAfter: string[] = [];
    const second = new DefaultMQProducer({ producerGroup: 'tx-g' }, h!.clientConfig(), h!.manager());
    second.setTransactionListener({
      executeLocalTransaction: () => LocalTransactionState.UNKNOW,
      checkLocalTransaction: (m) => {
        checksAfter.push(m.msgId);
        return LocalTransactionState.COMMIT_MESSAGE;
      },
    });
    await second.start();
    const got: string[] = [];
    await h!.consumer({ consumerGroup: 'tx-reader', consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET }, 'persist-tx', (m) => void got.push(m.msgId));
    await waitFor(() => got.length === 1, 3000, 'the committed message');
    await sleep(300);
    expect(got).toEqual([sent.msgId]);
    expect(checksAfter[0]).toBe(sent.msgId);
    await second.shutdown();
    const offsets = JSON.parse(readFileSync(join(root!, 'config', 'consumerOffset.json'), 'utf8'));
    expect(offsets.offsetTable[`${TransactionalMessageUtil.HALF_TOPIC}@${TransactionalMessageUtil.CID_SYS_RMQ_TRANS}`]['0']).toBeGreaterThan(0);
  });

  it('topics and subscription groups, with their data versions', async () => {
    await start();
    const controller = h!.broker.brokerController;
    controller.topicConfigManager.updateTopicConfig({ ...createTopicConfig('persist-admin', 6, PermName.PERM_READ | PermName.PERM_WRITE), order: true });
    controller.subscriptionGroupManager.updateSubscriptionGroupConfig({ ...createSubscriptionGroupConfig('slow-g'), retryMaxTimes: 3, consumeBroadcastEnable: false });
    const topicVersion = controller.topicConfigManager.dataVersion.toJSON();
    const groupVersion = controller.subscriptionGroupManager.dataVersion.toJSON();

    await h!.restart();
    const after = h!.broker.brokerController;
    expect(after.topicConfigManager.selectTopicConfig('persist-admin')).toMatchObject({ readQueueNums: 6, writeQueueNums: 6, order: true });
    expect(after.subscriptionGroupManager.getSubscriptionGroupTable().get('slow-g')).toMatchObject({ retryMaxTimes: 3, consumeBroadcastEnable: false });
    expect(after.topicConfigManager.dataVersion.counter).toBeGreaterThanOrEqual(topicVersion.counter);
    expect(after.subscriptionGroupManager.dataVersion.toJSON()).toEqual(groupVersion);
    // Registered with the NameServer again, so clients can route to it.
    expect(h!.broker.namesrvController.routeInfoManager.pickupTopicRouteData('persist-admin')?.queueDatas[0].writeQueueNums).toBe(6);
    for (const name of ['topics.json', 'subscriptionGroup.json', 'consumerOffset.json', 'delayOffset.json', 'timerCheckpoint.json']) {
      expect(existsSync(join(root!, 'config', name))).toBe(true);
    }
  });

  it('a corrupt config file is replaced by its .bak; when both are unreadable the broker refuses to start', async () => {
    await start();
    const topics = h!.broker.brokerController.topicConfigManager;
    topics.updateTopicConfig(createTopicConfig('kept', 2));
    topics.updateTopicConfig(createTopicConfig('latest', 2));
    await h!.close();
    const file = join(root!, 'config', 'topics.json');
    writeFileSync(file, '{"topicConfigTable": {"torn');
    h = undefined;
    const restarted = new BundledRocketMQ({ broker: { store: 'file', storePathRootDir: root } });
    await restarted.start();
    // The .bak is one write behind the main file: everything up to the change before the last.
    expect(restarted.brokerController.topicConfigManager.selectTopicConfig('kept')).toBeDefined();
    await restarted.shutdown();

    writeFileSync(file, 'not json');
    writeFileSync(`${file}.bak`, 'not json either');
    const refused = new BundledRocketMQ({ broker: { store: 'file', storePathRootDir: root } });
    await expect(refused.start()).rejects.toThrow(/topics\.json/);
    // Nothing stays bound or locked: a fixed directory starts again.
    rmSync(file);
    rmSync(`${file}.bak`);
    const fixed = new BundledRocketMQ({ broker: { store: 'file', storePathRootDir: root } });
    await fixed.start();
    await fixed.shutdown();
  });
});
