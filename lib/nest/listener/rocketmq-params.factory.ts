import type { ParamData } from '@nestjs/common';
import type { ParamsFactory } from '@nestjs/core';
import { RocketMQParamType } from '../decorators/rocketmq-param.decorators.js';

/** Hands `onMessage`'s parameters their values: args are (payload, context). */
export class RocketMQParamsFactory implements ParamsFactory {
  exchangeKeyForValue(type: number, data: ParamData, args: unknown[]): unknown {
    switch (type) {
      case RocketMQParamType.PAYLOAD: {
        const payload = args[0];
        return typeof data === 'string' && data && payload !== null && typeof payload === 'object'
          ? (payload as Record<string, unknown>)[data]
          : payload;
      }
      case RocketMQParamType.CONTEXT:
        return args[1];
      default:
        return undefined;
    }
  }
}
