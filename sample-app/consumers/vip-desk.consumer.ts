import { RocketMQContext, RocketMQListener, RocketMQMessageListener } from '../../lib/index.js';
import { EventLogService } from '../events/event-log.service.js';
import { OrderCreated } from '../orders/order.js';

/**
 * The EU VIP desk calls every big EU order. A SQL92 selector filters on the user properties the order
 * service sets (amount, region), on the broker: other orders never reach this group.
 */
@RocketMQMessageListener({
  topic: 'orders',
  consumerGroup: 'vip-desk',
  selectorType: 'SQL92',
  selectorExpression: "amount > 100 AND region = 'eu'",
  messageType: OrderCreated,
})
export class VipDeskConsumer implements RocketMQListener<OrderCreated> {
  constructor(private readonly log: EventLogService) {}

  onMessage(order: OrderCreated, ctx: RocketMQContext): void {
    this.log.record('vip-desk', `call ${order.customer} about ${order.orderId} (${ctx.getProperty('amount')} in ${ctx.getProperty('region')})`);
  }
}
