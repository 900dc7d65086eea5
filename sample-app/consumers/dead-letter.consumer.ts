import { RocketMQContext, RocketMQListener, RocketMQMessageListener } from '../../lib/index.js';
import { EventLogService } from '../events/event-log.service.js';

/**
 * Watches billing's dead-letter queue: messages billing gave up on after maxReconsumeTimes. A real
 * system would alert someone or park them for manual handling (dead letters expire with the store's
 * retention, 3 days by default).
 */
@RocketMQMessageListener({ topic: '%DLQ%billing', consumerGroup: 'billing-dlq-watcher' })
export class DeadLetterConsumer implements RocketMQListener<{ orderId?: string }> {
  constructor(private readonly log: EventLogService) {}

  onMessage(event: { orderId?: string }, ctx: RocketMQContext): void {
    this.log.record('dead-letters', `billing gave up on ${event.orderId ?? ctx.msgId} after ${ctx.reconsumeTimes} failed deliveries (msgId=${ctx.msgId})`);
  }
}
