/**
 * A payload could not be turned into a message body, or a received body into the listener's payload type.
 * On the consumer side this fails the consumption, so the message is retried (and ends in the DLQ if it
 * never converts).
 */
export class RocketMQMessageConversionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RocketMQMessageConversionError';
  }
}
