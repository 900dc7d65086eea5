import { RemotingCommand } from '../remoting-command.js';
import { encodeJsonHeader } from './json-header-codec.js';
import { rocketmqHeaderBound, rocketmqHeaderLength, writeRocketmqHeader } from './rocketmq-header-codec.js';
import { SERIALIZE_TYPE_CODE, SerializeType } from './serialize-type.js';

/**
 * Bodies at least this large are written after the head as their own buffer instead of being copied into
 * the frame: a copy of a few KiB is cheaper than a second write, a copy of megabytes is not.
 * @default 4096
 */
export const SEPARATE_BODY_THRESHOLD = 4096;

/**
 * A frame's head prepared for writing into a buffer: how much room it needs at most, then `write` puts
 * `int32 length | int32 type<<24|headerLength | header` (and the body when `bodyIncluded`) at an offset and
 * says where it ended. The JSON header is rendered once, here, so sizing costs nothing extra.
 */
export interface FrameHeadPlan {
  readonly bound: number;
  readonly bodyIncluded: boolean;
  write(target: Buffer, offset: number): number;
}

class JsonFrameHead implements FrameHeadPlan {
  readonly bound: number;

  constructor(
    private readonly text: string,
    private readonly body: Buffer | undefined,
    readonly bodyIncluded: boolean,
  ) {
    this.bound = 8 + 3 * text.length + (bodyIncluded && body ? body.length : 0);
  }

  write(target: Buffer, offset: number): number {
    const headerLength = target.write(this.text, offset + 8, 'utf8');
    return finishFrame(target, offset, SERIALIZE_TYPE_CODE.JSON, headerLength, this.body, this.bodyIncluded);
  }
}

class RocketmqFrameHead implements FrameHeadPlan {
  readonly bound: number;

  constructor(
    private readonly cmd: RemotingCommand,
    readonly bodyIncluded: boolean,
  ) {
    this.bound = 8 + rocketmqHeaderBound(cmd) + (bodyIncluded && cmd.body ? cmd.body.length : 0);
  }

  write(target: Buffer, offset: number): number {
    const headerLength = writeRocketmqHeader(this.cmd, target, offset + 8) - (offset + 8);
    return finishFrame(target, offset, SERIALIZE_TYPE_CODE.ROCKETMQ, headerLength, this.cmd.body, this.bodyIncluded);
  }
}

function finishFrame(
  target: Buffer,
  offset: number,
  typeCode: number,
  headerLength: number,
  body: Buffer | undefined,
  bodyIncluded: boolean,
): number {
  const bodyLength = body ? body.length : 0;
  target.writeInt32BE(4 + headerLength + bodyLength, offset);
  target.writeInt32BE((typeCode << 24) | (headerLength & 0xffffff), offset + 4);
  let end = offset + 8 + headerLength;
  if (bodyIncluded && body && bodyLength > 0) end += body.copy(target, end);
  return end;
}

/** Plans the frame of `cmd`; bodies of `includeBodyUpTo` bytes or more are left for the caller to write. */
export function planRemotingFrame(
  cmd: RemotingCommand,
  serializeType: SerializeType,
  includeBodyUpTo = SEPARATE_BODY_THRESHOLD,
): FrameHeadPlan {
  const bodyIncluded = (cmd.body ? cmd.body.length : 0) < includeBodyUpTo;
  return serializeType === 'ROCKETMQ'
    ? new RocketmqFrameHead(cmd, bodyIncluded)
    : new JsonFrameHead(encodeJsonHeader(cmd), cmd.body, bodyIncluded);
}

/**
 * Encodes everything of a frame up to the body: `int32 length | int32 type<<24|headerLength | header`, plus
 * the body itself when it is small. `bodyIncluded` tells whether the caller still has to write the body.
 */
export function encodeRemotingFrameHead(
  cmd: RemotingCommand,
  serializeType: SerializeType,
  includeBodyUpTo = SEPARATE_BODY_THRESHOLD,
): { head: Buffer; bodyIncluded: boolean } {
  const bodyLength = cmd.body ? cmd.body.length : 0;
  const bodyIncluded = bodyLength < includeBodyUpTo;
  if (serializeType === 'ROCKETMQ') {
    const head = Buffer.allocUnsafe(8 + rocketmqHeaderLength(cmd) + (bodyIncluded ? bodyLength : 0));
    const headerLength = writeRocketmqHeader(cmd, head, 8) - 8;
    finishFrame(head, 0, SERIALIZE_TYPE_CODE.ROCKETMQ, headerLength, cmd.body, bodyIncluded);
    return { head, bodyIncluded };
  }
  const text = encodeJsonHeader(cmd);
  const headerLength = Buffer.byteLength(text);
  const head = Buffer.allocUnsafe(8 + headerLength + (bodyIncluded ? bodyLength : 0));
  head.write(text, 8, 'utf8');
  finishFrame(head, 0, SERIALIZE_TYPE_CODE.JSON, headerLength, cmd.body, bodyIncluded);
  return { head, bodyIncluded };
}

/** Encodes a whole frame, including its 4-byte length prefix, in one buffer. */
export function encodeRemotingCommand(cmd: RemotingCommand, serializeType: SerializeType = 'JSON'): Buffer {
  return encodeRemotingFrameHead(cmd, serializeType, Number.POSITIVE_INFINITY).head;
}
