/** A frame that cannot be decoded; the connection it came from cannot be trusted to stay in sync. */
export class RemotingFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemotingFrameError';
  }
}
