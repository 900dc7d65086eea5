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

/**
 * A listener that answers `RocketMQTemplate.sendAndReceive` requests (rocketmq-spring's
 * RocketMQReplyListener). What `onMessage` returns (or resolves to) is the reply: converted like a
 * template payload (objects as JSON, strings as UTF-8, Buffers as they are) and sent back to the
 * requester within the listener's `replyTimeout`. The rule: a message sent with `sendAndReceive` (it
 * carries CORRELATION_ID and REPLY_TO_CLIENT) gets the return value as its reply; a message sent any other
 * way never gets a reply, whatever `onMessage` returns. Throwing sends no reply (the request is retried
 * like any failed message).
 */
export interface RocketMQReplyListener<T = unknown, R = unknown> {
  onMessage(message: T, context: RocketMQContext): R | Promise<R>;
}
