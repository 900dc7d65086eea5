/** A remoting call could not complete: the peer is gone, the call timed out, or the channel closed. */
export class RemotingError extends Error {
  constructor(
    message: string,
    readonly kind: 'connect' | 'timeout' | 'send' | 'closed' = 'send',
  ) {
    super(message);
    this.name = 'RemotingError';
  }
}
