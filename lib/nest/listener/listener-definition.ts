import {
  AllocateMessageQueueAveragely,
  AllocateMessageQueueAveragelyByCircle,
  AllocateMessageQueueConsistentHash,
  type AllocateMessageQueueStrategy,
} from '../../client/index.js';
import { compileSql92, Sql92SyntaxError } from '../../filter/index.js';
import { MessageExt } from '../../message/index.js';
import type {
  ListenerMessageType,
  RocketMQMessageListenerOptions,
} from '../interfaces/rocketmq-listener-options.interface.js';
import { topicNameProblem } from '../messaging/destination.js';
import type { PlaceholderResolver } from '../options/placeholder-resolver.js';
import type { ResolvedRocketMQOptions } from '../options/rocketmq-options.validator.js';
import { LISTENER_METHOD } from '../rocketmq.constants.js';

/** A listener's attributes after placeholders, module defaults and rocketmq-spring's defaults. */
export interface ListenerDefinition
  extends Required<
    Omit<
      RocketMQMessageListenerOptions,
      'nameServer' | 'accessKey' | 'secretKey' | 'namespace' | 'instanceName' | 'consumeTimestamp' | 'messageType' | 'allocateMessageQueueStrategy'
    >
  > {
  nameServer?: string;
  accessKey?: string;
  secretKey?: string;
  namespace?: string;
  instanceName?: string;
  consumeTimestamp?: string;
  messageType?: ListenerMessageType | Function;
  allocateMessageQueueStrategy?: AllocateMessageQueueStrategy;
  /** The listener class, for messages and logs. */
  className: string;
}

export const LISTENER_DEFAULTS = {
  selectorType: 'TAG',
  selectorExpression: '*',
  consumeMode: 'CONCURRENTLY',
  messageModel: 'CLUSTERING',
  consumeThreadNumber: 20,
  maxReconsumeTimes: -1,
  consumeTimeout: 15,
  replyTimeout: 3000,
  delayLevelWhenNextConsume: 0,
  suspendCurrentQueueTimeMillis: 1000,
  awaitTerminationMillisWhenShutdown: 1000,
  consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
  pullBatchSize: 32,
  consumeMessageBatchMaxSize: 1,
  batch: false,
  enableMsgTrace: false,
  customizedTraceTopic: 'RMQ_SYS_TRACE_TOPIC',
  tlsEnable: false,
} as const;

const STRING_ATTRIBUTES = [
  'consumerGroup', 'topic', 'selectorType', 'selectorExpression', 'consumeMode', 'messageModel', 'consumeFromWhere',
  'consumeTimestamp', 'nameServer', 'accessKey', 'secretKey', 'namespace', 'customizedTraceTopic', 'instanceName',
] as const;
const NUMBER_ATTRIBUTES: Record<string, [min: number, max: number]> = {
  consumeThreadNumber: [1, 1000],
  maxReconsumeTimes: [-1, 16 * 1024],
  consumeTimeout: [1, 24 * 60],
  replyTimeout: [1, Number.MAX_SAFE_INTEGER],
  delayLevelWhenNextConsume: [-1, 18],
  suspendCurrentQueueTimeMillis: [10, 30_000],
  awaitTerminationMillisWhenShutdown: [0, Number.MAX_SAFE_INTEGER],
  pullBatchSize: [1, 1024],
  consumeMessageBatchMaxSize: [1, 1024],
};
const ENUMS: Record<string, readonly string[]> = {
  selectorType: ['TAG', 'SQL92'],
  consumeMode: ['CONCURRENTLY', 'ORDERLY'],
  messageModel: ['CLUSTERING', 'BROADCASTING'],
  consumeFromWhere: ['CONSUME_FROM_LAST_OFFSET', 'CONSUME_FROM_FIRST_OFFSET', 'CONSUME_FROM_TIMESTAMP'],
};
const KNOWN = new Set<string>([
  ...STRING_ATTRIBUTES, ...Object.keys(NUMBER_ATTRIBUTES), ...Object.keys(LISTENER_DEFAULTS),
  'messageType', 'allocateMessageQueueStrategy',
]);

const STRATEGIES: Record<string, () => AllocateMessageQueueStrategy> = {
  AVG: () => new AllocateMessageQueueAveragely(),
  AllocateMessageQueueAveragely: () => new AllocateMessageQueueAveragely(),
  AVG_BY_CIRCLE: () => new AllocateMessageQueueAveragelyByCircle(),
  AllocateMessageQueueAveragelyByCircle: () => new AllocateMessageQueueAveragelyByCircle(),
  CONSISTENT_HASH: () => new AllocateMessageQueueConsistentHash(),
  AllocateMessageQueueConsistentHash: () => new AllocateMessageQueueConsistentHash(),
};

/** `design:paramtypes` entries that say nothing about the payload (an interface, `any`, `unknown`). */
const UNINFORMATIVE_TYPES = new Set<unknown>([undefined, Object, Promise, Function]);

/**
 * Resolves and validates one listener's attributes. Returns the definition and every problem found, each
 * naming the class and the attribute, so the explorer can report all listeners at once.
 */
export function resolveListenerDefinition(
  metatype: Function,
  raw: RocketMQMessageListenerOptions,
  moduleOptions: ResolvedRocketMQOptions,
  placeholders: PlaceholderResolver,
): { definition: ListenerDefinition; problems: string[] } {
  const className = metatype.name || '<anonymous class>';
  const problems: string[] = [];
  const at = (attribute: string, text: string) => problems.push(`${className}: ${attribute} ${text}`);
  const input: Record<string, unknown> = { ...(raw ?? {}) };
  // An attribute with an unresolved placeholder is reported once, not again as a malformed value.
  const unresolved = new Set<string>();

  for (const key of Object.keys(input)) if (!KNOWN.has(key)) at(key, 'is not a @RocketMQMessageListener attribute');

  for (const key of STRING_ATTRIBUTES) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      at(key, `must be a string, got ${JSON.stringify(value)}`);
      continue;
    }
    const { value: resolved, missing } = placeholders.resolve(value);
    for (const name of missing) {
      unresolved.add(key);
      at(key, `has the placeholder \${${name}} that nothing resolves: add "${name}" to RocketMQModule properties, resolvePlaceholder or the environment, or write \${${name}:default}`);
    }
    input[key] = resolved;
  }

  const consumer = moduleOptions.consumer;
  const definition = {
    ...LISTENER_DEFAULTS,
    accessKey: consumer.accessKey,
    secretKey: consumer.secretKey,
    namespace: consumer.namespace,
    instanceName: consumer.instanceName,
    enableMsgTrace: consumer.enableMsgTrace ?? false,
    customizedTraceTopic: consumer.customizedTraceTopic ?? LISTENER_DEFAULTS.customizedTraceTopic,
    ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
    className,
  } as ListenerDefinition;

  if (unresolved.has('consumerGroup')) {
    // already reported
  } else if (!definition.consumerGroup) at('consumerGroup', 'is required: set consumerGroup (e.g. "billing-consumer")');
  else if (!/^[%|a-zA-Z0-9_-]+$/.test(definition.consumerGroup) || definition.consumerGroup.length > 255) {
    at('consumerGroup', `"${definition.consumerGroup}" is not a valid group name (letters, digits, '%', '|', '_', '-'; at most 255)`);
  }
  if (unresolved.has('topic')) {
    // already reported
  } else if (!definition.topic) at('topic', 'is required: set the topic to subscribe to');
  else {
    const problem = topicNameProblem(definition.topic);
    if (problem) at('topic', `is invalid: ${problem}`);
  }
  for (const [key, allowed] of Object.entries(ENUMS)) {
    const value = (definition as unknown as Record<string, unknown>)[key];
    if (!allowed.includes(value as string)) at(key, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  for (const [key, [min, max]] of Object.entries(NUMBER_ATTRIBUTES)) {
    const value = (definition as unknown as Record<string, unknown>)[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      at(key, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
  }
  for (const key of ['batch', 'enableMsgTrace', 'tlsEnable'] as const) {
    if (typeof definition[key] !== 'boolean') at(key, `must be a boolean, got ${JSON.stringify(definition[key])}`);
  }
  if (definition.consumeMode === 'ORDERLY' && definition.messageModel === 'BROADCASTING') {
    at('consumeMode', 'ORDERLY cannot be combined with messageModel BROADCASTING (RocketMQ has no orderly broadcasting): use CLUSTERING or CONCURRENTLY');
  }
  if (definition.selectorExpression === '') definition.selectorExpression = '*';
  if (definition.selectorType === 'SQL92' && typeof definition.selectorExpression === 'string' && !unresolved.has('selectorExpression')) {
    const problem = sql92Problem(definition.selectorExpression);
    if (problem) at('selectorExpression', problem);
  }
  if (definition.consumeFromWhere === 'CONSUME_FROM_TIMESTAMP' && definition.consumeTimestamp !== undefined && !/^\d{14}$/.test(definition.consumeTimestamp)) {
    at('consumeTimestamp', `must be yyyyMMddHHmmss, got "${definition.consumeTimestamp}"`);
  }
  if ((definition.accessKey === undefined) !== (definition.secretKey === undefined)) {
    at('accessKey', 'and secretKey go together: set both or neither');
  }

  const strategy = input.allocateMessageQueueStrategy;
  if (typeof strategy === 'string') {
    const create = STRATEGIES[strategy];
    if (create) definition.allocateMessageQueueStrategy = create();
    else at('allocateMessageQueueStrategy', `"${strategy}" is unknown: use one of ${Object.keys(STRATEGIES).join(', ')} or pass an instance`);
  } else if (strategy !== undefined && (typeof strategy !== 'object' || typeof (strategy as AllocateMessageQueueStrategy).allocate !== 'function')) {
    at('allocateMessageQueueStrategy', 'must be a strategy name or an object with allocate()');
  }

  const handler = (metatype.prototype as Record<string, unknown> | undefined)?.[LISTENER_METHOD];
  if (typeof handler !== 'function') {
    at(LISTENER_METHOD, `is missing: a @RocketMQMessageListener class must implement onMessage(message, context) (RocketMQListener)`);
  }

  if (input.messageType !== undefined && typeof input.messageType !== 'function') {
    at('messageType', 'must be a class, String, Buffer or MessageExt');
  } else if (input.messageType === undefined && typeof handler === 'function') {
    // What TypeScript recorded for onMessage's first parameter plays the part of Spring's generic type.
    const paramtypes: unknown[] | undefined = Reflect.getMetadata('design:paramtypes', metatype.prototype, LISTENER_METHOD);
    const first = paramtypes?.[0];
    if (!definition.batch && !UNINFORMATIVE_TYPES.has(first) && first !== Array) definition.messageType = first as Function;
  }
  if (definition.messageType === MessageExt) definition.messageType = MessageExt;

  return { definition, problems };
}

/**
 * Why a SQL92 selector does not compile, quoting the expression with the error position, or undefined.
 * Checked at start so a typo fails the app instead of silently matching nothing.
 */
export function sql92Problem(expression: string): string | undefined {
  if (expression.trim() === '*') {
    return `"*" is a tag expression, not SQL92: with selectorType 'SQL92' write a condition such as "a > 5 AND region = 'eu'" (or TRUE for every message)`;
  }
  try {
    compileSql92(expression);
    return undefined;
  } catch (err) {
    if (err instanceof Sql92SyntaxError) {
      return `"${expression}" is not a valid SQL92 selector: at position ${err.position}, ${err.reason}\n      ${expression.replace(/[\r\n\t\f]/g, ' ')}\n      ${' '.repeat(err.position)}^`;
    }
    return `"${expression}" is not a valid SQL92 selector: ${(err as Error)?.message ?? String(err)}`;
  }
}

/** What must be equal for two listeners to share a group: the subscription. */
export function subscriptionKey(definition: ListenerDefinition): string {
  return `${definition.topic} ${definition.selectorType} ${definition.selectorExpression}`;
}
