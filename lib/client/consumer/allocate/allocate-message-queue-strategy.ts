import { MessageQueue } from '../../../message/index.js';

/** Decides which of a topic's queues one member of a group consumes (AllocateMessageQueueStrategy). */
export interface AllocateMessageQueueStrategy {
  readonly name: string;
  /** mqAll and cidAll arrive sorted, the same on every member, so each computes its own share. */
  allocate(consumerGroup: string, currentCID: string, mqAll: MessageQueue[], cidAll: string[]): MessageQueue[];
}
