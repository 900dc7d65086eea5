import { RocketMQConfigError } from '../errors/rocketmq-config.error.js';
import type { RocketMQModuleOptions } from '../interfaces/rocketmq-module-options.interface.js';

type Kind = 'string' | 'number' | 'boolean';

const PRODUCER_PROPERTIES: Record<string, Kind> = {
  group: 'string',
  'send-message-timeout': 'number',
  'compress-message-body-threshold': 'number',
  'max-message-size': 'number',
  'retry-times-when-send-async-failed': 'number',
  'retry-next-server': 'boolean',
  'retry-times-when-send-failed': 'number',
  'enable-msg-trace': 'boolean',
  'customized-trace-topic': 'string',
  'access-key': 'string',
  'secret-key': 'string',
  namespace: 'string',
  'instance-name': 'string',
  'tls-enable': 'boolean',
};

const CONSUMER_PROPERTIES: Record<string, Kind> = {
  'access-key': 'string',
  'secret-key': 'string',
  namespace: 'string',
  'instance-name': 'string',
  'enable-msg-trace': 'boolean',
  'customized-trace-topic': 'string',
  'tls-enable': 'boolean',
};

/** `rocketmq.consumer.*` keys that configure Spring's lite-pull consumer (for `RocketMQTemplate.receive`). */
const LITE_PULL_CONSUMER_PROPERTIES = ['group', 'topic', 'selector-type', 'selector-expression', 'pull-batch-size', 'message-model'];

function camel(key: string): string {
  return key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function parse(key: string, raw: string, kind: Kind, problems: string[]): unknown {
  const value = raw.trim();
  if (kind === 'string') return value;
  if (kind === 'boolean') {
    if (value === 'true' || value === 'false') return value === 'true';
    problems.push(`${key}=${JSON.stringify(raw)} is not a boolean: write true or false`);
    return undefined;
  }
  if (/^\d+$/.test(value)) return Number.parseInt(value, 10);
  problems.push(`${key}=${JSON.stringify(raw)} is not a non-negative integer`);
  return undefined;
}

/**
 * Maps rocketmq-spring's `application.properties` keys to `RocketMQModuleOptions`, so an app can feed the
 * same keys from its config files or environment:
 *
 * - `rocketmq.name-server` → `nameServer`; `rocketmq.access-channel` → `accessChannel`
 * - `rocketmq.producer.<key>` → `producer.<camelKey>` (group, send-message-timeout, compress-message-body-threshold,
 *   max-message-size, retry-times-when-send-failed, retry-times-when-send-async-failed, retry-next-server,
 *   enable-msg-trace, customized-trace-topic, access-key, secret-key, namespace, instance-name, tls-enable)
 * - `rocketmq.consumer.<key>` → `consumer.<camelKey>` (access-key, secret-key, namespace, instance-name,
 *   enable-msg-trace, customized-trace-topic, tls-enable)
 * - `rocketmq.consumer.listeners.<group>.<topic>=false` → `consumer.listeners` (switches a listener off)
 * - `rocketmq.consumer.{group,topic,selector-type,selector-expression,pull-batch-size,message-model}` and
 *   `rocketmq.pull-consumer.*` → `pullConsumer` (the lite pull consumer of `RocketMQTemplate.receive`)
 *
 * Numbers and booleans are parsed; keys outside `rocketmq.` are ignored; an unknown `rocketmq.*` key or
 * a value that does not parse is a `RocketMQConfigError` listing every such key.
 */
export function rocketMQOptionsFromProperties(props: Record<string, string | undefined>): RocketMQModuleOptions {
  const problems: string[] = [];
  const options: RocketMQModuleOptions = {};
  const producer: Record<string, unknown> = {};
  const consumer: Record<string, unknown> = {};
  const listeners: Record<string, Record<string, boolean>> = {};
  const pullConsumer: Record<string, unknown> = {};
  const pullValue = (key: string, name: string, raw: string): unknown =>
    name === 'pull-batch-size'
      ? parse(key, raw, 'number', problems)
      : name === 'enable-msg-trace' || name === 'tls-enable'
        ? parse(key, raw, 'boolean', problems)
        : String(raw).trim();

  for (const [key, raw] of Object.entries(props)) {
    if (!key.startsWith('rocketmq.') || raw === undefined) continue;
    const rest = key.substring('rocketmq.'.length);
    if (rest === 'name-server') options.nameServer = String(raw).trim();
    else if (rest === 'access-channel') options.accessChannel = String(raw).trim() as 'LOCAL' | 'CLOUD';
    else if (rest.startsWith('producer.') && PRODUCER_PROPERTIES[rest.substring(9)]) {
      const name = rest.substring(9);
      const value = parse(key, raw, PRODUCER_PROPERTIES[name], problems);
      if (value !== undefined) producer[camel(name)] = value;
    } else if (rest.startsWith('consumer.listeners.')) {
      const path = rest.substring('consumer.listeners.'.length);
      const dot = path.indexOf('.');
      if (dot <= 0 || dot === path.length - 1) {
        problems.push(`${key}: expected rocketmq.consumer.listeners.<group>.<topic>=true|false`);
        continue;
      }
      const value = parse(key, raw, 'boolean', problems);
      if (value !== undefined) (listeners[path.substring(0, dot)] ??= {})[path.substring(dot + 1)] = value as boolean;
    } else if (rest.startsWith('consumer.') && CONSUMER_PROPERTIES[rest.substring(9)]) {
      const name = rest.substring(9);
      const value = parse(key, raw, CONSUMER_PROPERTIES[name], problems);
      if (value !== undefined) consumer[camel(name)] = value;
    } else if (rest.startsWith('consumer.') && LITE_PULL_CONSUMER_PROPERTIES.includes(rest.substring(9))) {
      pullConsumer[camel(rest.substring(9))] = pullValue(key, rest.substring(9), raw);
    } else if (rest.startsWith('pull-consumer.') && rest.length > 'pull-consumer.'.length) {
      const name = rest.substring('pull-consumer.'.length);
      pullConsumer[camel(name)] = pullValue(key, name, raw);
    } else {
      problems.push(`unknown property ${key}`);
    }
  }
  if (problems.length > 0) throw RocketMQConfigError.of(problems, 'rocketmq.* properties');

  if (Object.keys(producer).length > 0) options.producer = producer as unknown as RocketMQModuleOptions['producer'];
  if (Object.keys(listeners).length > 0) consumer.listeners = listeners;
  if (Object.keys(consumer).length > 0) options.consumer = consumer;
  if (Object.keys(pullConsumer).length > 0) options.pullConsumer = pullConsumer as unknown as RocketMQModuleOptions['pullConsumer'];
  return options;
}
