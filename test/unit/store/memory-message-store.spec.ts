import { describe, expect, it } from '@jest/globals';
import { decodeMessageRecord, javaStringHashCode, MessageSysFlag } from '../../../lib/message/index.js';
import {
  GetMessageStatus,
  MemoryMessageStore,
  MessageExtBrokerInner,
  PutMessageStatus,
} from '../../../lib/store/index.js';

function inner(overrides: Partial<MessageExtBrokerInner> = {}): MessageExtBrokerInner {
  return {
    topic: 'T',
    queueId: 0,
    flag: 0,
    body: Buffer.from('hello'),
    propertiesString: 'TAGS\u0001A',
    tagsCode: javaStringHashCode('A'),
    sysFlag: 0,
    bornTimestamp: Date.now(),
    bornHost: '127.0.0.1:50000',
    storeHost: '127.0.0.1:10911',
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    ...overrides,
  };
}

function started(config = {}): MemoryMessageStore {
  const store = new MemoryMessageStore(config);
  store.start();
  return store;
}

describe('MemoryMessageStore', () => {
  it('assigns queue offsets per queue and physical offsets as the running sum of record sizes', () => {
    const store = started();
    const a = store.putMessage(inner());
    const b = store.putMessage(inner({ queueId: 1 }));
    const c = store.putMessage(inner());
    expect(a.status).toBe(PutMessageStatus.PUT_OK);
    expect([a.logicsOffset, b.logicsOffset, c.logicsOffset]).toEqual([0, 0, 1]);
    expect(a.wroteOffset).toBe(0);
    expect(b.wroteOffset).toBe(a.wroteBytes);
    expect(c.wroteOffset).toBe(a.wroteBytes + b.wroteBytes);
    expect(a.msgId).toBe('7F00000100002A9F0000000000000000');
    const ext = store.lookMessageByOffset(c.wroteOffset)!;
    expect(ext.queueOffset).toBe(1);
    expect(ext.commitLogOffset).toBe(c.wroteOffset);
    expect(ext.storeTimestamp).toBe(c.storeTimestamp);
    expect(store.getMaxOffsetInQueue('T', 0)).toBe(2);
    expect(store.getMaxOffsetInQueue('T', 9)).toBe(0);
    expect(store.getMaxPhyOffset()).toBe(c.wroteOffset + c.wroteBytes);
  });

  it('keeps records readable across segment rolls', () => {
    const store = started();
    const body = Buffer.alloc(100 * 1024, 7);
    const results = Array.from({ length: 10 }, () => store.putMessage(inner({ body })));
    for (const r of results) {
      const record = store.selectOneMessageByOffset(r.wroteOffset)!;
      expect(record.length).toBe(r.wroteBytes);
      expect(decodeMessageRecord(record).body.equals(body)).toBe(true);
    }
  });

  it('stores prepared and rolled-back transaction messages without indexing them', () => {
    const store = started();
    const prepared = store.putMessage(inner({ sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE }));
    store.putMessage(inner({ sysFlag: MessageSysFlag.TRANSACTION_ROLLBACK_TYPE }));
    expect(prepared.status).toBe(PutMessageStatus.PUT_OK);
    expect(store.getMaxOffsetInQueue('T', 0)).toBe(0);
    expect(store.lookMessageByOffset(prepared.wroteOffset)?.topic).toBe('T');
    const committed = store.putMessage(inner({ sysFlag: MessageSysFlag.TRANSACTION_COMMIT_TYPE }));
    expect(committed.logicsOffset).toBe(0);
    expect(store.getMaxOffsetInQueue('T', 0)).toBe(1);
  });

  it('rejects records above maxMessageSize with MESSAGE_ILLEGAL and a remark naming both sizes', () => {
    const store = started({ maxMessageSize: 1024 });
    const result = store.putMessage(inner({ body: Buffer.alloc(2000) }));
    expect(result.status).toBe(PutMessageStatus.MESSAGE_ILLEGAL);
    expect(result.remark).toContain('1024');
    expect(store.getMaxPhyOffset()).toBe(0);
  });

  it('refuses puts before start', () => {
    expect(new MemoryMessageStore().putMessage(inner()).status).toBe(PutMessageStatus.SERVICE_NOT_AVAILABLE);
  });

  it('puts a batch into consecutive queue offsets with comma-joined message ids', () => {
    const store = started();
    store.putMessage(inner());
    const result = store.putMessages([inner(), inner(), inner()]);
    expect(result.msgNum).toBe(3);
    expect(result.logicsOffset).toBe(1);
    expect(result.msgId.split(',')).toHaveLength(3);
    expect(store.getMaxOffsetInQueue('T', 0)).toBe(4);
  });

  it('answers getMessage with RocketMQ statuses and nextBeginOffset rules', () => {
    const store = started();
    expect(store.getMessage('g', 'T', 0, 5, 32, 1 << 30)).toMatchObject({
      status: GetMessageStatus.NO_MATCHED_LOGIC_QUEUE,
      nextBeginOffset: 0,
    });
    for (let i = 0; i < 5; i++) store.putMessage(inner());
    const found = store.getMessage('g', 'T', 0, 1, 2, 1 << 30);
    expect(found.status).toBe(GetMessageStatus.FOUND);
    expect(found.messages).toHaveLength(2);
    expect(found.nextBeginOffset).toBe(3);
    expect(found.minOffset).toBe(0);
    expect(found.maxOffset).toBe(5);
    expect(decodeMessageRecord(found.messages[0]).queueOffset).toBe(1);
    expect(store.getMessage('g', 'T', 0, 5, 32, 1 << 30)).toMatchObject({
      status: GetMessageStatus.OFFSET_OVERFLOW_ONE,
      nextBeginOffset: 5,
    });
    expect(store.getMessage('g', 'T', 0, 9, 32, 1 << 30)).toMatchObject({
      status: GetMessageStatus.OFFSET_OVERFLOW_BADLY,
      nextBeginOffset: 5,
    });
  });

  it('caps one getMessage at maxTransferCountOnMessageInMemory messages', () => {
    const store = started();
    for (let i = 0; i < 40; i++) store.putMessage(inner());
    const result = store.getMessage('g', 'T', 0, 0, 64, 1 << 30);
    expect(result.messages).toHaveLength(32);
    expect(result.nextBeginOffset).toBe(32);
  });

  it('filters by tag hash and scans a bounded number of entries per call', () => {
    const store = started();
    const b = javaStringHashCode('B');
    for (let i = 0; i < 1000; i++) store.putMessage(inner());
    store.putMessage(inner({ tagsCode: b, propertiesString: 'TAGS\u0001B' }));
    const filter = { isMatchedByConsumeQueue: (code: number) => code === b };
    const first = store.getMessage('g', 'T', 0, 0, 32, 1 << 30, filter);
    expect(first.status).toBe(GetMessageStatus.NO_MATCHED_MESSAGE);
    expect(first.nextBeginOffset).toBe(800);
    const second = store.getMessage('g', 'T', 0, first.nextBeginOffset, 32, 1 << 30, filter);
    expect(second.status).toBe(GetMessageStatus.FOUND);
    expect(second.messages).toHaveLength(1);
    expect(second.nextBeginOffset).toBe(1001);
    const byCommitLog = store.getMessage('g', 'T', 0, 1000, 32, 1 << 30, {
      isMatchedByConsumeQueue: () => true,
      isMatchedByCommitLog: () => false,
    });
    expect(byCommitLog.status).toBe(GetMessageStatus.NO_MATCHED_MESSAGE);
  });

  it('finds offsets by store time (lower and upper boundaries) and the earliest store time', () => {
    const store = started();
    const realNow = Date.now;
    const times = [1000, 1000, 2000, 3000, 3000, 5000];
    try {
      for (const t of times) {
        Date.now = () => t;
        store.putMessage(inner());
      }
    } finally {
      Date.now = realNow;
    }
    expect(store.getOffsetInQueueByTime('T', 0, 500)).toBe(0);
    expect(store.getOffsetInQueueByTime('T', 0, 1000)).toBe(0);
    expect(store.getOffsetInQueueByTime('T', 0, 1000, 'upper')).toBe(1);
    expect(store.getOffsetInQueueByTime('T', 0, 2500)).toBe(3);
    expect(store.getOffsetInQueueByTime('T', 0, 2500, 'upper')).toBe(2);
    expect(store.getOffsetInQueueByTime('T', 0, 3000)).toBe(3);
    expect(store.getOffsetInQueueByTime('T', 0, 9000)).toBe(6);
    expect(store.getOffsetInQueueByTime('T', 0, 9000, 'upper')).toBe(5);
    expect(store.getOffsetInQueueByTime('nope', 0, 9000)).toBe(0);
    expect(store.getEarliestMessageTime('T', 0)).toBe(1000);
    expect(store.getEarliestMessageTime('T', 3)).toBe(-1);
    expect(store.getMessageStoreTimeStamp('T', 0, 2)).toBe(2000);
    expect(store.getMessageStoreTimeStamp('T', 0, 6)).toBe(-1);
  });

  it('checks whether a consume offset is still held', () => {
    const store = started();
    expect(store.checkInMemByConsumeOffset('T', 0, 0, 1)).toBe(false);
    store.putMessage(inner());
    expect(store.checkInMemByConsumeOffset('T', 0, 0, 1)).toBe(true);
    expect(store.checkInMemByConsumeOffset('T', 0, 1, 1)).toBe(false);
  });

  it('calls the arrival listener after each ConsumeQueue dispatch', () => {
    const store = started();
    const seen: unknown[][] = [];
    store.setMessageArrivingListener((...args) => seen.push(args));
    const r = store.putMessage(inner({ queueId: 2 }));
    store.putMessage(inner({ sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE }));
    expect(seen).toEqual([['T', 2, 0, javaStringHashCode('A'), r.storeTimestamp, 'TAGS\u0001A']]);
  });

  it('finds messages by key and by UNIQ_KEY among 20,000, newest first, at most 64, within the time range', () => {
    const store = started();
    const offsets: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const keys = i % 200 === 0 ? 'hot' : `k${i}`;
      offsets.push(store.putMessage(inner({ queueId: i % 4, propertiesString: `KEYS\u0001${keys}\u0002UNIQ_KEY\u0001U${i}\u0002` })).wroteOffset);
    }
    const at = (key: string, maxNum = 64, topic = 'T') =>
      store.queryMessage(topic, key, maxNum, 0, Number.MAX_SAFE_INTEGER).messages.map((m) => decodeMessageRecord(m).commitLogOffset);
    for (const i of [1, 4_321, 12_345, 19_999]) {
      expect(at(`k${i}`)).toEqual([offsets[i]]);
      expect(at(`U${i}`)).toEqual([offsets[i]]);
    }
    // 100 messages share the key "hot": the 64 newest, newest first.
    const hot = offsets.filter((_, i) => i % 200 === 0).reverse();
    expect(at('hot', 1000)).toEqual(hot.slice(0, 64));
    expect(at('hot', 3)).toEqual(hot.slice(0, 3));
    expect(at('missing')).toEqual([]);
    expect(at('k1', 64, 'Other')).toEqual([]);
    // Outside the time range: nothing.
    expect(store.queryMessage('T', 'k1', 64, 0, 1).messages).toHaveLength(0);
  });
});
