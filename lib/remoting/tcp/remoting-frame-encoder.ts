import { RemotingCommand } from '../remoting-command.js';
import { encodeJsonHeader } from './json-header-codec.js';
import { rocketmqHeaderLength, writeRocketmqHeader } from './rocketmq-header-codec.js';
import { SERIALIZE_TYPE_CODE, SerializeType } from './serialize-type.js';

/**
 * Bodies at least this large are written after the head as their own buffer instead of being copied into
 * the frame: a copy of a few KiB is cheaper than a second write, a copy of megabytes is not.
 * @default 4096
 */
export const SEPARATE_BODY_THRESHOLD = 4096;

/**
 * Encodes everything of a frame up to the body: `int32 length | int32 type<<24|headerLength | header`, plus
 * the body itself when it is small. `bodyIncluded` tells whether the caller still has to write the body.
 */
export function encodeRemotingFrameHead(
  cmd: RemotingCommand,
  serializeType: SerializeType,
  includeBodyUpTo = SEPARATE_BODY_THRESHOLD,
): { head: Buffer; bodyIncluded: boolean } {
  const body = cmd.body;
  const bodyLength = body ? body.length : 0;
  const bodyIncluded = bodyLength < includeBodyUpTo;
  let head: Buffer;
  let headerLength: number;
  if (serializeType === 'ROCKETMQ') {
    headerLength = rocketmqHeaderLength(cmd);
    head = Buffer.allocUnsafe(8 + headerLength + (bodyIncluded ? bodyLength : 0));
    writeRocketmqHeader(cmd, head, 8);
  } else {
    const text = encodeJsonHeader(cmd);
    headerLength = Buffer.byteLength(text);
    head = Buffer.allocUnsafe(8 + headerLength + (bodyIncluded ? bodyLength : 0));
    head.write(text, 8, 'utf8');
  }
  head.writeInt32BE(4 + headerLength + bodyLength, 0);
  head.writeInt32BE((SERIALIZE_TYPE_CODE[serializeType] << 24) | (headerLength & 0xffffff), 4);
  if (bodyIncluded && body && bodyLength > 0) body.copy(head, 8 + headerLength);
  return { head, bodyIncluded };
}

/** Encodes a whole frame, including its 4-byte length prefix, in one buffer. */
export function encodeRemotingCommand(cmd: RemotingCommand, serializeType: SerializeType = 'JSON'): Buffer {
  return encodeRemotingFrameHead(cmd, serializeType, Number.POSITIVE_INFINITY).head;
}
