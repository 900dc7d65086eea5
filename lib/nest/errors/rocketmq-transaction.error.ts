import { RocketMQSendError } from './rocketmq-send.error.js';

/**
 * A transactional send cannot be made: no `@RocketMQTransactionListener` is bound to the template, or
 * the message asks for what RocketMQ forbids in a transaction (a delay, a batch). Being a
 * `RocketMQSendError`, it carries the destination; a failure of the send itself is a plain `RocketMQSendError`.
 */
export class RocketMQTransactionError extends RocketMQSendError {
  constructor(message: string, options: { cause?: unknown; destination?: string } = {}) {
    super(message, options);
    this.name = 'RocketMQTransactionError';
  }
}

/**
 * `@RocketMQTransactionListener` classes are misconfigured: bound to a template that does not exist, a
 * second listener for one template, a missing callback, a bad attribute. Thrown at module init with
 * every problem listed (class name each).
 */
export class RocketMQTransactionListenerConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid @RocketMQTransactionListener: ${problems[0]}`
        : `Invalid @RocketMQTransactionListener configuration (${problems.length} problems):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'RocketMQTransactionListenerConfigError';
  }
}
