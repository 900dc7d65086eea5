import { MessageExt, MessageQueue } from '../../message/index.js';

/** CLUSTERING: each message to one member of the group. BROADCASTING: to every member. */
export enum MessageModel {
  CLUSTERING = 'CLUSTERING',
  BROADCASTING = 'BROADCASTING',
}

/** Where a group starts on a queue it has no committed offset for. */
export enum ConsumeFromWhere {
  CONSUME_FROM_LAST_OFFSET = 'CONSUME_FROM_LAST_OFFSET',
  CONSUME_FROM_FIRST_OFFSET = 'CONSUME_FROM_FIRST_OFFSET',
  CONSUME_FROM_TIMESTAMP = 'CONSUME_FROM_TIMESTAMP',
}

export enum ConsumeConcurrentlyStatus {
  CONSUME_SUCCESS = 'CONSUME_SUCCESS',
  RECONSUME_LATER = 'RECONSUME_LATER',
}

export enum ConsumeOrderlyStatus {
  SUCCESS = 'SUCCESS',
  SUSPEND_CURRENT_QUEUE_A_MOMENT = 'SUSPEND_CURRENT_QUEUE_A_MOMENT',
}

export interface ConsumeConcurrentlyContext {
  messageQueue: MessageQueue;
  /** 0: the broker picks the retry delay (3 + reconsumeTimes); >0 a delay level; -1 straight to the DLQ. */
  delayLevelWhenNextConsume: number;
  /** Index of the last message consumed successfully, for a batch. */
  ackIndex: number;
}

export interface ConsumeOrderlyContext {
  messageQueue: MessageQueue;
  autoCommit: boolean;
  suspendCurrentQueueTimeMillis: number;
}

/** Consumes messages in any order, several at once (MessageListenerConcurrently). */
export interface MessageListenerConcurrently {
  readonly orderly?: false;
  consumeMessage(
    msgs: MessageExt[],
    ctx: ConsumeConcurrentlyContext,
  ): ConsumeConcurrentlyStatus | Promise<ConsumeConcurrentlyStatus>;
}

/** Consumes each queue's messages one at a time, in queue order (MessageListenerOrderly). */
export interface MessageListenerOrderly {
  readonly orderly: true;
  consumeMessage(msgs: MessageExt[], ctx: ConsumeOrderlyContext): ConsumeOrderlyStatus | Promise<ConsumeOrderlyStatus>;
}

export type MessageListener = MessageListenerConcurrently | MessageListenerOrderly;
