import { RocketMQSendError } from './rocketmq-send.error.js';

/**
 * `sendAndReceive` got no reply within its timeout. The request itself was sent (and may still be
 * consumed); nobody answered in time. Names the destination and the timeout.
 */
export class RocketMQRequestTimeoutError extends RocketMQSendError {
  constructor(
    message: string,
    options: { cause?: unknown; destination: string; timeout: number },
  ) {
    super(message, options);
    this.name = 'RocketMQRequestTimeoutError';
    this.timeout = options.timeout;
  }

  /** The timeout that passed, ms. */
  readonly timeout: number;
}
