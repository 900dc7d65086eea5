import { Module } from '@nestjs/common';
import { RocketMQModule } from '../lib/index.js';
import { BillingConsumer } from './consumers/billing.consumer.js';
import { OrderStatusConsumer } from './consumers/order-status.consumer.js';
import { PriceCacheConsumer } from './consumers/price-cache.consumer.js';
import { ShippingConsumer } from './consumers/shipping.consumer.js';
import { EventLogService } from './events/event-log.service.js';
import { OrderService } from './orders/order.service.js';
import { OrdersController } from './orders/orders.controller.js';

/**
 * The sample order system. No `nameServer`: the bundled RocketMQ broker runs inside the app. Set
 * ROCKETMQ_NAME_SERVER to point the same app at a RocketMQ cluster.
 */
@Module({
  imports: [
    RocketMQModule.forRoot({
      nameServer: process.env.ROCKETMQ_NAME_SERVER || undefined,
      producer: { group: 'orders-producer' },
    }),
  ],
  controllers: [OrdersController],
  providers: [EventLogService, OrderService, BillingConsumer, ShippingConsumer, OrderStatusConsumer, PriceCacheConsumer],
})
export class AppModule {}
