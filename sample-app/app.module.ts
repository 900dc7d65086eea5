import { Module } from '@nestjs/common';
import { RocketMQModule } from '../lib/index.js';
import { BillingConsumer } from './consumers/billing.consumer.js';
import { DeadLetterConsumer } from './consumers/dead-letter.consumer.js';
import { OrderStatusConsumer } from './consumers/order-status.consumer.js';
import { PaymentReminderConsumer } from './consumers/payment-reminder.consumer.js';
import { PriceCacheConsumer } from './consumers/price-cache.consumer.js';
import { PriceQuoteConsumer } from './consumers/price-quote.consumer.js';
import { ShippingConsumer } from './consumers/shipping.consumer.js';
import { VipDeskConsumer } from './consumers/vip-desk.consumer.js';
import { EventLogService } from './events/event-log.service.js';
import { OrderTransactionListener } from './orders/order-transaction.listener.js';
import { OrderRepository } from './orders/order.repository.js';
import { OrderService } from './orders/order.service.js';
import { OrdersController } from './orders/orders.controller.js';
import { BROKER_OPTIONS } from './sample-config.js';

/**
 * The sample order system. No `nameServer`: the bundled RocketMQ broker runs inside the app. Set
 * ROCKETMQ_NAME_SERVER to point the same app at a RocketMQ cluster. SAMPLE_FAST_TIME=1 (set by the tour)
 * shortens the bundled broker's delay levels and transaction check-backs.
 */
@Module({
  imports: [
    RocketMQModule.forRoot({
      nameServer: process.env.ROCKETMQ_NAME_SERVER || undefined,
      producer: { group: 'orders-producer' },
      broker: process.env.ROCKETMQ_NAME_SERVER ? undefined : BROKER_OPTIONS,
    }),
  ],
  controllers: [OrdersController],
  providers: [
    EventLogService,
    OrderRepository,
    OrderService,
    OrderTransactionListener,
    BillingConsumer,
    DeadLetterConsumer,
    ShippingConsumer,
    VipDeskConsumer,
    OrderStatusConsumer,
    PriceCacheConsumer,
    PriceQuoteConsumer,
    PaymentReminderConsumer,
  ],
})
export class AppModule {}
