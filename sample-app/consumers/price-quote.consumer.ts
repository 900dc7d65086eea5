import { RocketMQMessageListener, RocketMQReplyListener } from '../../lib/index.js';
import { EventLogService } from '../events/event-log.service.js';
import { PriceQuote, PriceQuoteRequest } from '../orders/order.js';
import { PriceCacheConsumer } from './price-cache.consumer.js';

/**
 * The pricing service answers quote requests (request-reply): what `onMessage` returns is sent back to
 * the `sendAndReceive` caller. Prices come from the broadcast price cache.
 */
@RocketMQMessageListener({ topic: 'price-quotes', consumerGroup: 'pricing', messageType: PriceQuoteRequest })
export class PriceQuoteConsumer implements RocketMQReplyListener<PriceQuoteRequest, PriceQuote> {
  constructor(
    private readonly prices: PriceCacheConsumer,
    private readonly log: EventLogService,
  ) {}

  onMessage(request: PriceQuoteRequest): PriceQuote {
    const unitPrice = this.prices.cache.get(request.sku) ?? null;
    const quote = { sku: request.sku, qty: request.qty, unitPrice, total: unitPrice === null ? null : unitPrice * request.qty };
    this.log.record('pricing', `quote ${request.qty} x ${request.sku} = ${quote.total ?? 'unknown sku'}`);
    return quote;
  }
}

