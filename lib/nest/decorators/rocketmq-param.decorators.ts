import type { PipeTransform, Type } from '@nestjs/common';
import { ROCKETMQ_ARGS_METADATA } from '../rocketmq.constants.js';

/**
 * Kinds of `onMessage` parameters (the first part of the metadata key). The numbers are the ones
 * @nestjs/microservices uses: Nest's pipes consumer maps 3 to the `'body'` argument type, so a
 * ValidationPipe validates the payload (any unknown number would be `'custom'`, which it skips).
 */
export enum RocketMQParamType {
  PAYLOAD = 3,
  CONTEXT = 6,
}

type PipeArg = PipeTransform | Type<PipeTransform>;

/** Records one parameter in the shape Nest's ExternalContextCreator reads (`type:index` → index, data, pipes). */
export function defineRocketMQParam(
  target: object,
  key: string | symbol,
  index: number,
  type: RocketMQParamType,
  data: string | undefined,
  pipes: PipeArg[],
): void {
  const ctor = target.constructor;
  const args = Reflect.getMetadata(ROCKETMQ_ARGS_METADATA, ctor, key) ?? {};
  Reflect.defineMetadata(ROCKETMQ_ARGS_METADATA, { ...args, [`${type}:${index}`]: { index, data, pipes } }, ctor, key);
}

/**
 * The converted payload (or one property of it, `@Payload('id')`), with optional pipes:
 * `onMessage(@Payload(new ValidationPipe()) order: Order)`.
 */
export function Payload(propertyOrPipe?: string | PipeArg, ...pipes: PipeArg[]): ParameterDecorator {
  const hasProperty = typeof propertyOrPipe === 'string';
  const allPipes = hasProperty || propertyOrPipe === undefined ? pipes : [propertyOrPipe, ...pipes];
  return (target, key, index) =>
    defineRocketMQParam(target, key!, index, RocketMQParamType.PAYLOAD, hasProperty ? propertyOrPipe : undefined, allPipes);
}

/** The `RocketMQContext` of the message (ids, topic, tags, keys, queue, properties, the raw MessageExt). */
export function Ctx(): ParameterDecorator {
  return (target, key, index) => defineRocketMQParam(target, key!, index, RocketMQParamType.CONTEXT, undefined, []);
}
