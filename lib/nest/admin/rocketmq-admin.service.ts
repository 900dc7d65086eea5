import { Injectable } from '@nestjs/common';
import type { MessageQueue } from '../../message/index.js';
import type { MessageExt } from '../../message/index.js';
import { RocketMQAdminError } from '../errors/rocketmq-admin.error.js';
import { RocketMQRuntime } from '../rocketmq-runtime.service.js';

/** One queue's new offset after `resetOffsetByTime`. */
export interface RocketMQResetOffset {
  queue: MessageQueue;
  offset: number;
}

/**
 * Message query and consumer-offset administration (what `mqadmin queryMsgByKey`, `queryMsgById`,
 * `queryMsgByUniqueKey` and `resetOffsetByTime` do), on the app's RocketMQ (the bundled broker or the
 * configured `nameServer`). Injectable wherever `RocketMQModule` is imported. The admin client starts on
 * first use. Failures reject with `RocketMQAdminError` (the client's error as `cause`).
 */
@Injectable()
export class RocketMQAdmin {
  constructor(private readonly runtime: RocketMQRuntime) {}

  /**
   * Messages of `topic` whose KEYS include `key` (the index the broker builds from KEYS), newest stored
   * first as the broker returns them.
   * @param maxNum most messages returned. @default 32
   * @param begin earliest store time, epoch ms. @default 0
   * @param end latest store time, epoch ms. @default no limit
   */
  async queryMessageByKey(topic: string, key: string, maxNum = 32, begin = 0, end = Number.MAX_SAFE_INTEGER): Promise<MessageExt[]> {
    this.check(topic, 'topic', 'queryMessageByKey');
    this.check(key, 'key', 'queryMessageByKey');
    return this.run(`queryMessageByKey(${topic}, ${key})`, (admin) => admin.queryMessageByKey(topic, key, maxNum, begin, end));
  }

  /**
   * The message with this message id, the one producers get as `SendResult.msgId` and consumers as
   * `msgId` (UNIQ_KEY). Resolves to undefined when no such message is stored.
   */
  async queryMessageById(topic: string, msgId: string): Promise<MessageExt | undefined> {
    this.check(topic, 'topic', 'queryMessageById');
    this.check(msgId, 'msgId', 'queryMessageById');
    return this.run(`queryMessageById(${topic}, ${msgId})`, (admin) => admin.queryMessageByUniqKey(topic, msgId));
  }

  /**
   * The message stored at an offset message id (`SendResult.offsetMsgId`: broker address and CommitLog
   * offset), read straight from that broker. Rejects when nothing is stored there.
   */
  async queryMessageByOffsetMsgId(offsetMsgId: string): Promise<MessageExt> {
    this.check(offsetMsgId, 'offsetMsgId', 'queryMessageByOffsetMsgId');
    return this.run(`queryMessageByOffsetMsgId(${offsetMsgId})`, (admin) => admin.viewMessage(offsetMsgId));
  }

  /**
   * Moves `group`'s offsets on every queue of `topic` to the first message stored at or after
   * `timestamp` (back-tracking): running consumers of the group jump there and consume again from it.
   * Resolves to each queue's new offset.
   */
  async resetOffsetByTime(group: string, topic: string, timestamp: number | Date): Promise<RocketMQResetOffset[]> {
    this.check(group, 'group', 'resetOffsetByTime');
    this.check(topic, 'topic', 'resetOffsetByTime');
    const time = timestamp instanceof Date ? timestamp.getTime() : timestamp;
    if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) {
      throw new RocketMQAdminError(`resetOffsetByTime(${group}, ${topic}): timestamp must be a Date or epoch ms >= 0, got ${String(timestamp)}`);
    }
    return this.run(`resetOffsetByTime(${group}, ${topic}, ${new Date(time).toISOString()})`, (admin) => admin.resetOffsetByTime(group, topic, Math.floor(time)));
  }

  private check(value: unknown, name: string, method: string): void {
    if (typeof value !== 'string' || value.length === 0) {
      throw new RocketMQAdminError(`${method}: ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
    }
  }

  private async run<T>(what: string, fn: (admin: Awaited<ReturnType<RocketMQRuntime['adminClient']>>) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.runtime.adminClient());
    } catch (err) {
      if (err instanceof RocketMQAdminError) throw err;
      throw new RocketMQAdminError(`${what} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
  }
}
