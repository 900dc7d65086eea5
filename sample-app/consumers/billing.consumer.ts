import { UsePipes, ValidationPipe } from '@nestjs/common';
import { RocketMQContext, RocketMQListener, RocketMQMessageListener } from '../../lib/index.js';
import { EventLogService } from '../events/event-log.service.js';
import { OrderCreated } from '../orders/order.js';

/** Customers whose card the payment provider always declines: their orders can never be billed. */
export const BLOCKED_CUSTOMERS = new Set(['mallory']);

/**
 * Bills every new order. A ValidationPipe rejects a malformed event, and a declined card throws: either
 * way the message is not acknowledged and comes back through %RETRY%billing; after 2 retries
 * (maxReconsumeTimes) it is a dead letter in %DLQ%billing, where DeadLetterConsumer records it.
 */
@RocketMQMessageListener({
  topic: 'orders',
  consumerGroup: 'billing',
  selectorExpression: 'created',
  messageType: OrderCreated,
  maxReconsumeTimes: 2,
})
@UsePipes(new ValidationPipe({ transform: true }))
export class BillingConsumer implements RocketMQListener<OrderCreated> {
  constructor(private readonly log: EventLogService) {}

  onMessage(order: OrderCreated, ctx: RocketMQContext): void {
    if (BLOCKED_CUSTOMERS.has(order.customer)) {
      this.log.record('billing-failed', `card of ${order.customer} declined for ${order.orderId} (attempt ${ctx.reconsumeTimes + 1})`);
      throw new Error(`card of ${order.customer} declined`);
    }
    this.log.record('billing', `invoice for ${order.orderId} (${order.amount}) msgId=${ctx.msgId} keys=${ctx.keys}`);
  }
}
