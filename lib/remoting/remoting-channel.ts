import { RemotingCommand } from './remoting-command.js';

/**
 * One side of a connection. Both sides can send requests on it: the broker sends
 * NOTIFY_CONSUMER_IDS_CHANGED and CHECK_TRANSACTION_STATE to clients over the client's own connection.
 */
export interface RemotingChannel {
  /** The peer's address, "ip:port" (a client's is what the broker records as born host). */
  readonly remoteAddress: string;
  readonly closed: boolean;
  invoke(request: RemotingCommand, timeoutMillis: number): Promise<RemotingCommand>;
  invokeOneway(request: RemotingCommand): void;
  onClose(listener: () => void): void;
  close(): void;
}

/** Handles requests of one or more codes on the receiving side of a channel. */
export interface RemotingRequestProcessor {
  /** Returns the response, or null for a oneway request or a response sent later. */
  processRequest(
    channel: RemotingChannel,
    request: RemotingCommand,
  ): RemotingCommand | null | Promise<RemotingCommand | null>;
}

export type RequestHandler = RemotingRequestProcessor['processRequest'];
