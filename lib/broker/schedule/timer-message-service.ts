import { Logger } from '@nestjs/common';
import { MessageConst, string2messageProperties } from '../../message/index.js';
import { decodeStoredMessage, MessageExtBrokerInner, MessageStore, PutMessageStatus } from '../../store/index.js';
import { toInnerMessage } from './inner-message.js';
import { TimerHeap } from './timer-heap.js';
import { DueTimer, RETRY_AFTER_FAILURE_MILLIS } from './due-timer.js';

/** Deliveries done in one timer callback before yielding the event loop to other work. */
const MAX_DELIVERIES_PER_TURN = 1000;

/** Property set on parked timer messages: the delivery time in epoch ms (MessageConst.PROPERTY_TIMER_OUT_MS). */
export const PROPERTY_TIMER_OUT_MS = 'TIMER_OUT_MS';

/** Properties a delivered timer message no longer carries. */
const TIMER_PROPERTIES = [
  PROPERTY_TIMER_OUT_MS,
  MessageConst.PROPERTY_TIMER_DELIVER_MS,
  MessageConst.PROPERTY_TIMER_DELAY_SEC,
  MessageConst.PROPERTY_TIMER_DELAY_MS,
  MessageConst.PROPERTY_REAL_TOPIC,
  MessageConst.PROPERTY_REAL_QUEUE_ID,
];

export interface TimerMessageServiceOptions {
  messageStore: MessageStore;
  /** The broker's address, the store host of delivered messages. */
  storeHost: string;
}

/**
 * Delivery at an arbitrary time (RocketMQ 5's timer messages, TimerMessageStore). Messages parked in
 * `rmq_sys_wheel_timer` queue 0 (TIMER_OUT_MS = delivery time) are kept in a min-heap of
 * {deliverMs, commitLogOffset}; one setTimeout is armed for the head. Unlike RocketMQ's time wheel, which
 * rounds to timerPrecisionMs (1 s), delivery is to the millisecond and never early.
 *
 * `timerProgressOffset` is the lowest timer-queue offset not yet delivered: a restarted broker rebuilds
 * the heap by scanning the queue from there (messages delivered out of order above it may go out twice,
 * which at-least-once delivery allows).
 */
export class TimerMessageService {
  static readonly TIMER_TOPIC = 'rmq_sys_wheel_timer';
  private readonly logger = new Logger(TimerMessageService.name);
  private readonly heap = new TimerHeap();
  /** Delivered queue offsets above the progress offset, folded in as the progress offset reaches them. */
  private readonly deliveredAhead = new Set<number>();
  private progressOffset = 0;
  private readonly dueTimer = new DueTimer(
    () => this.deliverDue(),
    (err) => this.logger.error(`delivering timer messages failed: ${describe(err)}`),
  );
  private running = false;
  private readonly popped = { deliverMs: 0, phyOffset: 0, queueOffset: 0 };

  constructor(private readonly options: TimerMessageServiceOptions) {}

  /** Lowest timer-queue offset not yet delivered; what the file store persists (timercheck). */
  get timerProgressOffset(): number {
    return this.progressOffset;
  }

  /** Timer messages waiting for their time. */
  get pendingCount(): number {
    return this.heap.size;
  }

  /** Restores persisted progress before start. */
  loadTimerProgressOffset(offset: number): void {
    this.progressOffset = Math.max(0, offset);
  }

  /**
   * Parks a timer message (transformTimerMessage): the real topic and queue go into REAL_TOPIC/REAL_QID,
   * the delivery time into TIMER_OUT_MS, and the message into the timer topic.
   */
  transformTimerMessage(msg: MessageExtBrokerInner, properties: Record<string, string>, deliverMs: number): void {
    properties[PROPERTY_TIMER_OUT_MS] = String(deliverMs);
    properties[MessageConst.PROPERTY_REAL_TOPIC] = msg.topic;
    properties[MessageConst.PROPERTY_REAL_QUEUE_ID] = String(msg.queueId);
    msg.topic = TimerMessageService.TIMER_TOPIC;
    msg.queueId = 0;
  }

  /** Scans the timer queue from the progress offset into the heap, then arms for the earliest. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const store = this.options.messageStore;
    const min = store.getMinOffsetInQueue(TimerMessageService.TIMER_TOPIC, 0);
    const max = store.getMaxOffsetInQueue(TimerMessageService.TIMER_TOPIC, 0);
    this.progressOffset = Math.min(Math.max(this.progressOffset, min), max);
    for (let offset = this.progressOffset; offset < max; offset++) {
      const entry = store.getConsumeQueueEntry(TimerMessageService.TIMER_TOPIC, 0, offset);
      const record = entry && store.selectOneMessageByOffset(entry.phyOffset);
      if (!entry || !record) {
        this.markDelivered(offset);
        continue;
      }
      const deliverMs = Number(decodeStoredMessage(record).properties[PROPERTY_TIMER_OUT_MS]);
      this.heap.push(Number.isFinite(deliverMs) ? deliverMs : 0, entry.phyOffset, offset);
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

  /** Called for every message made visible; timer-topic arrivals join the heap. */
  notifyMessageArriving(topic: string, queueId: number, logicOffset: number, propertiesString: string): void {
    if (!this.running || topic !== TimerMessageService.TIMER_TOPIC) return;
    const entry = this.options.messageStore.getConsumeQueueEntry(topic, queueId, logicOffset);
    if (!entry) return;
    const deliverMs = Number(string2messageProperties(propertiesString)[PROPERTY_TIMER_OUT_MS]);
    const due = Number.isFinite(deliverMs) ? deliverMs : 0;
    this.heap.push(due, entry.phyOffset, logicOffset);
    if (due < this.dueTimer.dueAt) this.arm(due);
  }

  private deliverDue(): void {
    if (!this.running) return;
    let budget = MAX_DELIVERIES_PER_TURN;
    for (;;) {
      const head = this.heap.peekDeliverMs();
      if (head === Number.POSITIVE_INFINITY) return;
      const now = Date.now();
      if (head > now) {
        this.arm(head);
        return;
      }
      if (budget-- <= 0) {
        this.arm(now);
        return;
      }
      this.heap.pop(this.popped);
      const { deliverMs, phyOffset, queueOffset } = this.popped;
      const outcome = this.deliver(phyOffset);
      if (outcome === 'stopped') return;
      if (outcome === 'retry') {
        this.heap.push(deliverMs, phyOffset, queueOffset);
        this.arm(now + RETRY_AFTER_FAILURE_MILLIS);
        return;
      }
      this.markDelivered(queueOffset);
    }
  }

  /** convertMessage + putMessage: the real topic and queue restored, the timer properties dropped. */
  private deliver(phyOffset: number): 'ok' | 'retry' | 'stopped' {
    const store = this.options.messageStore;
    const record = store.selectOneMessageByOffset(phyOffset);
    if (!record) {
      this.logger.warn(`the timer message at commit log offset ${phyOffset} is gone, skipped`);
      return 'ok';
    }
    let inner: MessageExtBrokerInner;
    try {
      const msg = decodeStoredMessage(record);
      const properties = { ...msg.properties };
      const realTopic = properties[MessageConst.PROPERTY_REAL_TOPIC];
      const realQueueId = Number(properties[MessageConst.PROPERTY_REAL_QUEUE_ID]);
      if (!realTopic || !Number.isInteger(realQueueId)) throw new Error('REAL_TOPIC or REAL_QID is missing');
      for (const key of TIMER_PROPERTIES) delete properties[key];
      inner = toInnerMessage(msg, properties, realTopic, realQueueId, this.options.storeHost);
    } catch (err) {
      this.logger.error(`the timer message at offset ${phyOffset} cannot be delivered, skipped: ${describe(err)}`);
      return 'ok';
    }
    const result = store.putMessage(inner);
    if (result instanceof Promise) {
      // The store answers later only under SYNC_FLUSH, after the record is already stored and visible:
      // delivery moves on, and only the flush outcome is left to report.
      void result.then((r) => {
        if (r.status !== PutMessageStatus.PUT_OK) this.logger.warn(`the timer message delivered from offset ${phyOffset} reported ${r.status}`);
      });
      return 'ok';
    }
    if (result.status === PutMessageStatus.PUT_OK) return 'ok';
    if (result.status === PutMessageStatus.SERVICE_NOT_AVAILABLE) return this.running ? 'retry' : 'stopped';
    if (result.status === PutMessageStatus.MESSAGE_ILLEGAL || result.status === PutMessageStatus.PROPERTIES_SIZE_EXCEEDED) {
      this.logger.error(`the timer message at offset ${phyOffset} was refused (${result.remark ?? result.status}), skipped`);
      return 'ok';
    }
    return 'retry';
  }

  private markDelivered(queueOffset: number): void {
    if (queueOffset !== this.progressOffset) {
      if (queueOffset > this.progressOffset) this.deliveredAhead.add(queueOffset);
      return;
    }
    this.progressOffset++;
    while (this.deliveredAhead.delete(this.progressOffset)) this.progressOffset++;
  }

}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
