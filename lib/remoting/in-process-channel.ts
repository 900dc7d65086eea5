import { EventLoopTurns } from './event-loop-turns.js';
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

  constructor(
    clientAddress: string,
    serverAddress: string,
    clientSide: RequestDispatcher,
    serverSide: RequestDispatcher,
    turns: EventLoopTurns = new EventLoopTurns(),
  ) {
    this.clientEnd = new InProcessChannelEnd(serverAddress, () => serverSide, () => this.serverEnd, turns);
    this.serverEnd = new InProcessChannelEnd(clientAddress, () => clientSide, () => this.clientEnd, turns);
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
    private readonly turns: EventLoopTurns,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  invoke(request: RemotingCommand, _timeoutMillis: number): Promise<RemotingCommand> {
    if (this.isClosed) return Promise.reject(new RemotingError(`channel to ${this.remoteAddress} is closed`, 'closed'));
    const answer = this.peerDispatcher().dispatchNow(this.peerEnd(), request);
    return answer instanceof Promise ? answer.then((response) => this.answered(request, response)) : this.answered(request, answer);
  }

  private answered(request: RemotingCommand, response: RemotingCommand | null): Promise<RemotingCommand> {
    if (!response) return Promise.reject(new RemotingError(`no response from ${this.remoteAddress} for code ${request.code}`, 'send'));
    const turn = this.turns.maybeYield();
    return turn ? turn.then(() => response) : Promise.resolve(response);
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
