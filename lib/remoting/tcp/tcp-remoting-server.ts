import { Logger } from '@nestjs/common';
import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { AclValidator } from '../acl/acl-validator.js';
import { ResponseCode } from '../request-code.js';
import { RemotingCommand } from '../remoting-command.js';
import { RequestDispatcher } from '../request-dispatcher.js';
import { DEFAULT_MAX_FRAME_LENGTH } from './remoting-frame-decoder.js';
import { formatAddress, peerAddressOf } from './socket-address.js';
import { TcpRemotingConnection } from './tcp-remoting-connection.js';

export interface TcpRemotingServerOptions {
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
  /** Port to bind; 0 picks any free port. @default 0 */
  port?: number;
  /** Larger frames close the connection. @default 16 MiB */
  maxFrameLength?: number;
  /** When set, every request is checked first and refused with NO_PERMISSION (16) if it fails. */
  aclValidator?: AclValidator;
}

/**
 * Serves a RequestDispatcher on a TCP port with the RocketMQ remoting protocol. Each connection is a
 * RemotingChannel the processors see, through which the server can also send requests to that client.
 * A malformed frame closes only the connection it came on.
 */
export class TcpRemotingServer {
  private readonly logger = new Logger(TcpRemotingServer.name);
  private readonly connections = new Set<TcpRemotingConnection>();
  private server?: Server;
  private bound?: { host: string; port: number };
  private opaque = 0;
  private readonly nextOpaque = (): number => (this.opaque = (this.opaque + 1) & 0x7fffffff);

  constructor(
    private readonly dispatcher: RequestDispatcher,
    private readonly options: TcpRemotingServerOptions = {},
  ) {}

  /** "host:port" the server listens on; throws before listen() has resolved. */
  get address(): string {
    if (!this.bound) throw new Error('TcpRemotingServer is not listening');
    return formatAddress(this.bound.host, this.bound.port);
  }

  /** Open connections, for diagnostics and tests. */
  get connectionCount(): number {
    return this.connections.size;
  }

  listen(): Promise<{ host: string; port: number }> {
    if (this.server) return Promise.reject(new Error('TcpRemotingServer is already listening'));
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        server.on('error', (err) => this.logger.error(`server error: ${err.message}`));
        const info = server.address() as AddressInfo;
        this.bound = { host: info.address, port: info.port };
        this.logger.log(`remoting server listening on ${this.address}`);
        resolve({ ...this.bound });
      });
    }).catch((err) => {
      this.server = undefined;
      throw err;
    }) as Promise<{ host: string; port: number }>;
  }

  /** Stops accepting, closes every connection (their onClose listeners fire) and waits for the port to free. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const connection of [...this.connections]) connection.close();
    this.connections.clear();
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.bound = undefined;
  }

  private accept(socket: Socket): void {
    if (!this.server) {
      socket.destroy();
      return;
    }
    const connection = new TcpRemotingConnection(socket, peerAddressOf(socket), {
      serializeType: 'JSON',
      followPeerSerializeType: true,
      pauseReadingWhenBlocked: true,
      maxFrameLength: this.options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH,
      nextOpaque: this.nextOpaque,
      handleRequest: (channel, request) => this.handle(channel, request),
      logger: this.logger,
    });
    this.connections.add(connection);
    connection.onClose(() => this.connections.delete(connection));
  }

  private handle(channel: TcpRemotingConnection, request: RemotingCommand): Promise<RemotingCommand | null> {
    const acl = this.options.aclValidator;
    if (acl) {
      let reason: string | undefined;
      try {
        reason = acl.validate(request, channel.remoteAddress);
      } catch (err) {
        reason = `ACL check failed: ${err instanceof Error ? err.message : String(err)}`;
      }
      if (reason !== undefined) {
        this.logger.debug(`refused request code ${request.code} from ${channel.remoteAddress}: ${reason}`);
        return Promise.resolve(
          request.isOneway() ? null : RemotingCommand.createResponse(ResponseCode.NO_PERMISSION, reason),
        );
      }
    }
    return this.dispatcher.dispatch(channel, request);
  }
}
