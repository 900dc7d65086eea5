import { RocketMQContext, RocketMQListener, RocketMQMessageListener } from '../../lib/index.js';
import { EventLogService } from '../events/event-log.service.js';
import { OrderStatusChanged } from '../orders/order.js';

/** Applies status changes strictly in order per order id (ORDERLY: one queue, one handler at a time). */
@RocketMQMessageListener({
  topic: 'order-status',
  consumerGroup: 'order-status-tracker',
  consumeMode: 'ORDERLY',
  messageType: OrderStatusChanged,
})
export class OrderStatusConsumer implements RocketMQListener<OrderStatusChanged> {
  constructor(private readonly log: EventLogService) {}

  onMessage(change: OrderStatusChanged, ctx: RocketMQContext): void {
    this.log.record('order-status', `${change.orderId} -> ${change.status} (queue ${ctx.queueId})`);
  }
}
