import { afterEach, describe, expect, it } from '@jest/globals';
import { RebalanceLockManager } from '../../../lib/broker/index.js';
import { InProcessRemotingClient, RemotingCommand, RequestCode, ResponseCode } from '../../../lib/remoting/index.js';
import { heartbeat, startBundled } from './broker-test-kit.js';

const BROKER = '127.0.0.1:10911';
const GROUP = 'GID_ORDERLY';

function mq(queueId: number, brokerName = 'broker-a') {
  return { topic: 'OrderTopic', brokerName, queueId };
}

function lockRequest(code: number, clientId: string, mqSet: ReturnType<typeof mq>[], consumerGroup = GROUP): RemotingCommand {
  return RemotingCommand.createRequest(code, {}, Buffer.from(JSON.stringify({ consumerGroup, clientId, mqSet, onlyThisBroker: false })));
}

async function lock(client: InProcessRemotingClient, clientId: string, mqSet: ReturnType<typeof mq>[]): Promise<number[]> {
  const response = await client.invoke(BROKER, lockRequest(RequestCode.LOCK_BATCH_MQ, clientId, mqSet), 3000);
  expect(response.code).toBe(ResponseCode.SUCCESS);
  const body = JSON.parse(response.body!.toString('utf8')) as { lockOKMQSet: Array<{ queueId: number }> };
  return body.lockOKMQSet.map((q) => q.queueId).sort();
}

async function unlock(client: InProcessRemotingClient, clientId: string, mqSet: ReturnType<typeof mq>[]): Promise<void> {
  const response = await client.invoke(BROKER, lockRequest(RequestCode.UNLOCK_BATCH_MQ, clientId, mqSet), 3000);
  expect(response.code).toBe(ResponseCode.SUCCESS);
}

describe('LOCK_BATCH_MQ / UNLOCK_BATCH_MQ', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('locks free queues, refuses queues another client holds, and re-locks its own', async () => {
    const started = await startBundled({ broker: { store: 'memory' } });
    stop = started.stop;
    expect(await lock(started.client, 'client-a', [mq(0), mq(1)])).toEqual([0, 1]);
    expect(await lock(started.client, 'client-b', [mq(1), mq(2)])).toEqual([2]);
    expect(await lock(started.client, 'client-a', [mq(0), mq(1), mq(2)])).toEqual([0, 1]);
  });

  it('skips queues of other brokers', async () => {
    const started = await startBundled({ broker: { store: 'memory' } });
    stop = started.stop;
    expect(await lock(started.client, 'client-a', [mq(0), mq(1, 'broker-b')])).toEqual([0]);
  });

  it('unlocks only the caller\'s own queues', async () => {
    const started = await startBundled({ broker: { store: 'memory' } });
    stop = started.stop;
    await lock(started.client, 'client-a', [mq(0), mq(1)]);
    await unlock(started.client, 'client-b', [mq(0)]);
    expect(await lock(started.client, 'client-b', [mq(0)])).toEqual([]);
    await unlock(started.client, 'client-a', [mq(0)]);
    expect(await lock(started.client, 'client-b', [mq(0), mq(1)])).toEqual([0]);
  });

  it('answers SYSTEM_ERROR for a body that is not a lock request', async () => {
    const started = await startBundled({ broker: { store: 'memory' } });
    stop = started.stop;
    const bad = RemotingCommand.createRequest(RequestCode.LOCK_BATCH_MQ, {}, Buffer.from('not json'));
    expect((await started.client.invoke(BROKER, bad, 3000)).code).toBe(ResponseCode.SYSTEM_ERROR);
    const missing = RemotingCommand.createRequest(RequestCode.LOCK_BATCH_MQ, {}, Buffer.from('{"mqSet":[]}'));
    expect((await started.client.invoke(BROKER, missing, 3000)).code).toBe(ResponseCode.SYSTEM_ERROR);
  });

  it('frees the locks of a consumer whose connection closes', async () => {
    const started = await startBundled({ broker: { store: 'memory' } });
    stop = started.stop;
    const member = new InProcessRemotingClient(started.mq.registry, '127.0.0.1:50002');
    try {
      expect((await member.invoke(BROKER, heartbeat('client-gone', GROUP, 'OrderTopic'), 3000)).code).toBe(ResponseCode.SUCCESS);
      expect(await lock(member, 'client-gone', [mq(0)])).toEqual([0]);
      expect(await lock(started.client, 'client-b', [mq(0)])).toEqual([]);
    } finally {
      member.shutdown();
    }
    expect(await lock(started.client, 'client-b', [mq(0)])).toEqual([0]);
  });

  it('frees the locks of a consumer that unregisters from the group', async () => {
    const started = await startBundled({ broker: { store: 'memory' } });
    stop = started.stop;
    await started.client.invoke(BROKER, heartbeat('client-a', GROUP, 'OrderTopic'), 3000);
    await lock(started.client, 'client-a', [mq(0)]);
    const unregister = RemotingCommand.createRequest(RequestCode.UNREGISTER_CLIENT, { clientID: 'client-a', consumerGroup: GROUP });
    expect((await started.client.invoke(BROKER, unregister, 3000)).code).toBe(ResponseCode.SUCCESS);
    expect(await lock(started.client, 'client-b', [mq(0)])).toEqual([0]);
  });
});

describe('RebalanceLockManager', () => {
  it('hands an unrenewed lock to another client after rebalanceLockMaxLiveTime', () => {
    const locks = new RebalanceLockManager(60_000);
    expect(locks.tryLockBatch(GROUP, [mq(0)], 'a', 1_000)).toHaveLength(1);
    expect(locks.tryLockBatch(GROUP, [mq(0)], 'b', 61_000)).toHaveLength(0);
    expect(locks.isLocked(GROUP, mq(0), 'a', 61_000)).toBe(true);
    expect(locks.tryLockBatch(GROUP, [mq(0)], 'b', 61_001)).toHaveLength(1);
    expect(locks.isLocked(GROUP, mq(0), 'a', 61_001)).toBe(false);
    expect(locks.isLocked(GROUP, mq(0), 'b', 61_001)).toBe(true);
  });

  it('renewing resets the expiry', () => {
    const locks = new RebalanceLockManager(60_000);
    locks.tryLockBatch(GROUP, [mq(0)], 'a', 0);
    locks.tryLockBatch(GROUP, [mq(0)], 'a', 50_000);
    expect(locks.tryLockBatch(GROUP, [mq(0)], 'b', 100_000)).toHaveLength(0);
  });

  it('keeps groups apart', () => {
    const locks = new RebalanceLockManager();
    expect(locks.tryLockBatch('g1', [mq(0)], 'a')).toHaveLength(1);
    expect(locks.tryLockBatch('g2', [mq(0)], 'b')).toHaveLength(1);
  });
});
