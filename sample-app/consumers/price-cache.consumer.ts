import { RocketMQListener, RocketMQMessageListener } from '../../lib/index.js';
import { EventLogService } from '../events/event-log.service.js';
import { PriceChanged } from '../orders/order.js';

/** Every instance keeps its own price cache: BROADCASTING delivers each change to each instance. */
@RocketMQMessageListener({
  topic: 'prices',
  consumerGroup: 'price-cache',
  messageModel: 'BROADCASTING',
  messageType: PriceChanged,
})
export class PriceCacheConsumer implements RocketMQListener<PriceChanged> {
  readonly cache = new Map<string, number>();

  constructor(private readonly log: EventLogService) {}

  onMessage(change: PriceChanged): void {
    this.cache.set(change.sku, change.price);
    this.log.record('price-cache', `${change.sku} = ${change.price}`);
  }
}
