import type { SendResult } from '../../client/index.js';

/**
 * A template send failed: a bad destination or payload, or the client/broker refused the message. The
 * client's error (MQClientError / MQBrokerError, with its response code) is kept as `cause`.
 */
export class RocketMQSendError extends Error {
  constructor(
    message: string,
    options: {
      cause?: unknown;
      destination?: string;
      /** For a split batch: the results of the chunks that were sent before the failing one. */
      results?: SendResult[];
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RocketMQSendError';
    this.destination = options.destination;
    this.results = options.results ?? [];
  }

  readonly destination?: string;
  readonly results: SendResult[];
}
