import { Injectable } from '@nestjs/common';
import { RocketMQTemplate, SendResult } from '../../lib/index.js';
import { ORDER_STATUSES, OrderCreated, OrderStatus, PriceChanged } from './order.js';

/** Publishes the order system's events through the default RocketMQTemplate. */
@Injectable()
export class OrderService {
  private seq = 0;

  constructor(private readonly rocketMQTemplate: RocketMQTemplate) {}

  /** A placed order: synchronous send with the order id as key and the tag `created`. */
  place(order: OrderCreated): Promise<SendResult> {
    return this.rocketMQTemplate.syncSend('orders:created', order, { keys: order.orderId });
  }

  /** A paid order: asynchronous send with tag `paid`. */
  pay(orderId: string, amount: number): Promise<SendResult> {
    return this.rocketMQTemplate.asyncSend('orders:paid', { orderId, customer: '', amount }, undefined);
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
}
