import type { Type } from '@nestjs/common';
import type { AllocateMessageQueueStrategy } from '../../client/index.js';

/** Tag expression or SQL92 property filter (SelectorType). */
export type SelectorType = 'TAG' | 'SQL92';
/** Concurrently (any order, many at once) or orderly (one at a time per queue) (ConsumeMode). */
export type ConsumeMode = 'CONCURRENTLY' | 'ORDERLY';
/** Each message once per group, or once per instance (MessageModel). */
export type ListenerMessageModel = 'CLUSTERING' | 'BROADCASTING';
/** Where a new group starts (ConsumeFromWhere). */
export type ListenerConsumeFromWhere =
  | 'CONSUME_FROM_LAST_OFFSET'
  | 'CONSUME_FROM_FIRST_OFFSET'
  | 'CONSUME_FROM_TIMESTAMP';

/** Names `allocateMessageQueueStrategy` accepts, rocketmq's short names and the class names alike. */
export type AllocateStrategyName =
  | 'AVG'
  | 'AVG_BY_CIRCLE'
  | 'CONSISTENT_HASH'
  | 'AllocateMessageQueueAveragely'
  | 'AllocateMessageQueueAveragelyByCircle'
  | 'AllocateMessageQueueConsistentHash';

/**
 * The payload type a listener receives: a class (JSON mapped onto its prototype), `String`, `Buffer`,
 * `MessageExt` (the raw message), or `Object` (JSON if the body parses, the string otherwise).
 */
export type ListenerMessageType = Type<unknown> | StringConstructor | typeof Buffer | ObjectConstructor;

/**
 * Attributes of `@RocketMQMessageListener`, with rocketmq-spring's names and defaults. String attributes
 * may hold `${key}` / `${key:default}` placeholders, resolved from the module options at start.
 */
export interface RocketMQMessageListenerOptions {
  /** Consumer group. Required. Listeners of one group must subscribe identically. */
  consumerGroup: string;
  /** Topic to subscribe to. Required. */
  topic: string;
  /** How `selectorExpression` is read. @default 'TAG' */
  selectorType?: SelectorType;
  /**
   * Tag expression (`'*'`, `'a || b'`) or, with `selectorType: 'SQL92'`, a condition on message properties
   * (`"amount > 100 AND region = 'eu'"`), compiled at start. @default '*'
   */
  selectorExpression?: string;
  /** @default 'CONCURRENTLY' */
  consumeMode?: ConsumeMode;
  /** @default 'CLUSTERING' */
  messageModel?: ListenerMessageModel;
  /** Most handlers of this listener running at once. @default 20 */
  consumeThreadNumber?: number;
  /**
   * Retries (through `%RETRY%<group>`) before the message becomes a dead letter in `%DLQ%<group>`;
   * -1 = 16 concurrently, unlimited orderly. @default -1
   */
  maxReconsumeTimes?: number;
  /** Minutes a message may be in a handler before it is sent back for retry. @default 15 */
  consumeTimeout?: number;
  /** How long sending a reply may take, ms: a request (`sendAndReceive`) gets `onMessage`'s return value back. @default 3000 */
  replyTimeout?: number;
  /**
   * Delay level of the retry after a failure (concurrently): 0 lets the broker pick (3 + reconsumeTimes),
   * n uses level n, -1 sends the message straight to the DLQ. @default 0
   */
  delayLevelWhenNextConsume?: number;
  /** Orderly: how long a queue pauses after a failure, ms. @default 1000 */
  suspendCurrentQueueTimeMillis?: number;
  /** How long shutdown waits for in-flight handlers, ms. @default 1000 */
  awaitTerminationMillisWhenShutdown?: number;
  /** Where a new group starts. Only the group's first start uses it. @default 'CONSUME_FROM_LAST_OFFSET' */
  consumeFromWhere?: ListenerConsumeFromWhere;
  /** `yyyyMMddHHmmss`, for CONSUME_FROM_TIMESTAMP. @default 30 minutes before start */
  consumeTimestamp?: string;
  /** Rebalance strategy, by name or instance. @default 'AVG' (AllocateMessageQueueAveragely) */
  allocateMessageQueueStrategy?: AllocateStrategyName | AllocateMessageQueueStrategy;
  /** Messages per pull. @default 32 */
  pullBatchSize?: number;
  /** Messages per handler call (only `batch: true` listeners get them as one array). @default 1 */
  consumeMessageBatchMaxSize?: number;
  /** Hand `onMessage` arrays (payloads, contexts) of up to `consumeMessageBatchMaxSize`. @default false */
  batch?: boolean;
  /** NameServer of this listener. @default the module's (or the bundled broker) */
  nameServer?: string;
  /** @default the module's `consumer.accessKey` */
  accessKey?: string;
  /** @default the module's `consumer.secretKey` */
  secretKey?: string;
  /** @default the module's `consumer.namespace` */
  namespace?: string;
  /** Accepted; message trace comes with a later release. @default the module's `consumer.enableMsgTrace` (false) */
  enableMsgTrace?: boolean;
  /** @default 'RMQ_SYS_TRACE_TOPIC' */
  customizedTraceTopic?: string;
  /** @default the module's `consumer.instanceName` */
  instanceName?: string;
  /** Accepted; TLS comes with the TCP transport. @default false */
  tlsEnable?: boolean;
  /**
   * Payload type handed to `onMessage`.
   * @default the type of `onMessage`'s first parameter when TypeScript emits it and it is a class;
   * otherwise JSON if the body parses, the string if not
   */
  messageType?: ListenerMessageType;
}
