import type { RocketMQMessage } from '../messaging/rocketmq-message.js';

/**
 * What a local transaction decided (rocketmq-spring's RocketMQLocalTransactionState). `UNKNOW` is the
 * Java client's spelling, accepted as an alias of `UNKNOWN`.
 */
export enum RocketMQLocalTransactionState {
  /** The local transaction committed: the message becomes visible to consumers. */
  COMMIT = 'COMMIT',
  /** The local transaction rolled back: the message is dropped and never consumed. */
  ROLLBACK = 'ROLLBACK',
  /** Not decided yet: the broker asks again later with `checkLocalTransaction`. */
  UNKNOWN = 'UNKNOWN',
  /** Alias of `UNKNOWN` (the Java client's `LocalTransactionState.UNKNOW`). */
  UNKNOW = 'UNKNOWN',
}

/**
 * What a `@RocketMQTransactionListener` class implements (rocketmq-spring's
 * RocketMQLocalTransactionListener). Both callbacks get the full message: payload, body, headers with
 * keys, tags, topic, message id and transaction id, user properties, and the raw client message.
 * Either may be async.
 */
export interface RocketMQLocalTransactionListener {
  /**
   * Runs the local transaction after the half message was stored (invisible to consumers). Return COMMIT
   * to publish the message, ROLLBACK to drop it, UNKNOWN to let the broker ask later. Throwing counts as
   * UNKNOWN (logged). Record `msg.transactionId` with your business write, in the same local transaction,
   * so `checkLocalTransaction` can look it up.
   */
  executeLocalTransaction(msg: RocketMQMessage, arg: unknown): RocketMQLocalTransactionState | Promise<RocketMQLocalTransactionState>;
  /**
   * Answers the broker's check-back for a half message still undecided after `transactionTimeOut`: look
   * up the outcome (do not run the business again). Throwing counts as UNKNOWN (checked again later, up
   * to the broker's `transactionCheckMax`, after which the broker drops the message).
   */
  checkLocalTransaction(msg: RocketMQMessage): RocketMQLocalTransactionState | Promise<RocketMQLocalTransactionState>;
}

/** Attributes of `@RocketMQTransactionListener`, with rocketmq-spring's names and defaults. */
export interface RocketMQTransactionListenerOptions {
  /**
   * The template whose producer this listener serves: `'rocketMQTemplate'` (the default template) or the
   * name of a `templates` entry. One listener per template.
   * @default 'rocketMQTemplate'
   */
  rocketMQTemplateBeanName?: string;
  /**
   * Accepted for rocketmq-spring compatibility; not needed in Node, where callbacks run on the event loop
   * and may be async (no thread pool is created).
   * @default 1
   */
  corePoolSize?: number;
  /** Accepted, not needed in Node (see `corePoolSize`). @default 1 */
  maximumPoolSize?: number;
  /** Accepted, not needed in Node (see `corePoolSize`), ms. @default 60000 */
  keepAliveTime?: number;
  /** Accepted, not needed in Node (see `corePoolSize`). @default 2000 */
  blockingQueueSize?: number;
}
