import { MessageExt } from '../../message/index.js';
import { ClientConfig } from '../client-config.js';
import { ExpressionType } from '../impl/subscription-data.js';
import { MQClientInstanceProvider } from '../mq-client-manager.js';
import { ConsumeConcurrentlyStatus, ConsumeFromWhere, MessageModel } from './consumer-enums.js';
import { DefaultMQPushConsumer } from './default-mq-push-consumer.js';

/** Settings of a lite pull consumer (rocketmq-spring's `rocketmq.consumer.*` / pull-consumer keys). */
export interface LitePullConsumerOptions {
  consumerGroup: string;
  topic: string;
  /** @default ExpressionType.TAG */
  selectorType?: ExpressionType;
  /** @default '*' */
  selectorExpression?: string;
  /** @default MessageModel.CLUSTERING */
  messageModel?: MessageModel;
  /** Most messages one poll returns. @default 10 */
  pullBatchSize?: number;
  /** @default ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET */
  consumeFromWhere?: ConsumeFromWhere;
  /** How many pulled batches may wait for a poll. @default 4 */
  bufferedBatches?: number;
}

interface Batch {
  msgs: MessageExt[];
  ack: () => void;
}

/**
 * A pull-style consumer (DefaultLitePullConsumer) for `receive`: the group's queues are assigned and
 * pulled in the background as for a push consumer, and `poll` hands out what arrived. A message's offset
 * is committed once a poll has handed it out (auto-commit), so an unpolled message is never lost.
 */
export class DefaultLitePullConsumer {
  private readonly consumer: DefaultMQPushConsumer;
  private readonly ready: Batch[] = [];
  private readonly waiting: Array<(batch: Batch | undefined) => void> = [];
  private stopped = false;

  constructor(options: LitePullConsumerOptions, clientConfig: ClientConfig, manager: MQClientInstanceProvider) {
    const batchSize = options.pullBatchSize ?? 10;
    this.consumer = new DefaultMQPushConsumer(
      {
        consumerGroup: options.consumerGroup,
        messageModel: options.messageModel,
        consumeFromWhere: options.consumeFromWhere,
        pullBatchSize: batchSize,
        consumeMessageBatchMaxSize: batchSize,
        consumeThreadNumber: options.bufferedBatches ?? 4,
        // Unpolled batches are abandoned at shutdown, uncommitted, for the next poller to get.
        awaitTerminationMillisWhenShutdown: 0,
      },
      clientConfig,
      manager,
    );
    this.consumer.subscribe(options.topic, options.selectorExpression ?? '*', options.selectorType ?? ExpressionType.TAG);
    this.consumer.registerMessageListener({
      consumeMessage: (msgs) =>
        new Promise<ConsumeConcurrentlyStatus>((resolve) => {
          this.offer({ msgs, ack: () => resolve(ConsumeConcurrentlyStatus.CONSUME_SUCCESS) });
        }),
    });
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  /** Resolves with the next messages, or an empty list when none arrived within `timeoutMillis`. */
  poll(timeoutMillis = 5000): Promise<MessageExt[]> {
    const batch = this.ready.shift();
    if (batch) return Promise.resolve(this.handOut(batch));
    if (this.stopped) return Promise.resolve([]);
    return new Promise((resolve) => {
      const take = (b: Batch | undefined) => {
        clearTimeout(timer);
        resolve(b ? this.handOut(b) : []);
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(take);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve([]);
      }, timeoutMillis);
      timer.unref();
      this.waiting.push(take);
    });
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiting.splice(0)) w(undefined);
    await this.consumer.shutdown(0);
    // The consumer is stopped and its queues dropped: these acks no longer move any offset.
    for (const b of this.ready.splice(0)) b.ack();
  }

  private offer(batch: Batch): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(batch);
    else this.ready.push(batch);
  }

  private handOut(batch: Batch): MessageExt[] {
    batch.ack();
    return batch.msgs;
  }
}
