import { AllocateMessageQueueStrategy } from './allocate/allocate-message-queue-strategy.js';
import { ConsumeFromWhere, MessageModel } from './consumer-enums.js';

/** Push consumer settings with Apache RocketMQ's defaults (DefaultMQPushConsumer). */
export interface PushConsumerOptions {
  consumerGroup: string;
  /** @default MessageModel.CLUSTERING */
  messageModel?: MessageModel;
  /** Only used the first time a group meets a queue. @default ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET */
  consumeFromWhere?: ConsumeFromWhere;
  /** For CONSUME_FROM_TIMESTAMP, `yyyyMMddHHmmss`. @default half an hour before start */
  consumeTimestamp?: string;
  /** @default new AllocateMessageQueueAveragely() */
  allocateMessageQueueStrategy?: AllocateMessageQueueStrategy;
  /** Most handler calls running at once (consumeThreadMin = consumeThreadMax). @default 20 */
  consumeThreadNumber?: number;
  /** Flow control: most messages cached per queue before pulling pauses. @default 1000 */
  pullThresholdForQueue?: number;
  /** Flow control: most bytes of bodies cached per queue, in MiB. @default 100 */
  pullThresholdSizeForQueue?: number;
  /** @default 32 */
  pullBatchSize?: number;
  /** Messages handed to one listener call. @default 1 */
  consumeMessageBatchMaxSize?: number;
  /** Pause between pulls of one queue, ms; 0 relies on long polling. @default 0 */
  pullInterval?: number;
  /** -1 means 16 for concurrent consumers and unlimited for orderly ones. @default -1 */
  maxReconsumeTimes?: number;
  /** How long an orderly queue waits before retrying a failed message. @default 1000 */
  suspendCurrentQueueTimeMillis?: number;
  /** Minutes a message may be in a handler before it is retried later (fractions allowed). @default 15 */
  consumeTimeout?: number;
  /** How long shutdown waits for handlers still running. @default 1000 */
  awaitTerminationMillisWhenShutdown?: number;
  /** Concurrent consumers pause a queue whose in-flight span exceeds this many offsets. @default 2000 */
  consumeConcurrentlyMaxSpan?: number;
  /** How long a pull may be held by the broker (long polling), ms. @default 15000 */
  brokerSuspendMaxTimeMillis?: number;
}

export const PUSH_CONSUMER_DEFAULTS = {
  messageModel: 'CLUSTERING',
  consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
  consumeThreadNumber: 20,
  pullThresholdForQueue: 1000,
  pullThresholdSizeForQueue: 100,
  pullBatchSize: 32,
  consumeMessageBatchMaxSize: 1,
  pullInterval: 0,
  maxReconsumeTimes: -1,
  suspendCurrentQueueTimeMillis: 1000,
  consumeTimeout: 15,
  awaitTerminationMillisWhenShutdown: 1000,
  consumeConcurrentlyMaxSpan: 2000,
  brokerSuspendMaxTimeMillis: 15_000,
} as const;
