import { afterEach, describe, expect, it } from '@jest/globals';
import { decodeMessageRecords } from '../../../lib/message/index.js';
import { PullSysFlag, ResponseCode } from '../../../lib/remoting/index.js';
import { heartbeat, pull, sendV2, startBundled } from './broker-test-kit.js';

const BROKER = '127.0.0.1:10911';
const SUSPEND = PullSysFlag.SUSPEND | PullSysFlag.SUBSCRIPTION;

describe('PullMessageProcessor', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('answers FOUND, OFFSET_OVERFLOW_ONE, OFFSET_MOVED with RocketMQ codes and headers', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    for (let i = 0; i < 3; i++) await kit.client.invoke(BROKER, sendV2('P', `m${i}`), 3000);
    const found = await kit.client.invoke(BROKER, pull('P', 0, 1), 3000);
    expect(found.code).toBe(ResponseCode.SUCCESS);
    expect(found.remark).toBe('FOUND');
    expect(found.extFields).toEqual({ suggestWhichBrokerId: '0', nextBeginOffset: '3', minOffset: '0', maxOffset: '3' });
    expect(decodeMessageRecords(found.body!).map((m) => m.body.toString())).toEqual(['m1', 'm2']);

    const none = await kit.client.invoke(BROKER, pull('P', 0, 3), 3000);
    expect(none.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(none.remark).toBe('OFFSET_OVERFLOW_ONE');
    expect(none.extFields.nextBeginOffset).toBe('3');

    const badly = await kit.client.invoke(BROKER, pull('P', 0, 10), 3000);
    expect(badly.code).toBe(ResponseCode.PULL_OFFSET_MOVED);
    expect(badly.remark).toBe('OFFSET_OVERFLOW_BADLY');
    expect(badly.extFields.nextBeginOffset).toBe('3');

    const emptyMoved = await kit.client.invoke(BROKER, pull('P', 1, 5), 3000);
    expect(emptyMoved.code).toBe(ResponseCode.PULL_OFFSET_MOVED);
    expect(emptyMoved.extFields.nextBeginOffset).toBe('0');

    const empty = await kit.client.invoke(BROKER, pull('P', 1, 0), 3000);
    expect(empty.code).toBe(ResponseCode.PULL_NOT_FOUND);

    const badQueue = await kit.client.invoke(BROKER, pull('P', 7, 0), 3000);
    expect(badQueue.code).toBe(ResponseCode.INVALID_PARAMETER);
  });

  it('filters by tag hash on the broker and retries immediately past non-matching messages', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    await kit.client.invoke(BROKER, sendV2('Tags', 'a', { tags: 'TagA' }), 3000);
    await kit.client.invoke(BROKER, sendV2('Tags', 'b', { tags: 'TagB' }), 3000);
    await kit.client.invoke(BROKER, sendV2('Tags', 'none'), 3000);
    await kit.client.invoke(BROKER, sendV2('Tags', 'c', { tags: 'TagC' }), 3000);
    const bc = await kit.client.invoke(BROKER, pull('Tags', 0, 0, { subscription: 'TagB||TagC' }), 3000);
    expect(decodeMessageRecords(bc.body!).map((m) => m.body.toString())).toEqual(['b', 'c']);
    const all = await kit.client.invoke(BROKER, pull('Tags', 0, 0, { subscription: '*' }), 3000);
    expect(decodeMessageRecords(all.body!)).toHaveLength(4);
    const noMatch = await kit.client.invoke(BROKER, pull('Tags', 0, 0, { subscription: 'TagZ' }), 3000);
    expect(noMatch.code).toBe(ResponseCode.PULL_RETRY_IMMEDIATELY);
    expect(noMatch.remark).toBe('NO_MATCHED_MESSAGE');
    expect(noMatch.extFields.nextBeginOffset).toBe('4');
  });

  it('uses the heartbeat subscription when the pull carries none, and refuses unknown groups', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    await kit.client.invoke(BROKER, sendV2('Sub', 'a', { tags: 'A' }), 3000);
    await kit.client.invoke(BROKER, sendV2('Sub', 'b', { tags: 'B' }), 3000);
    const unknown = await kit.client.invoke(BROKER, pull('Sub', 0, 0, { sysFlag: 0, group: 'G1' }), 3000);
    expect(unknown.code).toBe(ResponseCode.SUBSCRIPTION_NOT_EXIST);
    await kit.client.invoke(BROKER, heartbeat('c1', 'G1', 'Sub', 'B'), 3000);
    const response = await kit.client.invoke(BROKER, pull('Sub', 0, 0, { sysFlag: 0, group: 'G1' }), 3000);
    expect(decodeMessageRecords(response.body!).map((m) => m.body.toString())).toEqual(['b']);
  });

  it('stores commitOffset when the COMMIT_OFFSET flag is set', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    await kit.client.invoke(BROKER, sendV2('C', 'x'), 3000);
    await kit.client.invoke(BROKER, pull('C', 0, 0, { sysFlag: PullSysFlag.SUBSCRIPTION | PullSysFlag.COMMIT_OFFSET, commitOffset: 7 }), 3000);
    expect(kit.mq.brokerController.consumerOffsetManager.queryOffset('CID_TEST', 'C', 0)).toBe(7);
  });

  it('holds a pull and wakes it within a few ms when a message arrives', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    await kit.client.invoke(BROKER, sendV2('LP', 'first'), 3000);
    const started = Date.now();
    const held = kit.client.invoke(BROKER, pull('LP', 0, 1, { sysFlag: SUSPEND, suspendTimeoutMillis: 10000 }), 30000);
    await new Promise((r) => setTimeout(r, 20));
    expect(kit.mq.brokerController.pullRequestHoldService.size).toBe(1);
    const sentAt = Date.now();
    await kit.client.invoke(BROKER, sendV2('LP', 'second'), 3000);
    const response = await held;
    const wokeAt = Date.now();
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(decodeMessageRecords(response.body!).map((m) => m.body.toString())).toEqual(['second']);
    // Woken by the arrival, not by the 5 s check or the 15 s suspend timeout; the bound leaves room for a loaded CI.
    expect(wokeAt - sentAt).toBeLessThan(500);
    expect(wokeAt - started).toBeLessThan(1000);
    expect(kit.mq.brokerController.pullRequestHoldService.size).toBe(0);
  });

  it('keeps a held pull waiting when the arriving message does not match its tags', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const held = kit.client.invoke(BROKER, pull('LPT', 0, 0, { sysFlag: SUSPEND, subscription: 'Wanted', suspendTimeoutMillis: 10000 }), 30000);
    await new Promise((r) => setTimeout(r, 10));
    await kit.client.invoke(BROKER, sendV2('LPT', 'other', { tags: 'Other' }), 3000);
    await new Promise((r) => setTimeout(r, 10));
    expect(kit.mq.brokerController.pullRequestHoldService.size).toBe(1);
    await kit.client.invoke(BROKER, sendV2('LPT', 'wanted', { tags: 'Wanted' }), 3000);
    const response = await held;
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(decodeMessageRecords(response.body!).map((m) => m.body.toString())).toEqual(['wanted']);
  });

  it('answers PULL_NOT_FOUND with the requested offset when the suspend time passes', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    await kit.client.invoke(BROKER, sendV2('TO', 'x'), 3000);
    const started = Date.now();
    const response = await kit.client.invoke(BROKER, pull('TO', 0, 1, { sysFlag: SUSPEND, suspendTimeoutMillis: 150 }), 30000);
    const elapsed = Date.now() - started;
    expect(response.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(response.extFields.nextBeginOffset).toBe('1');
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1000);
  });

  it('lets consumers wait on a topic that does not exist yet, woken by the send that creates it', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const held = kit.client.invoke(BROKER, pull('Future', 2, 0, { sysFlag: SUSPEND, suspendTimeoutMillis: 10000 }), 30000);
    await new Promise((r) => setTimeout(r, 10));
    await kit.client.invoke(BROKER, sendV2('Future', 'born', { queueId: 2 }), 3000);
    const response = await held;
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(decodeMessageRecords(response.body!)[0].body.toString()).toBe('born');
  });

  it('answers every held pull at once on shutdown', async () => {
    const kit = await startBundled();
    const held = [0, 1, 2].map((q) => kit.client.invoke(BROKER, pull('SD', q, 0, { sysFlag: SUSPEND, suspendTimeoutMillis: 60000 }), 30000));
    await new Promise((r) => setTimeout(r, 10));
    expect(kit.mq.brokerController.pullRequestHoldService.size).toBe(3);
    const started = Date.now();
    await kit.mq.shutdown();
    const responses = await Promise.all(held);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(responses.map((r) => r.code)).toEqual([ResponseCode.PULL_NOT_FOUND, ResponseCode.PULL_NOT_FOUND, ResponseCode.PULL_NOT_FOUND]);
    kit.client.shutdown();
  });

  it('holds for shortPollingTimeMills when long polling is off', async () => {
    const kit = await startBundled({ broker: { longPollingEnable: false, shortPollingTimeMills: 100 } });
    stop = kit.stop;
    const started = Date.now();
    const response = await kit.client.invoke(BROKER, pull('SP', 0, 0, { sysFlag: SUSPEND, suspendTimeoutMillis: 15000 }), 30000);
    expect(response.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
