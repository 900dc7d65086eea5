import { Logger } from '@nestjs/common';
import { MessageQueue, messageQueueKey } from '../../message/index.js';
import { MQClientInstance } from '../impl/mq-client-instance.js';

/** Where a consumer's progress lives (OffsetStore). */
export interface OffsetStore {
  /** The offset to start from: memory first, then the store when asked; -1 when there is none. */
  readOffset(mq: MessageQueue, fromStore: boolean): Promise<number>;
  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void;
  persistAll(mqs: MessageQueue[]): Promise<void>;
  persist(mq: MessageQueue): Promise<void>;
  removeOffset(mq: MessageQueue): void;
  /** The in-memory offset, for piggy-backing on pulls; -1 when unknown. */
  peekOffset(mq: MessageQueue): number;
}

/** Offsets kept by the broker, for clustering consumers (RemoteBrokerOffsetStore). */
export class RemoteBrokerOffsetStore implements OffsetStore {
  private readonly logger = new Logger(RemoteBrokerOffsetStore.name);
  private readonly offsetTable = new Map<string, { mq: MessageQueue; offset: number; persisted: number }>();

  constructor(
    private readonly instance: MQClientInstance,
    private readonly groupName: string,
    /**
     * Whether the broker may answer "0" for a group it has no offset for while the queue still starts at
     * 0, as RocketMQ does by default. A consumer starting from a timestamp turns it off, so that the
     * timestamp decides.
     */
    private readonly setZeroIfNotFound = true,
  ) {}

  async readOffset(mq: MessageQueue, fromStore: boolean): Promise<number> {
    const entry = this.offsetTable.get(messageQueueKey(mq));
    if (!fromStore && entry) return entry.offset;
    const addr = await this.brokerAddr(mq);
    const offset = await this.instance.api.queryConsumerOffset(
      addr,
      this.groupName,
      mq,
      this.instance.timeout,
      this.setZeroIfNotFound ? undefined : false,
    );
    if (offset >= 0) this.updateOffset(mq, offset, false, offset);
    return offset;
  }

  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean, persisted = -1): void {
    const key = messageQueueKey(mq);
    const entry = this.offsetTable.get(key);
    if (!entry) {
      this.offsetTable.set(key, { mq, offset, persisted });
    } else if (!increaseOnly || offset > entry.offset) {
      entry.offset = offset;
    }
  }

  peekOffset(mq: MessageQueue): number {
    return this.offsetTable.get(messageQueueKey(mq))?.offset ?? -1;
  }

  async persistAll(mqs: MessageQueue[]): Promise<void> {
    await Promise.all(mqs.map((mq) => this.persist(mq)));
  }

  async persist(mq: MessageQueue): Promise<void> {
    const entry = this.offsetTable.get(messageQueueKey(mq));
    if (!entry || entry.offset < 0 || entry.offset === entry.persisted) return;
    const offset = entry.offset;
    try {
      const addr = await this.brokerAddr(mq);
      await this.instance.api.updateConsumerOffset(addr, this.groupName, mq, offset, this.instance.timeout);
      entry.persisted = offset;
    } catch (err) {
      this.logger.warn(`persisting offset ${offset} of ${messageQueueKey(mq)} for ${this.groupName} failed: ${String(err)}`);
    }
  }

  removeOffset(mq: MessageQueue): void {
    this.offsetTable.delete(messageQueueKey(mq));
  }

  private async brokerAddr(mq: MessageQueue): Promise<string> {
    let addr = this.instance.findBrokerAddressInPublish(mq.brokerName);
    if (!addr) {
      await this.instance.updateTopicRoute(mq.topic);
      addr = this.instance.findBrokerAddressInPublish(mq.brokerName);
    }
    if (!addr) throw new Error(`broker ${mq.brokerName} is not known`);
    return addr;
  }
}

/**
 * Offsets kept by the consumer itself, for broadcasting consumers. They live as long as the consumer:
 * as the seeds describe broadcasting, a restarted member starts from the newest message.
 */
export class LocalOffsetStore implements OffsetStore {
  private readonly offsetTable = new Map<string, number>();

  async readOffset(mq: MessageQueue): Promise<number> {
    return this.offsetTable.get(messageQueueKey(mq)) ?? -1;
  }

  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void {
    const key = messageQueueKey(mq);
    const current = this.offsetTable.get(key);
    if (current === undefined || !increaseOnly || offset > current) this.offsetTable.set(key, offset);
  }

  peekOffset(mq: MessageQueue): number {
    return this.offsetTable.get(messageQueueKey(mq)) ?? -1;
  }

  async persistAll(): Promise<void> {}

  async persist(): Promise<void> {}

  removeOffset(mq: MessageQueue): void {
    this.offsetTable.delete(messageQueueKey(mq));
  }
}
