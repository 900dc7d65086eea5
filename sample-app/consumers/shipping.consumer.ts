import { RocketMQContext, RocketMQListener, RocketMQMessageListener } from '../../lib/index.js';
import { EventLogService } from '../events/event-log.service.js';

/** Ships orders once created or paid: a second group on the same topic receives every message too. */
@RocketMQMessageListener({
  topic: 'orders',
  consumerGroup: 'shipping',
  selectorExpression: 'created || paid',
})
export class ShippingConsumer implements RocketMQListener<{ orderId: string }> {
  constructor(private readonly log: EventLogService) {}

  onMessage(event: { orderId: string }, ctx: RocketMQContext): void {
    this.log.record('shipping', `${ctx.tags} ${event.orderId}`);
  }
}
