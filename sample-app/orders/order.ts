import { IsIn, IsNumber, IsOptional, IsPositive, IsString, MinLength } from 'class-validator';

/** The event a placed order publishes. */
export class OrderCreated {
  @IsString()
  @MinLength(1)
  orderId!: string;

  @IsString()
  customer!: string;

  @IsNumber()
  @IsPositive()
  amount!: number;

  /** Sales region, sent as a user property too, so SQL92 consumers can filter on it. */
  @IsOptional()
  @IsString()
  region?: string;
}

export const ORDER_STATUSES = ['created', 'paid', 'shipped', 'done'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export class OrderStatusChanged {
  @IsString()
  orderId!: string;

  @IsIn(ORDER_STATUSES as unknown as string[])
  status!: OrderStatus;

  @IsNumber()
  seq!: number;
}

export class PriceChanged {
  @IsString()
  sku!: string;

  @IsNumber()
  price!: number;
}

/** A request for a price quote (request-reply). */
export class PriceQuoteRequest {
  @IsString()
  sku!: string;

  @IsNumber()
  @IsPositive()
  qty!: number;
}

/** The answer of the pricing service. */
export class PriceQuote {
  sku!: string;
  qty!: number;
  unitPrice!: number | null;
  total!: number | null;
}

/** A reminder to pay, delivered some time after the order was placed (delayed message). */
export class PaymentReminder {
  orderId!: string;
  scheduledAt!: number;
  delaySeconds!: number;
}
