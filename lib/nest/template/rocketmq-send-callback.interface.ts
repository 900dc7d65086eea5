import type { SendResult } from '../../client/index.js';

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
   * Delay level 1..18 (1s 5s 10s 30s 1m ... 2h), written to the DELAY property. The bundled broker's
   * delay service comes with a later release; a real cluster honours it now. @default 0 (no delay)
   */
  delayLevel?: number;
  /** Business keys (KEYS). @default none */
  keys?: string | string[];
  /** Tag, used when the destination has none. @default the destination's tag */
  tags?: string;
  /** More headers: RocketMQHeaders names or user properties. @default {} */
  headers?: Record<string, unknown>;
}
