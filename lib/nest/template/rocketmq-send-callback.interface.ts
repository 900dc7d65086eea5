import type { SendResult, TransactionSendResult } from '../../client/index.js';
import type { ListenerMessageType } from '../interfaces/rocketmq-listener-options.interface.js';
import type { RocketMQLocalTransactionState } from '../interfaces/rocketmq-transaction-listener.interface.js';

/** rocketmq-spring's SendCallback; the returned Promise carries the same outcome. */
export interface RocketMQSendCallback {
  onSuccess(result: SendResult): void;
  onException(error: Error): void;
}

/** Per-send settings of `syncSend`. */
export interface RocketMQSendOptions {
  /** Send timeout, ms. @default the template's `sendMessageTimeout` (3000) */
  timeout?: number;
  /**
   * Delay level 1..18 (by default 1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h; the bundled
   * broker's `broker.messageDelayLevel` changes them), written to the DELAY property. @default 0 (no delay)
   */
  delayLevel?: number;
  /** Business keys (KEYS). @default none */
  keys?: string | string[];
  /** Tag, used when the destination has none. @default the destination's tag */
  tags?: string;
  /** More headers: RocketMQHeaders names or user properties. @default {} */
  headers?: Record<string, unknown>;
}

/** Settings of `sendAndReceive` (request-reply). */
export interface RocketMQRequestOptions {
  /** How long to wait for the reply, ms (the send included). @default 3000 */
  timeout?: number;
  /**
   * What the reply is converted to, as a listener's `messageType`: a class (JSON onto its prototype),
   * `String`, `Buffer`, or `MessageExt` (the raw reply).
   * @default JSON when the reply parses, the string otherwise
   */
  type?: ListenerMessageType | Function;
  /**
   * Send the request to the queue this key hashes to (as `syncSendOrderly`), so requests with one key are
   * consumed in order by an ORDERLY reply listener. @default none (any queue)
   */
  hashKey?: string;
  /** Delay level 1..18 of the request. @default 0 (no delay) */
  delayLevel?: number;
  /** Business keys (KEYS). @default none */
  keys?: string | string[];
  /** More headers: RocketMQHeaders names or user properties. @default {} */
  headers?: Record<string, unknown>;
}

/**
 * What `sendMessageInTransaction` resolves to: the client's TransactionSendResult (`localTransactionState`
 * in the Java client's names COMMIT_MESSAGE / ROLLBACK_MESSAGE / UNKNOW) plus the same outcome in
 * rocketmq-spring's names.
 */
export interface RocketMQTransactionSendResult extends TransactionSendResult {
  /** The local transaction's outcome as COMMIT / ROLLBACK / UNKNOWN. */
  rocketMQLocalTransactionState: RocketMQLocalTransactionState;
}
