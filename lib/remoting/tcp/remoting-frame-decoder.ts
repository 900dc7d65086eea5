import { RemotingCommand } from '../remoting-command.js';
import { decodeJsonHeader } from './json-header-codec.js';
import { RemotingFrameError } from './remoting-frame-error.js';
import { decodeRocketmqHeader } from './rocketmq-header-codec.js';
import { SerializeType, serializeTypeOf } from './serialize-type.js';

/** The largest frame accepted, as Java's `com.rocketmq.remoting.frameMaxLength` default. @default 16 MiB */
export const DEFAULT_MAX_FRAME_LENGTH = 16 * 1024 * 1024;

export type FrameListener = (cmd: RemotingCommand, serializeType: SerializeType) => void;

/**
 * Splits a byte stream into RemotingCommands (NettyDecoder: a length-prefixed frame, then
 * RemotingCommand.decode). Frames that lie whole inside a chunk are decoded from slices of it without a
 * copy; a frame that spans chunks is gathered into one buffer allocated once its length is known. After a
 * RemotingFrameError the stream is out of sync and the decoder refuses further input.
 */
export class RemotingFrameDecoder {
  // A frame still arriving: its bytes after the length prefix, and how many of them are in.
  private partial?: Buffer;
  private partialFilled = 0;
  // Fewer than 4 bytes of a length prefix, carried to the next chunk.
  private prefix?: Buffer;
  private failed = false;

  constructor(private readonly maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH) {}

  /** Decodes every frame the chunk completes. Throws RemotingFrameError on a malformed frame. */
  push(chunk: Buffer): RemotingCommand[] {
    const out: RemotingCommand[] = [];
    this.decode(chunk, (cmd) => out.push(cmd));
    return out;
  }

  /** Like push, but hands each frame to `listener` with the serialize type it used. */
  decode(chunk: Buffer, listener: FrameListener): void {
    if (this.failed) throw new RemotingFrameError('the stream is out of sync after an earlier malformed frame');
    try {
      this.decodeChunk(chunk, listener);
    } catch (err) {
      this.failed = true;
      this.partial = undefined;
      this.prefix = undefined;
      throw err;
    }
  }

  private decodeChunk(chunk: Buffer, listener: FrameListener): void {
    let data = chunk;
    let at = 0;
    if (this.partial) {
      const partial = this.partial;
      const copied = data.copy(partial, this.partialFilled, 0, partial.length - this.partialFilled);
      this.partialFilled += copied;
      at = copied;
      if (this.partialFilled < partial.length) return;
      this.partial = undefined;
      this.decodeFrame(partial, 0, partial.length, listener);
    } else if (this.prefix) {
      // Only a handful of bytes are carried, so joining them to the chunk costs one copy of it at most.
      data = Buffer.concat([this.prefix, data]);
      this.prefix = undefined;
    }
    while (at < data.length) {
      const available = data.length - at;
      if (available < 4) {
        this.prefix = Buffer.from(data.subarray(at));
        return;
      }
      const length = data.readInt32BE(at);
      this.checkLength(length);
      at += 4;
      if (available - 4 >= length) {
        this.decodeFrame(data, at, at + length, listener);
        at += length;
      } else {
        const partial = Buffer.allocUnsafe(length);
        this.partialFilled = data.copy(partial, 0, at);
        this.partial = partial;
        return;
      }
    }
  }

  private checkLength(length: number): void {
    if (length < 4) throw new RemotingFrameError(`frame length ${length} is smaller than its header length field`);
    if (length > this.maxFrameLength) {
      throw new RemotingFrameError(`frame length ${length} exceeds the maximum of ${this.maxFrameLength}`);
    }
  }

  /** Decodes the frame in `data[start, end)`, which excludes the length prefix. */
  private decodeFrame(data: Buffer, start: number, end: number, listener: FrameListener): void {
    const word = data.readUInt32BE(start);
    const serializeType = serializeTypeOf(word >>> 24);
    if (!serializeType) throw new RemotingFrameError(`unknown serialize type ${word >>> 24}`);
    const headerLength = word & 0xffffff;
    const headerStart = start + 4;
    const headerEnd = headerStart + headerLength;
    if (headerEnd > end) {
      throw new RemotingFrameError(`header length ${headerLength} exceeds the frame's ${end - headerStart} bytes`);
    }
    const cmd =
      serializeType === 'JSON'
        ? decodeJsonHeader(data, headerStart, headerEnd)
        : decodeRocketmqHeader(data, headerStart, headerEnd);
    if (headerEnd < end) cmd.body = data.subarray(headerEnd, end);
    listener(cmd, serializeType);
  }
}
