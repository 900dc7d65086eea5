import { IsIn, IsNumber, IsPositive, IsString, MinLength } from 'class-validator';

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
