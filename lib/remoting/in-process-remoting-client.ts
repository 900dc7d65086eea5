import { InProcessConnection } from './in-process-channel.js';
import { InProcessRegistry } from './in-process-registry.js';
import { RemotingRequestProcessor } from './remoting-channel.js';
import { RemotingClient } from './remoting-client.js';
import { RemotingCommand } from './remoting-command.js';
import { RemotingError } from './remoting-error.js';
import { RequestDispatcher } from './request-dispatcher.js';

/** A RemotingClient over the in-process channel: one connection per address, as over TCP. */
export class InProcessRemotingClient implements RemotingClient {
  private readonly dispatcher = new RequestDispatcher();
  private readonly connections = new Map<string, { connection: InProcessConnection; unlisten: () => void }>();
  private stopped = false;

  constructor(
    private readonly registry: InProcessRegistry,
    /** The address the broker records for this client (its born host). */
    private readonly localAddress: string,
  ) {}

  registerProcessor(code: number, processor: RemotingRequestProcessor): void {
    this.dispatcher.registerProcessor(code, processor);
  }

  invoke(address: string, request: RemotingCommand, timeoutMillis: number): Promise<RemotingCommand> {
    try {
      return this.channel(address).invoke(request, timeoutMillis);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  invokeOneway(address: string, request: RemotingCommand): void {
    this.channel(address).invokeOneway(request);
  }

  closeChannel(address: string): void {
    const entry = this.connections.get(address);
    if (!entry) return;
    this.connections.delete(address);
    entry.unlisten();
    entry.connection.close();
  }

  shutdown(): void {
    this.stopped = true;
    for (const address of [...this.connections.keys()]) this.closeChannel(address);
  }

  private channel(address: string) {
    const existing = this.connections.get(address);
    if (existing && !existing.connection.clientEnd.closed) return existing.connection.clientEnd;
    if (this.stopped) throw new RemotingError('remoting client is shut down', 'closed');
    const server = this.registry.lookup(address);
    if (!server) throw new RemotingError(`connect to ${address} failed: nothing listens there`, 'connect');
    const connection = new InProcessConnection(this.localAddress, address, this.dispatcher, server, this.registry.turns);
    const unlisten = this.registry.onUnbind(address, () => this.closeChannel(address));
    this.connections.set(address, { connection, unlisten });
    return connection.clientEnd;
  }
}
