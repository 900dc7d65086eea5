import { RemotingCommand } from '../remoting-command.js';
import { readUtf8, utf8Bound, utf8Length, writeUtf8 } from './header-text.js';
import { languageFromCode, languageToCode } from './language-code.js';
import { RemotingFrameError } from './remoting-frame-error.js';

// code(2) language(1) version(2) opaque(4) flag(4) remarkLen(4) extLen(4)
const FIXED_LENGTH = 21;

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

/**
 * Bytes the ROCKETMQ binary header of `cmd` takes (RocketMQSerializable.rocketMQProtocolEncode), so the frame
 * can be allocated once and the header written in place.
 */
export function rocketmqHeaderLength(cmd: RemotingCommand): number {
  let length = FIXED_LENGTH;
  if (cmd.remark) length += utf8Length(cmd.remark);
  const fields = cmd.extFields;
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined || value === null) continue;
    length += 6 + utf8Length(key) + utf8Length(textOf(value));
  }
  return length;
}

/**
 * Bytes the binary header of `cmd` takes at most. Sizing by this bound lets the header be written in one
 * pass without measuring each string first; writeRocketmqHeader says how much it really took.
 */
export function rocketmqHeaderBound(cmd: RemotingCommand): number {
  let bound = FIXED_LENGTH;
  if (cmd.remark) bound += utf8Bound(cmd.remark);
  const fields = cmd.extFields;
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined || value === null) continue;
    bound += 6 + utf8Bound(key) + utf8Bound(textOf(value));
  }
  return bound;
}

/**
 * Writes the binary header at `offset`, returning the offset after it; `target` needs
 * rocketmqHeaderLength (or the looser rocketmqHeaderBound) bytes of room. The code goes out as an int16 like
 * Java's `writeShort`, so codes above 32767 (the 5.x POP codes) are truncated exactly as Java truncates them:
 * such requests have to use JSON.
 */
export function writeRocketmqHeader(cmd: RemotingCommand, target: Buffer, offset: number): number {
  let at = offset;
  const code = cmd.code;
  const version = cmd.version;
  target[at] = code >>> 8;
  target[at + 1] = code;
  target[at + 2] = languageToCode(cmd.language);
  target[at + 3] = version >>> 8;
  target[at + 4] = version;
  target.writeInt32BE(cmd.opaque | 0, at + 5);
  target.writeInt32BE(cmd.flag | 0, at + 9);
  at += 13;
  if (cmd.remark) {
    const written = writeUtf8(target, cmd.remark, at + 4);
    target.writeInt32BE(written, at);
    at += 4 + written;
  } else {
    target.writeInt32BE(0, at);
    at += 4;
  }
  const extStart = at;
  at += 4;
  const fields = cmd.extFields;
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined || value === null) continue;
    const keyLength = writeUtf8(target, key, at + 2);
    target[at] = keyLength >>> 8;
    target[at + 1] = keyLength;
    at += 2 + keyLength;
    const valueLength = writeUtf8(target, textOf(value), at + 4);
    target.writeInt32BE(valueLength, at);
    at += 4 + valueLength;
  }
  target.writeInt32BE(at - extStart - 4, extStart);
  return at;
}

// Bounds are checked before each read, so plain byte arithmetic is safe and skips Buffer's argument checks.
function int32At(b: Buffer, at: number): number {
  return (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
}

function int16At(b: Buffer, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16)) >> 16;
}

/** Reads a binary header occupying `frame[start, end)`; any length that points outside it is an error. */
export function decodeRocketmqHeader(frame: Buffer, start: number, end: number): RemotingCommand {
  if (end - start < FIXED_LENGTH) throw new RemotingFrameError(`binary header of ${end - start} bytes is too short`);
  let at = start;
  const cmd = new RemotingCommand(int16At(frame, at), {});
  cmd.language = languageFromCode(frame[at + 2]);
  cmd.version = int16At(frame, at + 3);
  cmd.opaque = int32At(frame, at + 5);
  cmd.flag = int32At(frame, at + 9);
  at += 13;
  const remarkLength = int32At(frame, at);
  at += 4;
  if (remarkLength < 0 || remarkLength > end - at - 4) throw new RemotingFrameError(`binary header remark length ${remarkLength} is out of range`);
  if (remarkLength > 0) {
    cmd.remark = frame.toString('utf8', at, at + remarkLength);
    at += remarkLength;
  }
  const extLength = int32At(frame, at);
  at += 4;
  if (extLength < 0 || extLength > end - at) throw new RemotingFrameError(`binary header ext length ${extLength} is out of range`);
  if (extLength === 0) return cmd;
  const extEnd = at + extLength;
  const text = frame.toString('latin1', at, extEnd);
  const base = at;
  const fields = cmd.extFields;
  while (at < extEnd) {
    if (extEnd - at < 6) throw new RemotingFrameError('binary header ext entry is truncated');
    const keyLength = int16At(frame, at);
    at += 2;
    if (keyLength < 0 || keyLength > extEnd - at - 4) throw new RemotingFrameError(`binary header key length ${keyLength} is out of range`);
    const key = readUtf8(frame, text, base, at, at + keyLength);
    at += keyLength;
    const valueLength = int32At(frame, at);
    at += 4;
    if (valueLength < 0 || valueLength > extEnd - at) throw new RemotingFrameError(`binary header value length ${valueLength} is out of range`);
    fields[key] = readUtf8(frame, text, base, at, at + valueLength);
    at += valueLength;
  }
  return cmd;
}
