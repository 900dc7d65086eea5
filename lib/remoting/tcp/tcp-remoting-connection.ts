import { Logger } from '@nestjs/common';
import { Socket } from 'node:net';
import { RemotingChannel } from '../remoting-channel.js';
import { RemotingCommand } from '../remoting-command.js';
import { RemotingError } from '../remoting-error.js';
import { DEFAULT_MAX_FRAME_LENGTH, RemotingFrameDecoder } from './remoting-frame-decoder.js';
import { encodeRemotingFrameHead } from './remoting-frame-encoder.js';
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
  logger: Logger;
}

interface PendingCall {
  resolve: (response: RemotingCommand) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One end of a remoting TCP connection, the same on server and client: it decodes frames, matches
 * responses to its own requests by opaque, serves the peer's requests and answers each in the serialize
 * type the request used. Writes issued within one tick are corked together so a burst of small frames
 * leaves in one writev.
 */
export class TcpRemotingConnection implements RemotingChannel {
  private readonly decoder: RemotingFrameDecoder;
  private readonly pending = new Map<number, PendingCall>();
  private readonly closeListeners: Array<() => void> = [];
  private serializeType: SerializeType;
  private isClosed = false;
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(
    private readonly socket: Socket,
    readonly remoteAddress: string,
    private readonly options: TcpRemotingConnectionOptions,
  ) {
    this.decoder = new RemotingFrameDecoder(options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH);
    this.serializeType = options.serializeType;
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

  invoke(request: RemotingCommand, timeoutMillis: number): Promise<RemotingCommand> {
    if (this.isClosed) return Promise.reject(new RemotingError(`connection to ${this.remoteAddress} is closed`, 'closed'));
    const opaque = this.options.nextOpaque();
    request.opaque = opaque;
    request.flag &= ~0x3;
    return new Promise<RemotingCommand>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(opaque);
        reject(
          new RemotingError(
            `request code ${request.code} to ${this.remoteAddress} timed out after ${timeoutMillis} ms (opaque ${opaque})`,
            'timeout',
          ),
        );
      }, timeoutMillis);
      this.pending.set(opaque, { resolve, reject, timer });
      try {
        this.options.beforeSend?.(request);
        this.write(request, this.serializeType);
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(opaque);
        reject(err instanceof RemotingError ? err : new RemotingError(`sending to ${this.remoteAddress} failed: ${describe(err)}`, 'send'));
      }
    });
  }

  invokeOneway(request: RemotingCommand): void {
    if (this.isClosed) return;
    request.opaque = this.options.nextOpaque();
    request.flag = (request.flag & ~0x1) | 0x2;
    this.options.beforeSend?.(request);
    this.write(request, this.serializeType);
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

  private write(cmd: RemotingCommand, serializeType: SerializeType): void {
    const { head, bodyIncluded } = encodeRemotingFrameHead(cmd, serializeType);
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.socket.write(head);
    if (!bodyIncluded && cmd.body) this.socket.write(cmd.body);
  }

  private onData(chunk: Buffer): void {
    if (this.isClosed) return;
    try {
      this.decoder.decode(chunk, (cmd, serializeType) => this.onCommand(cmd, serializeType));
    } catch (err) {
      if (!(err instanceof RemotingFrameError)) throw err;
      this.options.logger.warn(`closing connection ${this.remoteAddress}: malformed frame: ${err.message}`);
      this.close();
    }
  }

  private onCommand(cmd: RemotingCommand, serializeType: SerializeType): void {
    if (cmd.isResponse()) {
      const call = this.pending.get(cmd.opaque);
      if (!call) {
        this.options.logger.debug(`response opaque ${cmd.opaque} from ${this.remoteAddress} matches no request (timed out?)`);
        return;
      }
      this.pending.delete(cmd.opaque);
      clearTimeout(call.timer);
      call.resolve(cmd);
      return;
    }
    if (this.options.followPeerSerializeType) this.serializeType = serializeType;
    this.options.handleRequest(this, cmd).then(
      (response) => {
        if (!response || cmd.isOneway() || this.isClosed) return;
        response.opaque = cmd.opaque;
        response.markResponse();
        this.write(response, serializeType);
      },
      (err) => this.options.logger.error(`request code ${cmd.code} from ${this.remoteAddress} failed: ${describe(err)}`),
    );
  }

  private teardown(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const [opaque, call] of this.pending) {
      clearTimeout(call.timer);
      call.reject(new RemotingError(`connection to ${this.remoteAddress} closed with request opaque ${opaque} in flight`, 'closed'));
    }
    this.pending.clear();
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
