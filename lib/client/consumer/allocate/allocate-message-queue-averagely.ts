import { MessageQueue } from '../../../message/index.js';
import { AllocateMessageQueueStrategy } from './allocate-message-queue-strategy.js';

/**
 * Contiguous pages of queues, the first `mod` members taking one more: 3 queues over 2 members is [2, 1]
 * (the default strategy).
 */
export class AllocateMessageQueueAveragely implements AllocateMessageQueueStrategy {
  readonly name = 'AVG';

  allocate(_group: string, currentCID: string, mqAll: MessageQueue[], cidAll: string[]): MessageQueue[] {
    const index = cidAll.indexOf(currentCID);
    if (index < 0 || mqAll.length === 0) return [];
    const mod = mqAll.length % cidAll.length;
    const averageSize =
      mqAll.length <= cidAll.length ? 1 : mod > 0 && index < mod ? Math.floor(mqAll.length / cidAll.length) + 1 : Math.floor(mqAll.length / cidAll.length);
    const startIndex = mod > 0 && index < mod ? index * averageSize : index * averageSize + mod;
    const range = Math.min(averageSize, mqAll.length - startIndex);
    const out: MessageQueue[] = [];
    for (let i = 0; i < range; i++) out.push(mqAll[(startIndex + i) % mqAll.length]);
    return out;
  }
}
