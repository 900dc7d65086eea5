import { Socket } from 'node:net';
import { RemotingCommand } from '../remoting-command.js';
import { planRemotingFrame } from './remoting-frame-encoder.js';
import { SerializeType } from './serialize-type.js';

/**
 * Largest buffer frames are encoded into. Several frames share one, so a burst costs one allocation per
 * this many bytes rather than one per frame. A connection starts with a small one and doubles it each time
 * it fills, so one that writes little never holds a large buffer.
 * @default 64 KiB
 */
export const OUTPUT_CHUNK_SIZE = 64 * 1024;

const FIRST_CHUNK_SIZE = 4 * 1024;

/**
 * The outgoing side of a connection. Frames are encoded straight into a shared chunk as they are issued;
 * everything issued within one tick leaves in a single socket write (one writev when large bodies travel
 * as their own buffers), so a burst of small answers costs one syscall instead of one per frame.
 *
 * Back-pressure: once the socket reports its buffer full (write returns false), frames wait here, still
 * coalesced, until 'drain'; `onBlocked` lets the owner stop taking new work meanwhile.
 */
export class FrameOutput {
  private chunk: Buffer = Buffer.allocUnsafeSlow(0);
  private nextChunkSize = FIRST_CHUNK_SIZE;
  // chunk[flushed, end) holds encoded frames not yet handed to the socket.
  private flushed = 0;
  private end = 0;
  private readonly ready: Buffer[] = [];
  private readyBytes = 0;
  private flushScheduled = false;
  private blocked = false;
  private closed = false;
  private readonly flushSoon = (): void => {
    this.flushScheduled = false;
    this.flush();
  };
  private readonly onDrain = (): void => {
    this.blocked = false;
    this.onBlocked?.(false);
    this.flush();
  };

  constructor(
    private readonly socket: Socket,
    /** Told when writing stalls (true) and resumes (false). */
    private readonly onBlocked?: (blocked: boolean) => void,
  ) {
    socket.on('drain', this.onDrain);
  }

  /** Whether the socket's buffer is full and frames are being held back. */
  get isBlocked(): boolean {
    return this.blocked;
  }

  /** Bytes encoded but not handed to the socket yet. */
  get pendingBytes(): number {
    return this.readyBytes + this.end - this.flushed;
  }

  /** Encodes `cmd` now (later changes to it do not travel) and sends it with the rest of this tick's frames. */
  write(cmd: RemotingCommand, serializeType: SerializeType): void {
    if (this.closed) return;
    const plan = planRemotingFrame(cmd, serializeType);
    if (this.chunk.length - this.end < plan.bound) this.renewChunk(plan.bound);
    this.end = plan.write(this.chunk, this.end);
    if (!plan.bodyIncluded && cmd.body) {
      this.seal();
      this.ready.push(cmd.body);
      this.readyBytes += cmd.body.length;
    }
    if (!this.flushScheduled && !this.blocked) {
      this.flushScheduled = true;
      process.nextTick(this.flushSoon);
    }
  }

  /** Drops what has not been written; the socket is going away. */
  close(): void {
    this.closed = true;
    this.ready.length = 0;
    this.readyBytes = 0;
    this.chunk = Buffer.allocUnsafeSlow(0);
    this.flushed = this.end = 0;
    this.socket.off('drain', this.onDrain);
  }

  private flush(): void {
    if (this.closed || this.blocked) return;
    this.seal();
    const ready = this.ready;
    if (ready.length === 0) return;
    const socket = this.socket;
    if (socket.destroyed) {
      ready.length = 0;
      this.readyBytes = 0;
      return;
    }
    let accepted: boolean;
    if (ready.length === 1) {
      accepted = socket.write(ready[0]);
    } else {
      socket.cork();
      for (let i = 0; i < ready.length - 1; i++) socket.write(ready[i]);
      accepted = socket.write(ready[ready.length - 1]);
      socket.uncork();
    }
    ready.length = 0;
    this.readyBytes = 0;
    if (!accepted) {
      this.blocked = true;
      this.onBlocked?.(true);
    }
  }

  /** Moves the encoded bytes of the chunk to the ready list, keeping the chunk's free space for later frames. */
  private seal(): void {
    if (this.end === this.flushed) return;
    this.ready.push(this.chunk.subarray(this.flushed, this.end));
    this.readyBytes += this.end - this.flushed;
    this.flushed = this.end;
  }

  private renewChunk(atLeast: number): void {
    this.seal();
    // Bytes already handed out stay with the socket; the rest of the old chunk is simply abandoned.
    this.chunk = Buffer.allocUnsafeSlow(Math.max(this.nextChunkSize, atLeast));
    this.nextChunkSize = Math.min(2 * this.nextChunkSize, OUTPUT_CHUNK_SIZE);
    this.flushed = this.end = 0;
  }
}
