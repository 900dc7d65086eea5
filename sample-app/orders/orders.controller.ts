import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, ValidationPipe } from '@nestjs/common';
import { EventLogService } from '../events/event-log.service.js';
import { OrderCreated, PriceChanged, PriceQuoteRequest } from './order.js';
import { OrderService } from './order.service.js';

@Controller()
export class OrdersController {
  constructor(
    private readonly orders: OrderService,
    private readonly log: EventLogService,
  ) {}

  @Post('orders')
  async place(@Body(new ValidationPipe({ transform: true })) order: OrderCreated) {
    const result = await this.orders.place(order);
    return { msgId: result.msgId, queueId: result.messageQueue.queueId, queueOffset: result.queueOffset };
  }

  /** Stores the order and publishes its event in one transaction: a failed write publishes nothing. */
  @Post('orders/transactional')
  async placeTransactionally(@Body(new ValidationPipe({ transform: true })) order: OrderCreated) {
    const result = await this.orders.placeTransactionally(order);
    return { msgId: result.msgId, transactionId: result.transactionId, state: result.rocketMQLocalTransactionState };
  }

  @Post('orders/:id/reminder')
  async remind(@Param('id') id: string) {
    const result = await this.orders.remindToPay(id);
    return { msgId: result.msgId };
  }

  @Get('quotes/:sku')
  async quote(@Param('sku') sku: string, @Query('qty', new ParseIntPipe({ optional: true })) qty?: number) {
    return this.orders.quote(Object.assign(new PriceQuoteRequest(), { sku, qty: qty ?? 1 }));
  }

  @Post('orders/:id/pay')
  async pay(@Param('id') id: string, @Body() body: { amount?: number }) {
    const result = await this.orders.pay(id, body?.amount ?? 0);
    return { msgId: result.msgId };
  }

  @Post('orders/:id/statuses')
  async statuses(@Param('id') id: string) {
    return { sent: await this.orders.walkStatuses(id) };
  }

  @Post('prices')
  async prices(@Body() body: PriceChanged[]) {
    return { sent: await this.orders.publishPrices(body) };
  }

  @Get('events')
  events() {
    return this.log.events;
  }
}
