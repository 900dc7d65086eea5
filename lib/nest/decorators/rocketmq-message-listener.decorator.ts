import { applyDecorators, Injectable, SetMetadata, type ScopeOptions } from '@nestjs/common';
import { ROCKETMQ_LISTENER_METADATA } from '../rocketmq.constants.js';
import type { RocketMQMessageListenerOptions } from '../interfaces/rocketmq-listener-options.interface.js';

/**
 * Marks a class as a RocketMQ consumer (rocketmq-spring's `@RocketMQMessageListener`). It also makes the
 * class `@Injectable()` (pass `scope` for a request-scoped listener: a fresh instance per message). The
 * class must be a provider of some module and implement `onMessage`; its attributes are validated at
 * module init.
 */
export function RocketMQMessageListener(
  options: RocketMQMessageListenerOptions,
  injectableOptions?: ScopeOptions,
): ClassDecorator {
  return applyDecorators(Injectable(injectableOptions), SetMetadata(ROCKETMQ_LISTENER_METADATA, options));
}
