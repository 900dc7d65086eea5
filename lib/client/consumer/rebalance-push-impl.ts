import { Logger } from '@nestjs/common';
import { MessageQueue, compareMessageQueues, messageQueueKey } from '../../message/index.js';
import { SubscriptionData } from '../impl/subscription-data.js';
import { AllocateMessageQueueStrategy } from './allocate/allocate-message-queue-strategy.js';
import { MessageModel } from './consumer-enums.js';
import { ProcessQueue } from './process-queue.js';

/** One queue a consumer owns, and where its next pull starts (PullRequest). */
export interface PullRequest {
  consumerGroup: string;
  messageQueue: MessageQueue;
  processQueue: ProcessQueue;
  nextOffset: number;
}

/** What the rebalance needs from its push consumer. */
export interface RebalanceHost {
  readonly groupName: string;
  readonly clientId: string;
  readonly messageModel: MessageModel;
  readonly allocateMessageQueueStrategy: AllocateMessageQueueStrategy;
  findConsumerIdList(topic: string): Promise<string[]>;
  computePullFromWhere(mq: MessageQueue): Promise<number>;
  /** A queue leaves this consumer: persist its offset and forget it. */
  removeUnnecessaryMessageQueue(mq: MessageQueue, pq: ProcessQueue): Promise<void>;
  dispatchPullRequest(request: PullRequest): void;
  /** Orderly clustering: a queue is taken only once the broker locked it for this client. */
  readonly lockQueuesOnBroker?: boolean;
  /** LOCK_BATCH_MQ to one broker; resolves the queues locked (none when the broker cannot be reached). */
  lockBatch(brokerName: string, mqs: MessageQueue[]): Promise<MessageQueue[]>;
}

/**
 * Client-side rebalance (RebalanceImpl / RebalancePushImpl): every member sorts the group's client ids
 * and the topic's queues the same way and takes its share, so the group agrees without a coordinator.
 */
export class RebalancePushImpl {
  readonly subscriptionInner = new Map<string, SubscriptionData>();
  readonly topicSubscribeInfoTable = new Map<string, MessageQueue[]>();
  readonly processQueueTable = new Map<string, { mq: MessageQueue; pq: ProcessQueue }>();
  private readonly logger = new Logger(RebalancePushImpl.name);
  /** The last rebalance was allocated a queue whose lock another member still holds. */
  lockPending = false;

  constructor(private readonly host: RebalanceHost) {}

  async doRebalance(): Promise<void> {
    this.lockPending = false;
    for (const topic of this.subscriptionInner.keys()) {
      try {
        await this.rebalanceByTopic(topic);
      } catch (err) {
        this.logger.warn(`rebalance of topic ${topic} for group ${this.host.groupName} failed: ${String(err)}`);
      }
    }
    for (const [key, { mq, pq }] of this.processQueueTable) {
      if (!this.subscriptionInner.has(mq.topic)) {
        pq.dropped = true;
        this.processQueueTable.delete(key);
        await this.host.removeUnnecessaryMessageQueue(mq, pq);
      }
    }
  }

  private async rebalanceByTopic(topic: string): Promise<void> {
    const mqSet = this.topicSubscribeInfoTable.get(topic);
    if (!mqSet) {
      this.logger.debug(`no route yet for topic ${topic} of group ${this.host.groupName}`);
      return;
    }
    let allocated: MessageQueue[];
    if (this.host.messageModel === MessageModel.BROADCASTING) {
      allocated = mqSet;
    } else {
      const cidAll = await this.host.findConsumerIdList(topic);
      if (cidAll.length === 0) return;
      const mqAll = [...mqSet].sort(compareMessageQueues);
      cidAll.sort();
      allocated = this.host.allocateMessageQueueStrategy.allocate(this.host.groupName, this.host.clientId, mqAll, cidAll);
    }
    await this.updateProcessQueueTableInRebalance(topic, allocated);
  }

  private async updateProcessQueueTableInRebalance(topic: string, allocated: MessageQueue[]): Promise<void> {
    const wanted = new Set(allocated.map(messageQueueKey));
    for (const [key, { mq, pq }] of this.processQueueTable) {
      if (mq.topic === topic && !wanted.has(key)) {
        pq.dropped = true;
        this.processQueueTable.delete(key);
        await this.host.removeUnnecessaryMessageQueue(mq, pq);
      }
    }
    const requests: PullRequest[] = [];
    await Promise.all(
      allocated.map(async (mq) => {
        const key = messageQueueKey(mq);
        if (this.processQueueTable.has(key)) return;
        if (this.host.lockQueuesOnBroker && !(await this.lock(mq))) {
          // The previous owner has not let go yet (it finishes its in-flight message first).
          this.lockPending = true;
          return;
        }
        const nextOffset = await this.host.computePullFromWhere(mq);
        if (nextOffset < 0 || this.processQueueTable.has(key)) return;
        const pq = new ProcessQueue();
        if (this.host.lockQueuesOnBroker) {
          pq.locked = true;
          pq.lastLockTimestamp = Date.now();
        }
        this.processQueueTable.set(key, { mq, pq });
        requests.push({ consumerGroup: this.host.groupName, messageQueue: mq, processQueue: pq, nextOffset });
      }),
    );
    for (const r of requests) this.host.dispatchPullRequest(r);
  }

  private async lock(mq: MessageQueue): Promise<boolean> {
    const locked = await this.host.lockBatch(mq.brokerName, [mq]);
    return locked.some((m) => messageQueueKey(m) === messageQueueKey(mq));
  }

  /** Renews the locks of every owned queue (lockAll); a queue whose lock is lost stops consuming. */
  async lockAll(): Promise<void> {
    const byBroker = new Map<string, Array<{ mq: MessageQueue; pq: ProcessQueue }>>();
    for (const entry of this.processQueueTable.values()) {
      let list = byBroker.get(entry.mq.brokerName);
      if (!list) byBroker.set(entry.mq.brokerName, (list = []));
      list.push(entry);
    }
    await Promise.all(
      [...byBroker].map(async ([brokerName, entries]) => {
        const locked = new Set((await this.host.lockBatch(brokerName, entries.map((e) => e.mq))).map(messageQueueKey));
        const now = Date.now();
        for (const { mq, pq } of entries) {
          if (locked.has(messageQueueKey(mq))) {
            pq.locked = true;
            pq.lastLockTimestamp = now;
          } else if (pq.locked) {
            this.logger.warn(`group ${this.host.groupName}: lost the broker lock of ${messageQueueKey(mq)}`);
            pq.locked = false;
          }
        }
      }),
    );
  }

  dropAll(): void {
    for (const { pq } of this.processQueueTable.values()) pq.dropped = true;
  }
}
