import { describe, expect, it } from '@jest/globals';
import {
  RemotingCommand,
  RemotingFrameDecoder,
  RemotingFrameError,
  RequestCode,
  encodeRemotingCommand,
} from '../../../lib/remoting/index.js';

const EXAMPLE_1_HEADER =
  '{"code":105,"extFields":{"topic":"T"},"flag":0,"language":"JAVA","opaque":7,"serializeTypeCurrentRPC":"JSON","version":479}';
const EXAMPLE_2_HEX =
  '00000025' + '01000021' + '0069' + '00' + '01df' + '00000007' + '00000000' + '00000000' + '0000000c' + '0005' + '746f706963' + '00000001' + '54';

function routeRequest(): RemotingCommand {
  const cmd = RemotingCommand.createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T' });
  cmd.opaque = 7;
  return cmd;
}

function jsonFrame(header: string, body?: Buffer): Buffer {
  const headerBytes = Buffer.from(header, 'utf8');
  const frame = Buffer.alloc(8 + headerBytes.length + (body?.length ?? 0));
  frame.writeInt32BE(4 + headerBytes.length + (body?.length ?? 0), 0);
  frame.writeInt32BE(headerBytes.length, 4);
  headerBytes.copy(frame, 8);
  body?.copy(frame, 8 + headerBytes.length);
  return frame;
}

function decodeOne(frame: Buffer): RemotingCommand {
  const out = new RemotingFrameDecoder(16 * 1024 * 1024).push(frame);
  expect(out).toHaveLength(1);
  return out[0];
}

function sendV2(): RemotingCommand {
  const cmd = RemotingCommand.createRequest(
    RequestCode.SEND_MESSAGE_V2,
    {
      a: 'pg',
      b: 'TopicTest',
      c: 'TBW102',
      d: 4,
      e: 3,
      f: 0,
      g: 1700000000000,
      h: 0,
      i: 'UNIQ_KEY\u0001AC1100010000\u0002WAIT\u0001true\u0002',
      j: 0,
      k: false,
      m: false,
      n: 'broker-a',
    },
    Buffer.from('héllo body', 'utf8'),
  );
  cmd.opaque = 42;
  return cmd;
}

describe('remoting frame codec', () => {
  it('encodes reference example 1 (JSON GET_ROUTEINFO_BY_TOPIC) byte for byte', () => {
    const frame = encodeRemotingCommand(routeRequest(), 'JSON');
    expect(frame.subarray(0, 8).toString('hex')).toBe('0000007f0000007b');
    expect(frame.subarray(8).toString('utf8')).toBe(EXAMPLE_1_HEADER);
  });

  it('decodes reference example 1', () => {
    const cmd = decodeOne(jsonFrame(EXAMPLE_1_HEADER));
    expect(cmd.code).toBe(105);
    expect(cmd.language).toBe('JAVA');
    expect(cmd.version).toBe(479);
    expect(cmd.opaque).toBe(7);
    expect(cmd.flag).toBe(0);
    expect(cmd.extFields).toEqual({ topic: 'T' });
    expect(cmd.body).toBeUndefined();
  });

  it('encodes reference example 2 (ROCKETMQ binary) byte for byte and decodes it', () => {
    expect(encodeRemotingCommand(routeRequest(), 'ROCKETMQ').toString('hex')).toBe(EXAMPLE_2_HEX);
    const cmd = decodeOne(Buffer.from(EXAMPLE_2_HEX, 'hex'));
    expect(cmd).toMatchObject({ code: 105, language: 'JAVA', version: 479, opaque: 7, flag: 0, extFields: { topic: 'T' } });
    expect(cmd.remark).toBeUndefined();
  });

  it.each(['JSON', 'ROCKETMQ'] as const)('round-trips a SEND_MESSAGE_V2 request in %s', (type) => {
    const original = sendV2();
    const cmd = decodeOne(encodeRemotingCommand(original, type));
    expect(cmd.code).toBe(310);
    expect(cmd.opaque).toBe(42);
    expect(cmd.extFields).toEqual(original.extFields);
    expect(cmd.extFields.g).toBe('1700000000000');
    expect(cmd.extFields.k).toBe('false');
    expect(cmd.body?.toString('utf8')).toBe('héllo body');
  });

  it.each(['JSON', 'ROCKETMQ'] as const)('round-trips a response with a non-ASCII remark in %s', (type) => {
    const response = RemotingCommand.createResponse(1, 'boom "quoted" \n ünïcode ✓', { offset: 5 });
    response.opaque = 9;
    const cmd = decodeOne(encodeRemotingCommand(response, type));
    expect(cmd.isResponse()).toBe(true);
    expect(cmd.remark).toBe('boom "quoted" \n ünïcode ✓');
    expect(cmd.extFields).toEqual({ offset: '5' });
  });

  it('writes the fastjson field order with remark and without empty extFields', () => {
    const response = RemotingCommand.createResponse(17, 'No topic route info');
    response.opaque = 3;
    expect(encodeRemotingCommand(response, 'JSON').subarray(8).toString()).toBe(
      '{"code":17,"flag":1,"language":"JAVA","opaque":3,"remark":"No topic route info","serializeTypeCurrentRPC":"JSON","version":479}',
    );
  });

  it('accepts JSON headers whose ext values are numbers, booleans and nulls', () => {
    const cmd = decodeOne(
      jsonFrame('{"code":"14","language":"GO","opaque":1,"flag":0,"version":317,"extFields":{"queueId":0,"setZeroIfNotFound":false,"topic":"T","x":null,"o":{"a":1}}}'),
    );
    expect(cmd.code).toBe(14);
    expect(cmd.language).toBe('GO');
    expect(cmd.extFields).toEqual({ queueId: '0', setZeroIfNotFound: 'false', topic: 'T', o: '{"a":1}' });
  });

  it('decodes a frame split byte by byte and several frames in one chunk', () => {
    const frames = [encodeRemotingCommand(sendV2(), 'JSON'), encodeRemotingCommand(routeRequest(), 'ROCKETMQ'), encodeRemotingCommand(sendV2(), 'ROCKETMQ')];
    const all = Buffer.concat(frames);
    const byteByByte = new RemotingFrameDecoder(1024);
    const decoded: RemotingCommand[] = [];
    for (let i = 0; i < all.length; i++) decoded.push(...byteByByte.push(all.subarray(i, i + 1)));
    expect(decoded.map((c) => c.code)).toEqual([310, 105, 310]);
    expect(decoded[2].body?.toString()).toBe('héllo body');

    const coalesced = new RemotingFrameDecoder(1024).push(Buffer.concat([all, all]));
    expect(coalesced.map((c) => c.code)).toEqual([310, 105, 310, 310, 105, 310]);

    // Arbitrary cuts, including inside the length prefix.
    const cuts = new RemotingFrameDecoder(1024);
    const parts = [all.subarray(0, 2), all.subarray(2, 11), all.subarray(11, 200), all.subarray(200)];
    expect(parts.flatMap((p) => cuts.push(p)).map((c) => c.code)).toEqual([310, 105, 310]);
  });

  it('keeps an empty body undefined and a large body intact', () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const cmd = RemotingCommand.createRequest(10, { topic: 'T' }, big);
    const decoded = decodeOne(encodeRemotingCommand(cmd, 'ROCKETMQ'));
    expect(decoded.body?.equals(big)).toBe(true);
  });

  describe('malformed frames', () => {
    const cases: Array<[string, Buffer]> = [
      ['an absurd length', Buffer.from('7fffffff00000000', 'hex')],
      ['a length below 4', Buffer.from('0000000200000000', 'hex')],
      ['a negative header length word', Buffer.from('00000008ffffffff00000000', 'hex')],
      ['a header longer than the frame', Buffer.from('0000000800000010' + '7b7d7b7d', 'hex')],
      ['invalid JSON', jsonFrame('{"code":')],
      ['a JSON array header', jsonFrame('[1,2]')],
      ['a truncated binary header', Buffer.from('0000000a01000006006900000100', 'hex')],
      ['a binary ext length past the header', Buffer.from(EXAMPLE_2_HEX.replace('0000000c0005', '000000ff0005'), 'hex')],
    ];
    it.each(cases)('rejects %s with RemotingFrameError and stays failed', (_name, frame) => {
      const decoder = new RemotingFrameDecoder(1024 * 1024);
      expect(() => decoder.push(frame)).toThrow(RemotingFrameError);
      expect(() => decoder.push(encodeRemotingCommand(routeRequest(), 'JSON'))).toThrow(RemotingFrameError);
    });

    it('refuses a frame over maxFrameLength as soon as its length arrives', () => {
      const decoder = new RemotingFrameDecoder(1000);
      const header = Buffer.alloc(8);
      header.writeInt32BE(1001, 0);
      expect(() => decoder.push(header)).toThrow(/exceeds the maximum of 1000/);
    });
  });
});
