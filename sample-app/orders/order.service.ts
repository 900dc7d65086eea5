import { Injectable } from '@nestjs/common';
import { MessageBuilder, RocketMQHeaders, RocketMQTemplate, SendResult, type RocketMQTransactionSendResult } from '../../lib/index.js';
import { REMINDER_DELAY_SECONDS } from '../sample-config.js';
import { ORDER_STATUSES, OrderCreated, OrderStatus, PaymentReminder, PriceChanged, PriceQuote, PriceQuoteRequest } from './order.js';

/** Publishes the order system's events through the default RocketMQTemplate. */
@Injectable()
export class OrderService {
  private seq = 0;

  constructor(private readonly rocketMQTemplate: RocketMQTemplate) {}

  /**
   * A placed order: synchronous send with the order id as key and the tag `created`. Amount and region
   * also travel as user properties, for the SQL92-filtered VIP desk.
   */
  place(order: OrderCreated): Promise<SendResult> {
    return this.rocketMQTemplate.syncSend('orders:created', order, { keys: order.orderId, headers: this.properties(order) });
  }

  /**
   * A placed order whose event is published only if the order could be stored (transactional message):
   * `OrderTransactionListener` stores it and commits, or rolls back when the write fails.
   */
  placeTransactionally(order: OrderCreated): Promise<RocketMQTransactionSendResult> {
    const message = MessageBuilder.withPayload({ ...order })
      .setHeader(RocketMQHeaders.KEYS, order.orderId)
      .copyHeaders(this.properties(order))
      .build();
    return this.rocketMQTemplate.sendMessageInTransaction('orders:created', message, order.orderId);
  }

  /** A paid order: asynchronous send with tag `paid`. */
  pay(orderId: string, amount: number): Promise<SendResult> {
    return this.rocketMQTemplate.asyncSend('orders:paid', { orderId, customer: '', amount }, undefined);
  }

  /** A payment reminder, delivered REMINDER_DELAY_SECONDS from now (30 minutes; 1 s in the tour). */
  remindToPay(orderId: string): Promise<SendResult> {
    const reminder: PaymentReminder = { orderId, scheduledAt: Date.now(), delaySeconds: REMINDER_DELAY_SECONDS };
    return this.rocketMQTemplate.syncSendDelayTimeSeconds('payment-reminders', reminder, REMINDER_DELAY_SECONDS);
  }

  /** Asks the pricing service for a quote and waits for its reply (request-reply). */
  quote(request: PriceQuoteRequest): Promise<PriceQuote> {
    return this.rocketMQTemplate.sendAndReceive<PriceQuote>('price-quotes', request, { type: PriceQuote, timeout: 3000 });
  }

  /**
   * Status changes of one order must be consumed in order: the order id is the hash key, so all of an
   * order's changes land in one queue.
   */
  async walkStatuses(orderId: string): Promise<OrderStatus[]> {
    for (const status of ORDER_STATUSES) {
      await this.rocketMQTemplate.syncSendOrderly('order-status', { orderId, status, seq: this.seq++ }, orderId);
    }
    return [...ORDER_STATUSES];
  }

  /** Price changes go to every instance's cache: a batch send, consumed in broadcasting mode. */
  async publishPrices(prices: PriceChanged[]): Promise<number> {
    await this.rocketMQTemplate.syncSend('prices', prices);
    return prices.length;
  }

  private properties(order: OrderCreated): Record<string, unknown> {
    return order.region === undefined ? { amount: order.amount } : { amount: order.amount, region: order.region };
  }
}
