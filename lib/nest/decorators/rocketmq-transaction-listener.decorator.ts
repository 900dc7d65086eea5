import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';
import type { RocketMQTransactionListenerOptions } from '../interfaces/rocketmq-transaction-listener.interface.js';
import { ROCKETMQ_TRANSACTION_LISTENER_METADATA } from '../rocketmq.constants.js';

/**
 * Marks a class as the local-transaction listener of a template (rocketmq-spring's
 * `@RocketMQTransactionListener`): it implements `RocketMQLocalTransactionListener`, is listed in a
 * module's `providers` (the decorator makes it `@Injectable()`), and is bound at module init to the
 * producer of `rocketMQTemplateBeanName` (default: the default template). One listener per template.
 */
export function RocketMQTransactionListener(options: RocketMQTransactionListenerOptions = {}): ClassDecorator {
  return applyDecorators(Injectable(), SetMetadata(ROCKETMQ_TRANSACTION_LISTENER_METADATA, options));
}
