import { RemotingRequestProcessor } from './remoting-channel.js';
import { RemotingCommand } from './remoting-command.js';

/**
 * What the RocketMQ client needs from a transport: requests to an address, and processors for the
 * requests brokers send back (NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE, ...).
 */
export interface RemotingClient {
  invoke(address: string, request: RemotingCommand, timeoutMillis: number): Promise<RemotingCommand>;
  invokeOneway(address: string, request: RemotingCommand): void;
  registerProcessor(code: number, processor: RemotingRequestProcessor): void;
  /** Closes the connection to one address (the next call reconnects). */
  closeChannel(address: string): void;
  shutdown(): void;
}
