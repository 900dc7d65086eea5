import { describe, expect, it } from '@jest/globals';
import {
  Message,
  MessageConst,
  UniqueMessageIdGenerator,
  bodyCrc32,
  createOffsetMessageId,
  decodeBatchMessages,
  decodeMessageRecord,
  decodeMessageRecords,
  decodeOffsetMessageId,
  encodeBatchMessages,
  encodeMessageRecord,
  messageProperties2String,
  string2messageProperties,
} from '../../../lib/message/index.js';

/** The quickstart message of seed 003: topic TopicTest, tag TagA, body "Hello RocketMQ n". */
function seedRecord(n: number, commitLogOffset: number) {
  const properties = {
    UNIQ_KEY: '7F000001713C28A418FC549BA11F000' + n,
    CLUSTER: 'DefaultCluster',
    TAGS: 'TagA',
  };
  return encodeMessageRecord({
    topic: 'TopicTest',
    queueId: n % 4,
    flag: 0,
    queueOffset: 0,
    commitLogOffset,
    sysFlag: 0,
    bornTimestamp: 1645064285471,
    bornHost: '10.18.84.51:58279',
    storeTimestamp: 1645064285473,
    storeHost: '10.18.84.51:10911',
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body: Buffer.from(`Hello RocketMQ ${n}`),
    propertiesString: messageProperties2String(properties),
  });
}

describe('stored message layout (seed 003 golden vectors)', () => {
  it('bodyCRC of "Hello RocketMQ 3" is 1032136437', () => {
    expect(bodyCrc32(Buffer.from('Hello RocketMQ 3'))).toBe(1032136437);
  });

  it('stores the quickstart message in 190 bytes, the fourth at CommitLog offset 570', () => {
    let offset = 0;
    const records: Buffer[] = [];
    for (let n = 0; n < 4; n++) {
      const rec = seedRecord(n, offset);
      records.push(rec);
      offset += rec.length;
    }
    expect(records.map((r) => r.length)).toEqual([190, 190, 190, 190]);
    const fourth = decodeMessageRecord(records[3]);
    expect(fourth.commitLogOffset).toBe(570);
    expect(fourth.storeSize).toBe(190);
    expect(fourth.bodyCRC).toBe(1032136437);
    expect(fourth.offsetMsgId).toBe('0A12543300002A9F000000000000023A');
  });

  it('round-trips every field through encode and decode', () => {
    const all = decodeMessageRecords(Buffer.concat([seedRecord(0, 0), seedRecord(1, 190)]));
    expect(all).toHaveLength(2);
    const m = all[1];
    expect(m.topic).toBe('TopicTest');
    expect(m.tags).toBe('TagA');
    expect(m.body.toString()).toBe('Hello RocketMQ 1');
    expect(m.bornHost).toBe('10.18.84.51:58279');
    expect(m.storeHost).toBe('10.18.84.51:10911');
    expect(m.bornTimestamp).toBe(1645064285471);
    expect(m.queueId).toBe(1);
    expect(m.msgId).toBe('7F000001713C28A418FC549BA11F0001');
    expect(m.properties[MessageConst.PROPERTY_CLUSTER]).toBe('DefaultCluster');
  });
});

describe('message ids', () => {
  it('decodes the seed offset message ids to store host and CommitLog offset', () => {
    expect(decodeOffsetMessageId('0A12543300002A9F0000000000000000')).toEqual({
      address: '10.18.84.51:10911',
      commitLogOffset: 0,
    });
    expect(decodeOffsetMessageId('0A12543300002A9F000000000000023A').commitLogOffset).toBe(570);
    expect(createOffsetMessageId('10.18.84.51:10911', 570)).toBe('0A12543300002A9F000000000000023A');
  });

  it('rejects a string that is not an offset message id', () => {
    expect(() => decodeOffsetMessageId('not-an-id')).toThrow(/not an offset message id/);
  });

  it('generates 32-hex-digit unique ids that start with the IP and differ each time', () => {
    const gen = new UniqueMessageIdGenerator(Buffer.from([127, 0, 0, 1]), 0x713c, 0x28a418fc);
    const a = gen.next();
    const b = gen.next();
    expect(a).toMatch(/^7F000001713C28A418FC[0-9A-F]{12}$/);
    expect(a).not.toBe(b);
    expect(parseInt(b.slice(-4), 16) - parseInt(a.slice(-4), 16)).toBe(1);
  });
});

describe('properties and batches', () => {
  it('serializes properties with \\u0001 and \\u0002 and reads both trailing forms', () => {
    const text = messageProperties2String({ KEYS: 'k1 k2', TAGS: 'A' });
    expect(text).toBe('KEYS\u0001k1 k2\u0002TAGS\u0001A');
    expect(string2messageProperties(text + '\u0002')).toEqual({ KEYS: 'k1 k2', TAGS: 'A' });
  });

  it('encodes a SEND_BATCH_MESSAGE body the broker can split again', () => {
    const msgs = [new Message('T', 'one', { tags: 'a' }), new Message('T', 'two', { keys: ['x', 'y'] })];
    const entries = decodeBatchMessages(encodeBatchMessages(msgs));
    expect(entries.map((e) => e.body.toString())).toEqual(['one', 'two']);
    expect(string2messageProperties(entries[1].propertiesString)).toEqual({ KEYS: 'x y' });
  });
});
