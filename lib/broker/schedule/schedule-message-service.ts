import { Logger } from '@nestjs/common';
import { MessageConst } from '../../message/index.js';
import { decodeStoredMessage, MessageExtBrokerInner, MessageStore, PutMessageStatus } from '../../store/index.js';
import { BrokerPathConfigHelper } from '../config/broker-path-config-helper.js';
import { ConfigManager } from '../config/config-manager.js';
import { RocketMQBrokerConfigError } from '../rocketmq-broker-config.error.js';
import { TopicValidator } from '../topic-validator.js';
import { toInnerMessage } from './inner-message.js';
import { parseMessageDelayLevel } from '../../store/message-delay-level.js';
import { DueTimer, RETRY_AFTER_FAILURE_MILLIS } from './due-timer.js';

/** Deliveries done in one timer callback before yielding the event loop to other work. */
const MAX_DELIVERIES_PER_TURN = 1000;

/** What the schedule service needs from its broker. */
export interface ScheduleMessageServiceOptions {
  messageStore: MessageStore;
  /** The broker's address, the store host of delivered messages. */
  storeHost: string;
  /** messageDelayLevel text, e.g. '1s 5s 10s ...'. */
  messageDelayLevel: string;
  /** Store root whose config/delayOffset.json keeps `delayOffsetTable`; none keeps it in memory only. */
  storePathRootDir?: string;
}

/**
 * Delayed delivery by level (ScheduleMessageService). A message with DELAY = n is parked in
 * SCHEDULE_TOPIC_XXXX queue n-1 with its ConsumeQueue tagsCode set to the delivery time, so due times
 * are read without decoding records. Per level, messages are due in queue order; `delayOffsetTable` holds
 * the next queue offset to deliver for each level.
 *
 * Instead of RocketMQ's 100 ms poll per level, one timer is armed for the earliest head among all levels
 * and re-armed after each run or when an arrival is due sooner: an idle broker costs nothing, and delivery
 * is late only by timer latency.
 *
 * The progress is persisted (delayOffset.json) by the broker's periodic flush and on shutdown; `load()`
 * before `start()` resumes from it. Progress is saved after the deliveries it covers, so a crash repeats
 * at most the deliveries since the last save (at-least-once), never skips one.
 */
export class ScheduleMessageService extends ConfigManager {
  static readonly SCHEDULE_TOPIC = TopicValidator.RMQ_SYS_SCHEDULE_TOPIC;
  private readonly logger = new Logger(ScheduleMessageService.name);
  /** Delay of each level in ms; index 0 is level 1. */
  readonly delayLevelTable: readonly number[];
  /** Level → next SCHEDULE_TOPIC_XXXX queue offset to deliver; what delayOffset.json persists. */
  readonly delayOffsetTable = new Map<number, number>();
  private readonly dueTimer = new DueTimer(
    () => this.deliverDue(),
    (err) => this.logger.error(`delivering delayed messages failed: ${describe(err)}`),
  );
  private running = false;

  constructor(private readonly options: ScheduleMessageServiceOptions) {
    super();
    const levels = parseMessageDelayLevel(options.messageDelayLevel);
    if (typeof levels === 'string') {
      throw new RocketMQBrokerConfigError('broker.messageDelayLevel', `broker option "broker.messageDelayLevel" is invalid: ${levels}`);
    }
    this.delayLevelTable = levels;
  }

  static queueId2DelayLevel(queueId: number): number {
    return queueId + 1;
  }

  static delayLevel2QueueId(delayLevel: number): number {
    return delayLevel - 1;
  }

  get maxDelayLevel(): number {
    return this.delayLevelTable.length;
  }

  computeDeliverTimestamp(delayLevel: number, storeTimestamp: number): number {
    return storeTimestamp + (this.delayLevelTable[delayLevel - 1] ?? 1000);
  }

  /**
   * Parks a message whose DELAY level is above 0 (transformDelayLevelMessage): the level is clamped to the
   * highest, the real topic and queue go into REAL_TOPIC/REAL_QID and tagsCode becomes the due time.
   */
  transformDelayLevelMessage(msg: MessageExtBrokerInner, properties: Record<string, string>, now = Date.now()): void {
    let level = Number(properties[MessageConst.PROPERTY_DELAY_TIME_LEVEL]);
    if (level > this.maxDelayLevel) {
      level = this.maxDelayLevel;
      properties[MessageConst.PROPERTY_DELAY_TIME_LEVEL] = String(level);
    }
    properties[MessageConst.PROPERTY_REAL_TOPIC] = msg.topic;
    properties[MessageConst.PROPERTY_REAL_QUEUE_ID] = String(msg.queueId);
    msg.topic = ScheduleMessageService.SCHEDULE_TOPIC;
    msg.queueId = ScheduleMessageService.delayLevel2QueueId(level);
    msg.tagsCode = this.computeDeliverTimestamp(level, now);
  }

  /** Restores persisted progress (delayOffset.json's offsetTable) before start. */
  loadDelayOffsetTable(table: Record<string, number>): void {
    for (const [level, offset] of Object.entries(table)) this.delayOffsetTable.set(Number(level), Number(offset));
  }

  /** The progress in delayOffset.json's shape. */
  toJSON(): { offsetTable: Record<string, number> } {
    return { offsetTable: Object.fromEntries(this.delayOffsetTable) };
  }

  configFilePath(): string | undefined {
    const root = this.options.storePathRootDir;
    return root === undefined ? undefined : BrokerPathConfigHelper.getDelayOffsetStorePath(root);
  }

  encode(prettyFormat = false): string {
    return JSON.stringify(this.toJSON(), null, prettyFormat ? 2 : undefined);
  }

  decode(jsonString: string): void {
    const parsed = JSON.parse(jsonString) as { offsetTable?: Record<string, unknown> };
    if (!parsed.offsetTable || typeof parsed.offsetTable !== 'object') throw new Error('offsetTable is missing');
    const table: Record<string, number> = {};
    for (const [level, offset] of Object.entries(parsed.offsetTable)) {
      if (Number.isInteger(Number(level)) && typeof offset === 'number' && offset >= 0) table[level] = offset;
    }
    this.loadDelayOffsetTable(table);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const store = this.options.messageStore;
    for (let level = 1; level <= this.maxDelayLevel; level++) {
      const queueId = ScheduleMessageService.delayLevel2QueueId(level);
      const min = store.getMinOffsetInQueue(ScheduleMessageService.SCHEDULE_TOPIC, queueId);
      const max = store.getMaxOffsetInQueue(ScheduleMessageService.SCHEDULE_TOPIC, queueId);
      const offset = this.delayOffsetTable.get(level) ?? min;
      // Progress outside the queue (store replaced, queue truncated) is corrected as correctDelayOffset does.
      this.delayOffsetTable.set(level, Math.min(Math.max(offset, min), max));
    }
    this.deliverDue();
  }

  shutdown(): void {
    this.running = false;
    this.dueTimer.disarm();
  }

  private arm(dueAt: number): void {
    if (this.running) this.dueTimer.arm(dueAt);
  }

  /** Called for every message made visible; re-arms when a schedule arrival is due before the armed time. */
  notifyMessageArriving(topic: string, queueId: number, tagsCode: number): void {
    if (!this.running || topic !== ScheduleMessageService.SCHEDULE_TOPIC) return;
    if (!this.delayOffsetTable.has(ScheduleMessageService.queueId2DelayLevel(queueId))) return;
    if (tagsCode < this.dueTimer.dueAt) this.arm(tagsCode);
  }

  /** Delivers every due message of every level in order, then arms the timer for the next head. */
  private deliverDue(): void {
    if (!this.running) return;
    const store = this.options.messageStore;
    let next = Number.POSITIVE_INFINITY;
    let budget = MAX_DELIVERIES_PER_TURN;
    for (let level = 1; level <= this.maxDelayLevel; level++) {
      const queueId = ScheduleMessageService.delayLevel2QueueId(level);
      const max = store.getMaxOffsetInQueue(ScheduleMessageService.SCHEDULE_TOPIC, queueId);
      let offset = this.delayOffsetTable.get(level) ?? 0;
      while (offset < max) {
        const entry = store.getConsumeQueueEntry(ScheduleMessageService.SCHEDULE_TOPIC, queueId, offset);
        if (!entry) {
          offset++;
          continue;
        }
        const now = Date.now();
        if (entry.tagsCode > now) {
          next = Math.min(next, entry.tagsCode);
          break;
        }
        if (budget-- <= 0) {
          next = now;
          break;
        }
        const delivered = this.deliver(entry.phyOffset, level);
        if (delivered === 'stopped') return;
        if (delivered === 'retry') {
          next = Math.min(next, now + RETRY_AFTER_FAILURE_MILLIS);
          break;
        }
        offset++;
      }
      this.delayOffsetTable.set(level, offset);
    }
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
  }

  /** messageTimeUp: the parked message goes to its real topic and queue with DELAY removed. */
  private deliver(phyOffset: number, level: number): 'ok' | 'retry' | 'stopped' {
    const store = this.options.messageStore;
    const record = store.selectOneMessageByOffset(phyOffset);
    if (!record) {
      this.logger.warn(`delay level ${level}: the message at commit log offset ${phyOffset} is gone, skipped`);
      return 'ok';
    }
    let inner: MessageExtBrokerInner;
    try {
      const msg = decodeStoredMessage(record);
      const properties = { ...msg.properties };
      const realTopic = properties[MessageConst.PROPERTY_REAL_TOPIC];
      const realQueueId = Number(properties[MessageConst.PROPERTY_REAL_QUEUE_ID]);
      if (!realTopic || !Number.isInteger(realQueueId)) throw new Error('REAL_TOPIC or REAL_QID is missing');
      delete properties[MessageConst.PROPERTY_DELAY_TIME_LEVEL];
      delete properties[MessageConst.PROPERTY_TIMER_DELIVER_MS];
      delete properties[MessageConst.PROPERTY_TIMER_DELAY_SEC];
      inner = toInnerMessage(msg, properties, realTopic, realQueueId, this.options.storeHost);
    } catch (err) {
      this.logger.error(`delay level ${level}: the message at offset ${phyOffset} cannot be delivered, skipped: ${describe(err)}`);
      return 'ok';
    }
    const result = store.putMessage(inner);
    if (result instanceof Promise) {
      // The store answers later only under SYNC_FLUSH, after the record is already stored and visible:
      // delivery moves on, and only the flush outcome is left to report.
      void result.then((r) => {
        if (r.status !== PutMessageStatus.PUT_OK) this.logger.warn(`delay level ${level}: the message delivered from offset ${phyOffset} reported ${r.status}`);
      });
      return 'ok';
    }
    if (result.status === PutMessageStatus.PUT_OK) return 'ok';
    if (result.status === PutMessageStatus.SERVICE_NOT_AVAILABLE) return this.running ? 'retry' : 'stopped';
    if (result.status === PutMessageStatus.MESSAGE_ILLEGAL || result.status === PutMessageStatus.PROPERTIES_SIZE_EXCEEDED) {
      this.logger.error(`delay level ${level}: the message at offset ${phyOffset} was refused (${result.remark ?? result.status}), skipped`);
      return 'ok';
    }
    this.logger.warn(`delay level ${level}: delivering the message at offset ${phyOffset} failed (${result.status}), retrying`);
    return 'retry';
  }


}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
