import type { RocketMQContext } from '../listener/rocketmq-context.js';

/**
 * What a `@RocketMQMessageListener` class implements. Returning (or resolving) acknowledges the message;
 * throwing (or rejecting) has it redelivered later (concurrently) or the queue paused (orderly).
 */
export interface RocketMQListener<T = unknown> {
  onMessage(message: T, context: RocketMQContext): void | Promise<void>;
}

/** A `batch: true` listener: up to `consumeMessageBatchMaxSize` messages per call, all acked or retried together. */
export interface RocketMQBatchListener<T = unknown> {
  onMessage(messages: T[], contexts: RocketMQContext[]): void | Promise<void>;
}
