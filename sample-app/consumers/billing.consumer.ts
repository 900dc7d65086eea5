import { UsePipes, ValidationPipe } from '@nestjs/common';
import { RocketMQContext, RocketMQListener, RocketMQMessageListener } from '../../lib/index.js';
import { EventLogService } from '../events/event-log.service.js';
import { OrderCreated } from '../orders/order.js';

/** Bills every new order. A ValidationPipe rejects a malformed event, which is then not acknowledged. */
@RocketMQMessageListener({
  topic: 'orders',
  consumerGroup: 'billing',
  selectorExpression: 'created',
  messageType: OrderCreated,
})
@UsePipes(new ValidationPipe({ transform: true }))
export class BillingConsumer implements RocketMQListener<OrderCreated> {
  constructor(private readonly log: EventLogService) {}

  onMessage(order: OrderCreated, ctx: RocketMQContext): void {
    this.log.record('billing', `invoice for ${order.orderId} (${order.amount}) msgId=${ctx.msgId} keys=${ctx.keys}`);
  }
}
