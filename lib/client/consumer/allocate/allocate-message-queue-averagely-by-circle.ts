import { MessageQueue } from '../../../message/index.js';
import { AllocateMessageQueueStrategy } from './allocate-message-queue-strategy.js';

/** Deals queues round the members like cards: member i takes queues i, i + n, i + 2n, ... */
export class AllocateMessageQueueAveragelyByCircle implements AllocateMessageQueueStrategy {
  readonly name = 'AVG_BY_CIRCLE';

  allocate(_group: string, currentCID: string, mqAll: MessageQueue[], cidAll: string[]): MessageQueue[] {
    const index = cidAll.indexOf(currentCID);
    if (index < 0) return [];
    return mqAll.filter((_, i) => i % cidAll.length === index);
  }
}
