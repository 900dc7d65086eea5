import { Logger } from '@nestjs/common';
import { Socket } from 'node:net';
import { RemotingChannel } from '../remoting-channel.js';
import { RemotingCommand } from '../remoting-command.js';
import { RemotingError } from '../remoting-error.js';
import { FrameOutput } from './frame-output.js';
import { PendingCall, PendingCalls } from './pending-calls.js';
import { DEFAULT_MAX_FRAME_LENGTH, RemotingFrameDecoder } from './remoting-frame-decoder.js';
import { RemotingFrameError } from './remoting-frame-error.js';
import { SerializeType } from './serialize-type.js';

/** What one end of a TCP connection needs from the server or client that owns it. */
export interface TcpRemotingConnectionOptions {
  /** The serialize type of requests this end starts; a server end follows its peer's latest request. */
  serializeType: SerializeType;
  /** @default 16 MiB */
  maxFrameLength?: number;
  /** Opaque for the next request this end starts; shared by all connections of the owner. */
  nextOpaque: () => number;
  /** Serves a request from the peer; null means no response (oneway, or the processor answers later). */
  handleRequest: (channel: TcpRemotingConnection, request: RemotingCommand) => Promise<RemotingCommand | null>;
  /** Runs on every request this end sends, just before it is encoded (the ACL signing hook). */
  beforeSend?: (request: RemotingCommand) => void;
  /** Whether this end adopts the serialize type of the requests it receives for its own requests. */
  followPeerSerializeType?: boolean;
  /**
   * Stop reading the peer's requests while its answers cannot be written (the peer does not read them),
   * until the socket drains. Only for the serving end: if both ends did this, two peers writing to each
   * other could each wait for the other to read.
   */
  pauseReadingWhenBlocked?: boolean;
  logger: Logger;
}

/**
 * Codes that do not fit the int16 code of a binary header (Java truncates them the same way) go as JSON
 * whatever the connection's serialize type.
 */
function fitsBinaryHeader(code: number): boolean {
  return code >= -0x8000 && code <= 0x7fff;
}

/**
 * One end of a remoting TCP connection, the same on server and client: it decodes frames, matches
 * responses to its own requests by opaque, serves the peer's requests and answers each in the serialize
 * type the request used. Frames issued within one tick leave in one write (FrameOutput).
 */
export class TcpRemotingConnection implements RemotingChannel {
  private readonly decoder: RemotingFrameDecoder;
  private readonly pending: PendingCalls;
  private readonly output: FrameOutput;
  private readonly closeListeners: Array<() => void> = [];
  private serializeType: SerializeType;
  private isClosed = false;
  private readonly onFrame = (cmd: RemotingCommand, serializeType: SerializeType): void => this.onCommand(cmd, serializeType);

  constructor(
    private readonly socket: Socket,
    readonly remoteAddress: string,
    private readonly options: TcpRemotingConnectionOptions,
  ) {
    this.decoder = new RemotingFrameDecoder(options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH);
    this.serializeType = options.serializeType;
    this.pending = new PendingCalls((opaque, call) => this.timedOut(opaque, call));
    this.output = new FrameOutput(
      socket,
      options.pauseReadingWhenBlocked
        ? (blocked) => {
            if (this.isClosed) return;
            if (blocked) socket.pause();
            else socket.resume();
          }
        : undefined,
    );
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => options.logger.debug(`connection ${remoteAddress}: ${err.message}`));
    socket.on('close', () => this.teardown());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Requests this end sent that still wait for an answer. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Whether the peer is not reading and frames are held back until the socket drains. */
  get writeBlocked(): boolean {
    return this.output.isBlocked;
  }

  invoke(request: RemotingCommand, timeoutMillis: number): Promise<RemotingCommand> {
    if (this.isClosed) return Promise.reject(new RemotingError(`connection to ${this.remoteAddress} is closed`, 'closed'));
    const opaque = this.options.nextOpaque();
    request.opaque = opaque;
    request.flag &= ~0x3;
    return new Promise<RemotingCommand>((resolve, reject) => {
      try {
        this.options.beforeSend?.(request);
        this.output.write(request, this.requestSerializeType(request));
      } catch (err) {
        reject(err instanceof RemotingError ? err : new RemotingError(`sending to ${this.remoteAddress} failed: ${describe(err)}`, 'send'));
        return;
      }
      this.pending.add(opaque, { code: request.code, timeoutMillis, deadline: PendingCalls.deadlineAfter(timeoutMillis), resolve, reject });
    });
  }

  invokeOneway(request: RemotingCommand): void {
    if (this.isClosed) return;
    request.opaque = this.options.nextOpaque();
    request.flag = (request.flag & ~0x1) | 0x2;
    this.options.beforeSend?.(request);
    this.output.write(request, this.requestSerializeType(request));
  }

  onClose(listener: () => void): void {
    if (this.isClosed) listener();
    else this.closeListeners.push(listener);
  }

  close(): void {
    if (this.isClosed) return;
    this.socket.destroy();
    this.teardown();
  }

  private requestSerializeType(request: RemotingCommand): SerializeType {
    return this.serializeType === 'ROCKETMQ' && !fitsBinaryHeader(request.code) ? 'JSON' : this.serializeType;
  }

  private timedOut(opaque: number, call: PendingCall): void {
    call.reject(
      new RemotingError(
        `request code ${call.code} to ${this.remoteAddress} timed out after ${call.timeoutMillis} ms (opaque ${opaque})`,
        'timeout',
      ),
    );
  }

  private onData(chunk: Buffer): void {
    if (this.isClosed) return;
    try {
      this.decoder.decode(chunk, this.onFrame);
    } catch (err) {
      if (!(err instanceof RemotingFrameError)) throw err;
      this.options.logger.warn(`closing connection ${this.remoteAddress}: malformed frame: ${err.message}`);
      this.close();
    }
  }

  private onCommand(cmd: RemotingCommand, serializeType: SerializeType): void {
    if (cmd.isResponse()) {
      const call = this.pending.take(cmd.opaque);
      if (!call) {
        this.options.logger.debug(`response opaque ${cmd.opaque} from ${this.remoteAddress} matches no request (timed out?)`);
        return;
      }
      call.resolve(cmd);
      return;
    }
    if (this.options.followPeerSerializeType) this.serializeType = serializeType;
    this.options.handleRequest(this, cmd).then(
      (response) => {
        if (!response || cmd.isOneway() || this.isClosed) return;
        response.opaque = cmd.opaque;
        response.markResponse();
        this.output.write(response, serializeType);
      },
      (err) => this.options.logger.error(`request code ${cmd.code} from ${this.remoteAddress} failed: ${describe(err)}`),
    );
  }

  private teardown(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.output.close();
    this.pending.drain((opaque, call) =>
      call.reject(new RemotingError(`connection to ${this.remoteAddress} closed with request opaque ${opaque} in flight`, 'closed')),
    );
    for (const listener of this.closeListeners.splice(0)) {
      try {
        listener();
      } catch (err) {
        this.options.logger.error(`close listener of ${this.remoteAddress} failed: ${describe(err)}`);
      }
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
