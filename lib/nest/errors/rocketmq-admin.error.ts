/**
 * A `RocketMQAdmin` operation failed (message not found, broker error, bad argument). The client's error,
 * when there is one, is the `cause`.
 */
export class RocketMQAdminError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RocketMQAdminError';
  }
}
