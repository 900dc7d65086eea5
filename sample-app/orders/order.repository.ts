import { Injectable } from '@nestjs/common';
import { OrderCreated } from './order.js';

/** A stored order and the transaction id of the message that announced it (the local transaction table). */
export interface StoredOrder {
  order: OrderCreated;
  transactionId?: string;
}

/**
 * The order system's own database (in memory for the sample). Saving an order id twice fails, as a
 * unique key would: that is the "failed local write" the transactional order creation rolls back on.
 */
@Injectable()
export class OrderRepository {
  private readonly orders = new Map<string, StoredOrder>();

  save(order: OrderCreated, transactionId?: string): void {
    if (this.orders.has(order.orderId)) throw new Error(`order ${order.orderId} already exists`);
    this.orders.set(order.orderId, { order, transactionId });
  }

  /** Whether the order announced by this transaction was stored (what a check-back looks up). */
  hasTransaction(transactionId: string): boolean {
    return [...this.orders.values()].some((o) => o.transactionId === transactionId);
  }

  get(orderId: string): StoredOrder | undefined {
    return this.orders.get(orderId);
  }
}
