import { MessageQueue } from '../../../message/index.js';
import { AllocateMessageQueueStrategy } from './allocate-message-queue-strategy.js';

/**
 * Only queues of brokers in the given machine rooms, whose broker names read `<room>@<name>`; those are
 * shared averagely, the remainder dealt one each to the first members.
 */
export class AllocateMessageQueueByMachineRoom implements AllocateMessageQueueStrategy {
  readonly name = 'MACHINE_ROOM';

  constructor(private readonly consumeridcs: string[]) {}

  allocate(_group: string, currentCID: string, mqAll: MessageQueue[], cidAll: string[]): MessageQueue[] {
    const index = cidAll.indexOf(currentCID);
    if (index < 0) return [];
    const premq = mqAll.filter((mq) => {
      const parts = mq.brokerName.split('@');
      return parts.length === 2 && this.consumeridcs.includes(parts[0]);
    });
    const mod = Math.floor(premq.length / cidAll.length);
    const rem = premq.length % cidAll.length;
    const out = premq.slice(index * mod, index * mod + mod);
    if (index < rem) out.push(premq[mod * cidAll.length + index]);
    return out;
  }
}
