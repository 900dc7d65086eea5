import { RemotingChannel } from './remoting-channel.js';
import { RemotingCommand } from './remoting-command.js';
import { RemotingError } from './remoting-error.js';
import { RequestDispatcher } from './request-dispatcher.js';

/**
 * The in-process channel: a connection whose two ends hand RemotingCommand objects to each other's
 * dispatcher, with no socket and no header encoding. Each end is the RemotingChannel the other side's
 * processors see.
 */
export class InProcessConnection {
  readonly clientEnd: InProcessChannelEnd;
  readonly serverEnd: InProcessChannelEnd;

  constructor(clientAddress: string, serverAddress: string, clientSide: RequestDispatcher, serverSide: RequestDispatcher) {
    this.clientEnd = new InProcessChannelEnd(serverAddress, () => serverSide, () => this.serverEnd);
    this.serverEnd = new InProcessChannelEnd(clientAddress, () => clientSide, () => this.clientEnd);
  }

  close(): void {
    this.clientEnd.close();
    this.serverEnd.close();
  }
}

export class InProcessChannelEnd implements RemotingChannel {
  private isClosed = false;
  private readonly closeListeners: Array<() => void> = [];

  constructor(
    readonly remoteAddress: string,
    private readonly peerDispatcher: () => RequestDispatcher,
    private readonly peerEnd: () => InProcessChannelEnd,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  async invoke(request: RemotingCommand, _timeoutMillis: number): Promise<RemotingCommand> {
    if (this.isClosed) throw new RemotingError(`channel to ${this.remoteAddress} is closed`, 'closed');
    const response = await this.peerDispatcher().dispatch(this.peerEnd(), request);
    if (!response) throw new RemotingError(`no response from ${this.remoteAddress} for code ${request.code}`, 'send');
    return response;
  }

  invokeOneway(request: RemotingCommand): void {
    if (this.isClosed) return;
    request.markOneway();
    this.peerDispatcher()
      .dispatch(this.peerEnd(), request)
      .catch(() => undefined);
  }

  onClose(listener: () => void): void {
    if (this.isClosed) listener();
    else this.closeListeners.push(listener);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const listener of this.closeListeners.splice(0)) listener();
    this.peerEnd().close();
  }
}
