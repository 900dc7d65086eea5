import { Logger } from '@nestjs/common';
import { Socket, connect } from 'node:net';
import { signRemotingCommand } from '../acl/acl-signature.js';
import { RemotingRequestProcessor } from '../remoting-channel.js';
import { RemotingClient } from '../remoting-client.js';
import { RemotingCommand } from '../remoting-command.js';
import { RemotingError } from '../remoting-error.js';
import { RequestDispatcher } from '../request-dispatcher.js';
import { DEFAULT_MAX_FRAME_LENGTH } from './remoting-frame-decoder.js';
import { SerializeType } from './serialize-type.js';
import { parseAddress } from './socket-address.js';
import { TcpRemotingConnection } from './tcp-remoting-connection.js';

export interface TcpRemotingClientOptions {
  /** @default 3000 */
  connectTimeoutMillis?: number;
  /** With secretKey, every request is signed as AclClientRPCHook signs it. */
  accessKey?: string;
  secretKey?: string;
  /** Sent as SecurityToken when set (STS credentials). */
  securityToken?: string;
  /**
   * Header form of the requests this client sends; answers come back in the same form. Apache RocketMQ
   * brokers and NameServers read both (the Java client picks JSON unless `rocketmq.serialize.type` says
   * ROCKETMQ). The binary form is smaller and several times cheaper to encode and decode, so it is the
   * default here; requests whose code does not fit its int16 (the 5.x POP codes) still go as JSON.
   * @default 'ROCKETMQ'
   */
  serializeType?: SerializeType;
  /** @default 16 MiB */
  maxFrameLength?: number;
}

/** First wait after a failed connect. @default 100 */
export const RECONNECT_BACKOFF_INITIAL_MILLIS = 100;
/** Longest wait after repeated failed connects. @default 5000 */
export const RECONNECT_BACKOFF_MAX_MILLIS = 5000;

interface ConnectionSlot {
  connection?: TcpRemotingConnection;
  connecting?: Promise<TcpRemotingConnection>;
  socket?: Socket;
  failures: number;
  retryAt: number;
}

/**
 * A RemotingClient over TCP: one connection per address, opened on the first call and again on the first
 * call after it closed. After a failed connect, calls fail fast with 'connect' until the back-off
 * (100 ms doubling to 5 s) has passed, so a dead broker does not cost every caller a connect timeout.
 */
export class TcpRemotingClient implements RemotingClient {
  private readonly logger = new Logger(TcpRemotingClient.name);
  private readonly dispatcher = new RequestDispatcher(new Logger(TcpRemotingClient.name));
  private readonly slots = new Map<string, ConnectionSlot>();
  private opaque = 0;
  private readonly nextOpaque = (): number => (this.opaque = (this.opaque + 1) & 0x7fffffff);
  private readonly sign?: (request: RemotingCommand) => void;
  private stopped = false;

  constructor(private readonly options: TcpRemotingClientOptions = {}) {
    const { accessKey, secretKey, securityToken } = options;
    if (accessKey && secretKey) this.sign = (request) => signRemotingCommand(request, accessKey, secretKey, securityToken);
  }

  registerProcessor(code: number, processor: RemotingRequestProcessor): void {
    this.dispatcher.registerProcessor(code, processor);
  }

  invoke(address: string, request: RemotingCommand, timeoutMillis: number): Promise<RemotingCommand> {
    const ready = this.slots.get(address)?.connection;
    if (ready && !ready.closed) return ready.invoke(request, timeoutMillis);
    const started = Date.now();
    return this.connect(address, timeoutMillis).then((connection) => {
      const left = timeoutMillis - (Date.now() - started);
      if (left <= 0) throw new RemotingError(`request code ${request.code} to ${address} timed out while connecting`, 'timeout');
      return connection.invoke(request, left);
    });
  }

  invokeOneway(address: string, request: RemotingCommand): void {
    const ready = this.slots.get(address)?.connection;
    if (ready && !ready.closed) {
      ready.invokeOneway(request);
      return;
    }
    this.connect(address).then(
      (connection) => connection.invokeOneway(request),
      (err) => this.logger.debug(`oneway request code ${request.code} to ${address} dropped: ${err.message}`),
    );
  }

  closeChannel(address: string): void {
    const slot = this.slots.get(address);
    if (!slot) return;
    this.slots.delete(address);
    slot.socket?.destroy();
    slot.connection?.close();
  }

  shutdown(): void {
    this.stopped = true;
    for (const address of [...this.slots.keys()]) this.closeChannel(address);
  }

  private connect(address: string, timeoutMillis?: number): Promise<TcpRemotingConnection> {
    if (this.stopped) return Promise.reject(new RemotingError('remoting client is shut down', 'closed'));
    let slot = this.slots.get(address);
    if (!slot) this.slots.set(address, (slot = { failures: 0, retryAt: 0 }));
    if (slot.connection && !slot.connection.closed) return Promise.resolve(slot.connection);
    if (slot.connecting) return slot.connecting;
    const wait = slot.retryAt - Date.now();
    if (wait > 0) {
      return Promise.reject(
        new RemotingError(`connect to ${address} failed recently; next attempt in ${wait} ms`, 'connect'),
      );
    }
    const current = slot;
    current.connecting = this.open(address, current, timeoutMillis).finally(() => {
      current.connecting = undefined;
      current.socket = undefined;
    });
    return current.connecting;
  }

  private open(address: string, slot: ConnectionSlot, timeoutMillis?: number): Promise<TcpRemotingConnection> {
    return new Promise<TcpRemotingConnection>((resolve, reject) => {
      let target: { host: string; port: number };
      try {
        target = parseAddress(address);
      } catch (err) {
        reject(new RemotingError((err as Error).message, 'connect'));
        return;
      }
      const limit = Math.min(this.options.connectTimeoutMillis ?? 3000, timeoutMillis ?? Number.POSITIVE_INFINITY);
      const socket = connect({ host: target.host, port: target.port, noDelay: true });
      slot.socket = socket;
      let settled = false;
      const fail = (reason: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        slot.failures += 1;
        const backoff = Math.min(
          RECONNECT_BACKOFF_INITIAL_MILLIS * 2 ** (slot.failures - 1),
          RECONNECT_BACKOFF_MAX_MILLIS,
        );
        slot.retryAt = Date.now() + backoff;
        reject(new RemotingError(`connect to ${address} failed: ${reason}`, 'connect'));
      };
      const timer = setTimeout(() => fail(`no connection within ${limit} ms`), limit);
      socket.once('error', (err) => fail(err.message));
      socket.once('close', () => fail('closed while connecting'));
      socket.once('connect', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.removeAllListeners('close');
        if (this.stopped || this.slots.get(address) !== slot) {
          socket.destroy();
          reject(new RemotingError(`connection to ${address} was closed while connecting`, 'closed'));
          return;
        }
        const connection = new TcpRemotingConnection(socket, address, {
          serializeType: this.options.serializeType ?? 'ROCKETMQ',
          maxFrameLength: this.options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH,
          nextOpaque: this.nextOpaque,
          handleRequest: (channel, request) => this.dispatcher.dispatch(channel, request),
          beforeSend: this.sign,
          logger: this.logger,
        });
        slot.connection = connection;
        slot.failures = 0;
        slot.retryAt = 0;
        connection.onClose(() => {
          if (slot.connection === connection) slot.connection = undefined;
        });
        resolve(connection);
      });
    });
  }
}
