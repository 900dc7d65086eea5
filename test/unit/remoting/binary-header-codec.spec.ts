import { describe, expect, it } from '@jest/globals';
import {
  RemotingCommand,
  RemotingFrameDecoder,
  encodeRemotingCommand,
  rocketmqHeaderBound,
  rocketmqHeaderLength,
  writeRocketmqHeader,
} from '../../../lib/remoting/index.js';
import { planRemotingFrame } from '../../../lib/remoting/tcp/remoting-frame-encoder.js';

function decodeOne(frame: Buffer): RemotingCommand {
  const out = new RemotingFrameDecoder().push(frame);
  expect(out).toHaveLength(1);
  return out[0];
}

/** The header layout of RocketMQSerializable, written field by field with Buffer's own UTF-8 encoder. */
function referenceHeader(cmd: RemotingCommand): Buffer {
  const parts: Buffer[] = [];
  const fixed = Buffer.alloc(13);
  fixed.writeInt16BE(cmd.code, 0);
  fixed.writeUInt8(0, 2);
  fixed.writeInt16BE(cmd.version, 3);
  fixed.writeInt32BE(cmd.opaque, 5);
  fixed.writeInt32BE(cmd.flag, 9);
  parts.push(fixed);
  const remark = Buffer.from(cmd.remark ?? '', 'utf8');
  parts.push(int32(remark.length), remark);
  const ext: Buffer[] = [];
  for (const [key, value] of Object.entries(cmd.extFields)) {
    const k = Buffer.from(key, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const kl = Buffer.alloc(2);
    kl.writeUInt16BE(k.length, 0);
    ext.push(kl, k, int32(v.length), v);
  }
  const extBytes = Buffer.concat(ext);
  parts.push(int32(extBytes.length), extBytes);
  return Buffer.concat(parts);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
}

const TRICKY: Record<string, string> = {
  a: 'x',
  ascii: 'UNIQ_KEY\u0001AC110001000078A1B2C3D4E5F60000\u0002WAIT\u0001true\u0002TAGS\u0001created\u0002',
  'clé': 'valeur accentuée',
  long: 'é'.repeat(40) + 'z'.repeat(100),
  emoji: 'ok ✓ 🚀',
  lone: 'a\ud800b',
  empty: '',
  latin1: '\u00ff\u0080',
};

describe('binary (ROCKETMQ) header codec', () => {
  it('writes the same bytes as a field-by-field reference encoder', () => {
    const cmd = RemotingCommand.createRequest(310, TRICKY, Buffer.from('body'));
    cmd.opaque = 123456;
    cmd.remark = 'remarque ✓';
    const length = rocketmqHeaderLength(cmd);
    const header = Buffer.alloc(length);
    expect(writeRocketmqHeader(cmd, header, 0)).toBe(length);
    expect(header.equals(referenceHeader(cmd))).toBe(true);
    expect(rocketmqHeaderBound(cmd)).toBeGreaterThanOrEqual(length);
  });

  it('round-trips non-ASCII, long, empty and lone-surrogate values', () => {
    const cmd = RemotingCommand.createRequest(310, TRICKY, Buffer.from('body'));
    const decoded = decodeOne(encodeRemotingCommand(cmd, 'ROCKETMQ'));
    expect(decoded.extFields).toEqual({ ...TRICKY, lone: 'a\ufffdb' });
    expect(decoded.body?.toString()).toBe('body');
  });

  it('writes into a shared buffer exactly what encodeRemotingCommand produces', () => {
    for (const type of ['JSON', 'ROCKETMQ'] as const) {
      const cmd = RemotingCommand.createRequest(310, TRICKY, Buffer.alloc(100, 7));
      cmd.remark = 'r ✓';
      const plan = planRemotingFrame(cmd, type);
      const target = Buffer.alloc(plan.bound + 10, 0xee);
      const end = plan.write(target, 10);
      expect(target.subarray(10, end).equals(encodeRemotingCommand(cmd, type))).toBe(true);
    }
  });

  it('leaves bodies from the threshold on out of the planned frame', () => {
    const cmd = RemotingCommand.createRequest(11, { topic: 'T' }, Buffer.alloc(5000));
    const plan = planRemotingFrame(cmd, 'ROCKETMQ');
    expect(plan.bodyIncluded).toBe(false);
    const head = Buffer.alloc(plan.bound);
    const end = plan.write(head, 0);
    const whole = encodeRemotingCommand(cmd, 'ROCKETMQ');
    expect(Buffer.concat([head.subarray(0, end), cmd.body!]).equals(whole)).toBe(true);
  });
});
