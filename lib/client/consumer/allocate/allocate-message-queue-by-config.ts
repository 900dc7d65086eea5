import { MessageQueue } from '../../../message/index.js';
import { AllocateMessageQueueStrategy } from './allocate-message-queue-strategy.js';

/** A fixed list of queues, whatever the group looks like. */
export class AllocateMessageQueueByConfig implements AllocateMessageQueueStrategy {
  readonly name = 'CONFIG';

  constructor(private readonly messageQueues: MessageQueue[]) {}

  allocate(): MessageQueue[] {
    return [...this.messageQueues];
  }
}
