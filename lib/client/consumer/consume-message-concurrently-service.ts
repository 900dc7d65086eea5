import { Logger } from '@nestjs/common';
import { isThenable } from '../../common/index.js';
import { MessageExt, MessageQueue } from '../../message/index.js';
import { ConsumeSemaphore } from './consume-semaphore.js';
import { ConsumeHost, ConsumeMessageService } from './consume-message-service.js';
import {
  ConsumeConcurrentlyContext,
  ConsumeConcurrentlyStatus,
  MessageListenerConcurrently,
} from './consumer-enums.js';
import { ProcessQueue } from './process-queue.js';

/** How long a message waits before it is consumed again here when the broker would not take it back. */
export const CONSUME_LOCALLY_AGAIN_DELAY_MILLIS = 5000;

/** The delay level a message that timed out in its handler is retried with (cleanExpireMsg). */
const EXPIRED_MESSAGE_DELAY_LEVEL = 3;

interface InflightBatch {
  msgs: MessageExt[];
  pq: ProcessQueue;
  mq: MessageQueue;
  startedAt: number;
  expired: boolean;
}

/**
 * Concurrent consumption (ConsumeMessageConcurrentlyService): batches of consumeMessageBatchMaxSize
 * messages, at most consumeThreadNumber handler calls at once. A failed message goes back to the broker
 * for a later retry; if the broker cannot take it, it is consumed here again later. Its offset never
 * moves past it until one of the two happened, so nothing is dropped.
 */
export class ConsumeMessageConcurrentlyService implements ConsumeMessageService {
  private readonly logger = new Logger(ConsumeMessageConcurrentlyService.name);
  private readonly semaphore: ConsumeSemaphore;
  private readonly laterTimers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<InflightBatch>();
  private readonly expiryTimer: NodeJS.Timeout;

  constructor(
    private readonly host: ConsumeHost,
    private readonly listener: MessageListenerConcurrently,
    consumeThreadNumber: number,
    private readonly batchMaxSize: number,
    /** consumeTimeout in ms: a handler running longer has its messages retried later. */
    private readonly consumeTimeoutMillis = 15 * 60_000,
  ) {
    this.semaphore = new ConsumeSemaphore(consumeThreadNumber);
    const every = Math.max(20, Math.min(consumeTimeoutMillis, 15 * 60_000));
    this.expiryTimer = setInterval(() => void this.cleanExpiredMessages(), every);
    this.expiryTimer.unref();
  }

  /**
   * cleanExpireMsg: messages whose handler has run past consumeTimeout are sent back for a later retry
   * and their offset moves on, so one stuck handler cannot hold a queue's progress for ever. The
   * handler's eventual result is then ignored.
   */
  private async cleanExpiredMessages(): Promise<void> {
    const now = Date.now();
    for (const batch of this.inflight) {
      if (batch.expired || now - batch.startedAt < this.consumeTimeoutMillis || batch.pq.dropped) continue;
      batch.expired = true;
      const sent = await Promise.all(batch.msgs.map((m) => this.host.sendMessageBack(m, EXPIRED_MESSAGE_DELAY_LEVEL, batch.mq)));
      if (sent.every(Boolean)) {
        this.logger.warn(
          `consumer group ${this.host.groupName}: message(s) ${batch.msgs.map((m) => m.msgId).join(',')} exceeded consumeTimeout (${this.consumeTimeoutMillis} ms); retried later`,
        );
        const offset = batch.pq.removeMessages(batch.msgs);
        if (offset >= 0) this.host.updateOffset(batch.mq, offset, true);
      } else if (this.inflight.has(batch)) {
        batch.expired = false;
      } else {
        // The handler finished while its messages were being sent back, and the broker did not take them all.
        this.consumeLater(batch.msgs, batch.pq, batch.mq);
      }
    }
  }

  submitConsumeRequest(msgs: MessageExt[], pq: ProcessQueue, mq: MessageQueue): void {
    if (msgs.length <= this.batchMaxSize) {
      this.consume(msgs, pq, mq);
      return;
    }
    for (let i = 0; i < msgs.length; i += this.batchMaxSize) {
      this.consume(msgs.slice(i, i + this.batchMaxSize), pq, mq);
    }
  }

  /** Not async: a promise per consumed message was the consumer's largest allocation. */
  private consume(msgs: MessageExt[], pq: ProcessQueue, mq: MessageQueue): void {
    const wait = this.semaphore.acquire();
    if (wait) void wait.then(() => this.consumeNow(msgs, pq, mq));
    else this.consumeNow(msgs, pq, mq);
  }

  /** Runs the listener on a permit already taken. */
  private consumeNow(msgs: MessageExt[], pq: ProcessQueue, mq: MessageQueue): void {
    if (pq.dropped || !this.host.running) {
      this.semaphore.release();
      return;
    }
    const ctx: ConsumeConcurrentlyContext = { messageQueue: mq, delayLevelWhenNextConsume: 0, ackIndex: Number.MAX_SAFE_INTEGER };
    const batch: InflightBatch = { msgs, pq, mq, startedAt: Date.now(), expired: false };
    const now = String(batch.startedAt);
    for (const m of msgs) m.properties.CONSUME_START_TIME = now;
    this.inflight.add(batch);
    let answer: ConsumeConcurrentlyStatus | undefined | PromiseLike<ConsumeConcurrentlyStatus | undefined>;
    try {
      answer = this.listener.consumeMessage(msgs, ctx);
    } catch (err) {
      this.consumed(this.failed(msgs, err), ctx, batch);
      return;
    }
    if (isThenable(answer)) {
      answer.then(
        (status) => this.consumed(status, ctx, batch),
        (err: unknown) => this.consumed(this.failed(msgs, err), ctx, batch),
      );
    } else {
      this.consumed(answer, ctx, batch);
    }
  }

  private failed(msgs: MessageExt[], err: unknown): ConsumeConcurrentlyStatus {
    this.logger.warn(`consumer group ${this.host.groupName} failed on message ${msgs.map((m) => m.msgId).join(',')}: ${describe(err)}`);
    return ConsumeConcurrentlyStatus.RECONSUME_LATER;
  }

  private consumed(answer: ConsumeConcurrentlyStatus | undefined, ctx: ConsumeConcurrentlyContext, batch: InflightBatch): void {
    const { msgs, pq, mq } = batch;
    this.inflight.delete(batch);
    this.semaphore.release();
    if (batch.expired) return;
    const status = answer ?? ConsumeConcurrentlyStatus.RECONSUME_LATER;
    if (status === ConsumeConcurrentlyStatus.CONSUME_SUCCESS && ctx.ackIndex >= msgs.length - 1) {
      // Everything consumed: nothing to send back, so no async step.
      if (pq.dropped) return;
      const offset = pq.removeMessages(msgs);
      if (offset >= 0) this.host.updateOffset(mq, offset, true);
      return;
    }
    void this.processConsumeResult(status, ctx, msgs, pq, mq);
  }

  private async processConsumeResult(
    status: ConsumeConcurrentlyStatus,
    ctx: ConsumeConcurrentlyContext,
    msgs: MessageExt[],
    pq: ProcessQueue,
    mq: MessageQueue,
  ): Promise<void> {
    const ackIndex =
      status === ConsumeConcurrentlyStatus.CONSUME_SUCCESS ? Math.min(ctx.ackIndex, msgs.length - 1) : -1;
    const failed = msgs.slice(ackIndex + 1);
    let keep: MessageExt[] = [];
    if (failed.length > 0) {
      if (this.host.isBroadcasting) {
        // Broadcasting never retries (RocketMQ drops the message); say so, with the ids.
        for (const m of failed) {
          this.logger.warn(`broadcasting consumer ${this.host.groupName} dropped message ${m.msgId} after a failure`);
        }
      } else {
        const results = await Promise.all(
          failed.map((m) => this.host.sendMessageBack(m, ctx.delayLevelWhenNextConsume, mq)),
        );
        keep = failed.filter((_, i) => !results[i]);
      }
    }
    if (pq.dropped) return;
    const done = keep.length === 0 ? msgs : msgs.filter((m) => !keep.includes(m));
    const offset = pq.removeMessages(done);
    if (offset >= 0) this.host.updateOffset(mq, offset, true);
    if (keep.length > 0) {
      for (const m of keep) m.reconsumeTimes++;
      this.consumeLater(keep, pq, mq);
    }
  }

  private consumeLater(msgs: MessageExt[], pq: ProcessQueue, mq: MessageQueue): void {
    const timer = setTimeout(() => {
      this.laterTimers.delete(timer);
      if (!pq.dropped && this.host.running) this.submitConsumeRequest(msgs, pq, mq);
    }, CONSUME_LOCALLY_AGAIN_DELAY_MILLIS);
    timer.unref();
    this.laterTimers.add(timer);
  }

  async shutdown(timeoutMillis: number): Promise<boolean> {
    clearInterval(this.expiryTimer);
    for (const t of this.laterTimers) clearTimeout(t);
    this.laterTimers.clear();
    return this.semaphore.whenIdle(timeoutMillis);
  }
}

export function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
