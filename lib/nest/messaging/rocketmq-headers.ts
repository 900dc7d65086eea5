/**
 * Header names of rocketmq-spring's `RocketMQHeaders`. On send, KEYS / TAGS / FLAG / WAIT / DELAY /
 * TRANSACTION_ID set the message's system fields (with or without the `rocketmq_` prefix); any other
 * header becomes a user property. The rest (TOPIC, MESSAGE_ID, QUEUE_ID, BORN_*, SYS_FLAG) describe a
 * received message and are ignored on send.
 */
export const RocketMQHeaders = {
  PREFIX: 'rocketmq_',
  KEYS: 'KEYS',
  TAGS: 'TAGS',
  TOPIC: 'TOPIC',
  MESSAGE_ID: 'MESSAGE_ID',
  BORN_TIMESTAMP: 'BORN_TIMESTAMP',
  BORN_HOST: 'BORN_HOST',
  FLAG: 'FLAG',
  QUEUE_ID: 'QUEUE_ID',
  SYS_FLAG: 'SYS_FLAG',
  TRANSACTION_ID: 'TRANSACTION_ID',
  DELAY: 'DELAY',
  WAIT: 'WAIT',
} as const;

export type RocketMQHeaderName = (typeof RocketMQHeaders)[Exclude<keyof typeof RocketMQHeaders, 'PREFIX'>];
