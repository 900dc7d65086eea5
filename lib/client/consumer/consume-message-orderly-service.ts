import { Logger } from '@nestjs/common';
import { MessageExt, MessageQueue } from '../../message/index.js';
import { ConsumeSemaphore } from './consume-semaphore.js';
import { describe } from './consume-message-concurrently-service.js';
import { ConsumeHost, ConsumeMessageService } from './consume-message-service.js';
import { ConsumeOrderlyContext, ConsumeOrderlyStatus, MessageListenerOrderly } from './consumer-enums.js';
import { ProcessQueue } from './process-queue.js';

/** Pause before an orderly queue whose broker lock is missing looks again (tryLockLaterAndReconsume). */
const LOCK_RETRY_DELAY_MILLIS = 100;

/**
 * Orderly consumption (ConsumeMessageOrderlyService): one consume loop per queue, so a queue's messages
 * reach the handler one batch at a time in offset order, while different queues run side by side up to
 * consumeThreadNumber. A failure suspends only its own queue for suspendCurrentQueueTimeMillis and
 * retries the same messages.
 */
export class ConsumeMessageOrderlyService implements ConsumeMessageService {
  private readonly logger = new Logger(ConsumeMessageOrderlyService.name);
  private readonly semaphore: ConsumeSemaphore;
  private readonly suspendTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly host: ConsumeHost,
    private readonly listener: MessageListenerOrderly,
    consumeThreadNumber: number,
    private readonly batchMaxSize: number,
    private readonly suspendCurrentQueueTimeMillis: number,
  ) {
    this.semaphore = new ConsumeSemaphore(consumeThreadNumber);
  }

  submitConsumeRequest(_msgs: MessageExt[], pq: ProcessQueue, mq: MessageQueue): void {
    if (pq.consuming || pq.dropped) return;
    pq.consuming = true;
    void this.consumeLoop(pq, mq);
  }

  private async consumeLoop(pq: ProcessQueue, mq: MessageQueue): Promise<void> {
    let suspendMillis = -1;
    while (!pq.dropped && this.host.running) {
      if (this.host.lockQueuesOnBroker && (!pq.locked || pq.isLockExpired())) {
        // Another member may own the queue now; the periodic re-lock (or the rebalance) decides.
        suspendMillis = LOCK_RETRY_DELAY_MILLIS;
        break;
      }
      const msgs = pq.takeMessages(this.batchMaxSize);
      if (msgs.length === 0) break;
      const ctx: ConsumeOrderlyContext = {
        messageQueue: mq,
        autoCommit: true,
        suspendCurrentQueueTimeMillis: this.suspendCurrentQueueTimeMillis,
      };
      const wait = this.semaphore.acquire();
      if (wait) await wait;
      let status: ConsumeOrderlyStatus;
      try {
        const now = String(Date.now());
        for (const m of msgs) m.properties.CONSUME_START_TIME = now;
        status = (await this.listener.consumeMessage(msgs, ctx)) ?? ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
      } catch (err) {
        this.logger.warn(
          `orderly consumer group ${this.host.groupName} failed on message ${msgs.map((m) => m.msgId).join(',')} of queue ${mq.queueId}: ${describe(err)}`,
        );
        status = ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
      } finally {
        this.semaphore.release();
      }
      if (status === ConsumeOrderlyStatus.SUCCESS) {
        // Committed even when the queue was just given up: the member that takes it over starts after this
        // batch instead of consuming it a second time (the hand-over waits for this loop to end).
        const offset = pq.commit();
        if (offset >= 0) this.host.updateOffset(mq, offset, false);
        continue;
      }
      if (pq.dropped) break;
      const again = await this.retriesLeft(msgs, mq);
      if (again.length === 0) {
        // Every message of the batch used up its retries and is now in the DLQ: the queue moves on.
        const offset = pq.commit();
        if (offset >= 0) this.host.updateOffset(mq, offset, false);
        continue;
      }
      pq.makeMessagesToConsumeAgain(again);
      suspendMillis = ctx.suspendCurrentQueueTimeMillis;
      break;
    }
    pq.consuming = false;
    if (pq.dropped || !this.host.running) return;
    if (suspendMillis >= 0) {
      const timer = setTimeout(() => {
        this.suspendTimers.delete(timer);
        this.submitConsumeRequest([], pq, mq);
      }, suspendMillis);
      timer.unref();
      this.suspendTimers.add(timer);
    } else if (pq.hasPending()) {
      this.submitConsumeRequest([], pq, mq);
    }
  }

  /**
   * checkReconsumeTimes: a message that failed maxReconsumeTimes times goes to the DLQ instead of blocking
   * its queue for ever; the others are counted and returned, to be retried in place. A message the broker
   * could not take stays, so nothing is lost.
   */
  private async retriesLeft(msgs: MessageExt[], mq: MessageQueue): Promise<MessageExt[]> {
    const max = this.host.maxReconsumeTimes < 0 ? Number.MAX_SAFE_INTEGER : this.host.maxReconsumeTimes;
    const again: MessageExt[] = [];
    for (const m of msgs) {
      if (m.reconsumeTimes >= max && (await this.host.sendMessageBack(m, -1, mq))) {
        this.logger.warn(`orderly consumer group ${this.host.groupName}: message ${m.msgId} failed ${m.reconsumeTimes + 1} times; moved to the DLQ`);
        continue;
      }
      m.reconsumeTimes++;
      again.push(m);
    }
    return again;
  }

  async shutdown(timeoutMillis: number): Promise<boolean> {
    for (const t of this.suspendTimers) clearTimeout(t);
    this.suspendTimers.clear();
    return this.semaphore.whenIdle(timeoutMillis);
  }
}
