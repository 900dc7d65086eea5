import { createHash } from 'node:crypto';
import { MessageQueue, messageQueueKey } from '../../../message/index.js';
import { AllocateMessageQueueStrategy } from './allocate-message-queue-strategy.js';

/**
 * Members on a hash ring with virtual nodes; each queue goes to the next member clockwise, so a member
 * joining or leaving moves few queues.
 */
export class AllocateMessageQueueConsistentHash implements AllocateMessageQueueStrategy {
  readonly name = 'CONSISTENT_HASH';

  constructor(private readonly virtualNodeCnt = 10) {
    if (virtualNodeCnt < 1) throw new RangeError('virtualNodeCnt must be at least 1');
  }

  allocate(_group: string, currentCID: string, mqAll: MessageQueue[], cidAll: string[]): MessageQueue[] {
    if (!cidAll.includes(currentCID)) return [];
    const ring: Array<{ hash: bigint; cid: string }> = [];
    for (const cid of cidAll) {
      for (let i = 0; i < this.virtualNodeCnt; i++) ring.push({ hash: md5Long(`${cid}-${i}`), cid });
    }
    ring.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
    return mqAll.filter((mq) => {
      const h = md5Long(messageQueueKey(mq));
      const node = ring.find((n) => n.hash >= h) ?? ring[0];
      return node.cid === currentCID;
    });
  }
}

function md5Long(key: string): bigint {
  const digest = createHash('md5').update(key).digest();
  return digest.readBigUInt64LE(0);
}
