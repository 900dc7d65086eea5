import { RemotingChannel, RemotingCommand } from '../../remoting/index.js';
import { MessageFilter } from '../../store/index.js';

/** A pull parked until a message arrives or its polling time passes (PullRequest). */
export interface PullRequest {
  readonly requestCommand: RemotingCommand;
  readonly clientChannel: RemotingChannel;
  readonly timeoutMillis: number;
  readonly suspendTimestamp: number;
  readonly pullFromThisOffset: number;
  readonly messageFilter: MessageFilter;
  /** Delivers the answer to the waiting caller. */
  readonly respond: (response: RemotingCommand | null) => void;
}
