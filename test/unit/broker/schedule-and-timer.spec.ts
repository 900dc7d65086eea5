import { afterEach, describe, expect, it } from '@jest/globals';
import { decodeMessageRecords, MessageExt } from '../../../lib/message/index.js';
import { PullSysFlag, RemotingCommand, ResponseCode } from '../../../lib/remoting/index.js';
import { BundledRocketMQ, RocketMQBrokerConfigError, TimerMessageService } from '../../../lib/broker/index.js';
import { pull, sendV2, startBundled } from './broker-test-kit.js';

const BROKER = '127.0.0.1:10911';
const LEVELS = '50ms 100ms 150ms 200ms 250ms 300ms 350ms 400ms 450ms 500ms 1s 1s 1s 1s 1s 1s 1s 1s';

type Kit = Awaited<ReturnType<typeof startBundled>>;

/** Long-polls queue 0 of `topic` until `count` messages arrived, noting when each one did. */
async function receive(kit: Kit, topic: string, count: number, timeoutMillis = 3000): Promise<Array<{ msg: MessageExt; at: number }>> {
  const got: Array<{ msg: MessageExt; at: number }> = [];
  let offset = 0;
  const deadline = Date.now() + timeoutMillis;
  while (got.length < count && Date.now() < deadline) {
    const r = await kit.client.invoke(BROKER, pull(topic, 0, offset, { sysFlag: PullSysFlag.SUBSCRIPTION | PullSysFlag.SUSPEND, suspendTimeoutMillis: 500 }), 3000);
    if (r.code === ResponseCode.SUCCESS) {
      const at = Date.now();
      for (const msg of decodeMessageRecords(r.body!)) got.push({ msg, at });
      offset = Number(r.extFields.nextBeginOffset);
    }
  }
  return got;
}

describe('ScheduleMessageService and TimerMessageService', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('refuses a bad messageDelayLevel with RocketMQBrokerConfigError', () => {
    expect(() => new BundledRocketMQ({ broker: { messageDelayLevel: '1s 5x' } })).toThrow(RocketMQBrokerConfigError);
    expect(() => new BundledRocketMQ({ broker: { messageDelayLevel: '' } })).toThrow(/messageDelayLevel/);
  });

  it('parks a level-2 message in SCHEDULE_TOPIC_XXXX and delivers it 100 ms later, same msgId, order kept', async () => {
    const kit = await startBundled({ broker: { messageDelayLevel: LEVELS } });
    stop = kit.stop;
    const sentAt = Date.now();
    const sends = [];
    for (let i = 0; i < 5; i++) sends.push(await kit.client.invoke(BROKER, sendV2('Delayed', `m${i}`, { tags: 'T', properties: { DELAY: '2', KEYS: `k${i}` } }), 3000));
    expect(sends.every((s) => s.code === ResponseCode.SUCCESS)).toBe(true);
    // Invisible to consumers of the real topic until due.
    const early = await kit.client.invoke(BROKER, pull('Delayed', 0, 0), 3000);
    expect(early.code).not.toBe(ResponseCode.SUCCESS);
    const store = kit.mq.brokerController.messageStore;
    expect(store.getMaxOffsetInQueue('SCHEDULE_TOPIC_XXXX', 1)).toBe(5);
    const entry = store.getConsumeQueueEntry('SCHEDULE_TOPIC_XXXX', 1, 0)!;
    // The ConsumeQueue's tagsCode holds the due time.
    expect(entry.tagsCode).toBeGreaterThanOrEqual(sentAt + 100);
    expect(entry.tagsCode).toBeLessThan(Date.now() + 100);
    const parkedMsgs = decodeMessageRecords(store.selectOneMessageByOffset(entry.phyOffset)!);
    expect(parkedMsgs[0].properties).toMatchObject({ REAL_TOPIC: 'Delayed', REAL_QID: '0', DELAY: '2' });

    const got = await receive(kit, 'Delayed', 5);
    expect(got.map((g) => g.msg.body.toString())).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(got[0].at - sentAt).toBeGreaterThanOrEqual(100);
    expect(got[0].at - sentAt).toBeLessThan(300);
    for (const { msg } of got) {
      expect(msg.storeTimestamp - msg.bornTimestamp).toBeGreaterThanOrEqual(99);
      expect(msg.properties.DELAY).toBeUndefined();
      expect(msg.properties.TAGS).toBe('T');
    }
    expect(got.map((g) => g.msg.msgId)).toEqual(sends.map((s) => s.extFields.transactionId));
    expect(kit.mq.brokerController.scheduleMessageService.delayOffsetTable.get(2)).toBe(5);
  });

  it('clamps a level above the maximum and re-arms for an earlier arrival', async () => {
    const kit = await startBundled({ broker: { messageDelayLevel: '400ms 60ms' } });
    stop = kit.stop;
    await kit.client.invoke(BROKER, sendV2('Clamp', 'slow', { properties: { DELAY: '1' } }), 3000);
    const t0 = Date.now();
    await kit.client.invoke(BROKER, sendV2('Clamp', 'fast', { properties: { DELAY: '99' } }), 3000);
    const got = await receive(kit, 'Clamp', 2);
    expect(got.map((g) => g.msg.body.toString())).toEqual(['fast', 'slow']);
    expect(got[0].at - t0).toBeGreaterThanOrEqual(60);
    expect(got[0].at - t0).toBeLessThan(250);
  });

  it('timer messages: TIMER_DELAY_MS and TIMER_DELIVER_MS arrive on time, past times at once, too far is refused', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const t0 = Date.now();
    await kit.client.invoke(BROKER, sendV2('Timed', 'in-150ms', { properties: { TIMER_DELAY_MS: '150' } }), 3000);
    await kit.client.invoke(BROKER, sendV2('Timed', 'at-80ms', { properties: { TIMER_DELIVER_MS: String(t0 + 80) } }), 3000);
    await kit.client.invoke(BROKER, sendV2('Timed', 'past', { properties: { TIMER_DELIVER_MS: String(t0 - 1000) } }), 3000);
    const tooFar = await kit.client.invoke(BROKER, sendV2('Timed', 'x', { properties: { TIMER_DELAY_SEC: String(4 * 24 * 3600) } }), 3000);
    expect(tooFar.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(tooFar.remark).toMatch(/max delay 259200000ms/);
    const bad = await kit.client.invoke(BROKER, sendV2('Timed', 'x', { properties: { TIMER_DELAY_MS: 'soon' } }), 3000);
    expect(bad.code).toBe(ResponseCode.MESSAGE_ILLEGAL);

    const got = await receive(kit, 'Timed', 3);
    expect(got.map((g) => g.msg.body.toString())).toEqual(['past', 'at-80ms', 'in-150ms']);
    expect(got[0].at - t0).toBeLessThan(500);
    expect(got[1].at).toBeGreaterThanOrEqual(t0 + 80);
    expect(got[1].at - (t0 + 80)).toBeLessThanOrEqual(100);
    expect(got[2].at - t0).toBeGreaterThanOrEqual(150);
    expect(got[2].at - t0 - 150).toBeLessThanOrEqual(100);
    for (const { msg } of got) {
      expect(Object.keys(msg.properties).filter((k) => k.startsWith('TIMER_') || k.startsWith('REAL_'))).toEqual([]);
    }
    expect(kit.mq.brokerController.timerMessageService.timerProgressOffset).toBe(2);
  });

  it('a DELAY level wins over TIMER_* properties, as in RocketMQ 5', async () => {
    const kit = await startBundled({ broker: { messageDelayLevel: '30ms' } });
    stop = kit.stop;
    await kit.client.invoke(BROKER, sendV2('Both', 'x', { properties: { DELAY: '1', TIMER_DELAY_MS: '5000' } }), 3000);
    const got = await receive(kit, 'Both', 1, 1000);
    expect(got).toHaveLength(1);
    expect(got[0].msg.properties.TIMER_DELAY_MS).toBeUndefined();
  });

  it('10,000 pending timers are all held and scheduled', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const timer: TimerMessageService = kit.mq.brokerController.timerMessageService;
    const base = Date.now() + 60_000;
    const sends: Array<Promise<RemotingCommand>> = [];
    for (let i = 0; i < 10_000; i++) {
      sends.push(kit.client.invoke(BROKER, sendV2('Many', 'x', { properties: { TIMER_DELIVER_MS: String(base + ((i * 7919) % 10_000)) } }), 10_000));
    }
    await Promise.all(sends);
    // What it costs (time, heap) is a benchmark's to measure, not a test's: heap figures depend on when GC ran.
    expect(timer.pendingCount).toBe(10_000);
  });
});
