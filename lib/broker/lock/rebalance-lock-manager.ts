import { Logger } from '@nestjs/common';
import { MessageQueue, messageQueueKey } from '../../message/index.js';

/**
 * How long a lock lives without being renewed (rebalanceLockMaxLiveTime): clients renew every 20 s, so a
 * holder that stopped renewing for 60 s is gone.
 * @default 60000
 */
export const REBALANCE_LOCK_MAX_LIVE_TIME = 60_000;

interface LockEntry {
  clientId: string;
  lastUpdateTimestamp: number;
}

/**
 * Broker-side queue locks of orderly consumers (RebalanceLockManager): one owner per consumer group and
 * queue, so two members never consume one queue at once while the rebalance hands it over.
 */
export class RebalanceLockManager {
  private readonly logger = new Logger(RebalanceLockManager.name);
  /** group -> queue key -> lock */
  private readonly mqLockTable = new Map<string, Map<string, LockEntry>>();

  constructor(private readonly lockMaxLiveTimeMillis: number = REBALANCE_LOCK_MAX_LIVE_TIME) {}

  /** Locks (or renews) what is free, expired or already `clientId`'s; returns the queues it now holds. */
  tryLockBatch(group: string, mqs: MessageQueue[], clientId: string, now = Date.now()): MessageQueue[] {
    let table = this.mqLockTable.get(group);
    if (!table) this.mqLockTable.set(group, (table = new Map()));
    const locked: MessageQueue[] = [];
    for (const mq of mqs) {
      const key = messageQueueKey(mq);
      const entry = table.get(key);
      if (!entry || entry.clientId === clientId || this.isExpired(entry, now)) {
        if (entry && entry.clientId !== clientId) {
          this.logger.warn(`group ${group}: lock of ${key} expired for ${entry.clientId}; now held by ${clientId}`);
        }
        table.set(key, { clientId, lastUpdateTimestamp: now });
        locked.push(mq);
      }
    }
    return locked;
  }

  /** Releases the queues `clientId` holds; another client's lock stays. */
  unlockBatch(group: string, mqs: MessageQueue[], clientId: string): void {
    const table = this.mqLockTable.get(group);
    if (!table) return;
    for (const mq of mqs) {
      const key = messageQueueKey(mq);
      if (table.get(key)?.clientId === clientId) table.delete(key);
    }
    if (table.size === 0) this.mqLockTable.delete(group);
  }

  /**
   * Releases every lock a client holds in a group. Called when it leaves the group (unregister or its
   * connection closed): waiting out the 60 s expiry would stall an orderly queue a dead member held.
   */
  unlockAll(group: string, clientId: string): void {
    const table = this.mqLockTable.get(group);
    if (!table) return;
    for (const [key, entry] of [...table]) if (entry.clientId === clientId) table.delete(key);
    if (table.size === 0) this.mqLockTable.delete(group);
  }

  isLocked(group: string, mq: MessageQueue, clientId: string, now = Date.now()): boolean {
    const entry = this.mqLockTable.get(group)?.get(messageQueueKey(mq));
    return !!entry && entry.clientId === clientId && !this.isExpired(entry, now);
  }

  private isExpired(entry: LockEntry, now: number): boolean {
    return now - entry.lastUpdateTimestamp > this.lockMaxLiveTimeMillis;
  }
}
