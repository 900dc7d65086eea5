import { RocketMQConfigError } from '../errors/rocketmq-config.error.js';
import type {
  RocketMQConsumerOptions,
  RocketMQModuleOptions,
  RocketMQProducerOptions,
  RocketMQTemplateOptions,
} from '../interfaces/rocketmq-module-options.interface.js';

/** The producer options with every default applied. */
export type ResolvedProducerOptions = Required<Omit<RocketMQProducerOptions, 'accessKey' | 'secretKey' | 'namespace' | 'instanceName'>> &
  Pick<RocketMQProducerOptions, 'accessKey' | 'secretKey' | 'namespace' | 'instanceName'>;

export type ResolvedTemplateOptions = ResolvedProducerOptions & { nameServer?: string };

/** Options after validation: defaults applied, templates resolved. */
export interface ResolvedRocketMQOptions extends Omit<RocketMQModuleOptions, 'producer' | 'templates' | 'consumer'> {
  producer?: ResolvedProducerOptions;
  templates: Record<string, ResolvedTemplateOptions>;
  consumer: RocketMQConsumerOptions;
  properties: Record<string, string>;
}

export const PRODUCER_OPTION_DEFAULTS = {
  sendMessageTimeout: 3000,
  compressMessageBodyThreshold: 4096,
  maxMessageSize: 4 * 1024 * 1024,
  retryTimesWhenSendFailed: 2,
  retryTimesWhenSendAsyncFailed: 2,
  retryNextServer: false,
  enableMsgTrace: false,
  customizedTraceTopic: 'RMQ_SYS_TRACE_TOPIC',
  tlsEnable: false,
} as const;

const MODULE_KEYS = ['nameServer', 'producer', 'consumer', 'templates', 'broker', 'accessChannel', 'properties', 'resolvePlaceholder', 'pullConsumer'];
const PRODUCER_KEYS = ['group', ...Object.keys(PRODUCER_OPTION_DEFAULTS), 'accessKey', 'secretKey', 'namespace', 'instanceName'];
const TEMPLATE_KEYS = [...PRODUCER_KEYS, 'nameServer'];
const CONSUMER_KEYS = ['accessKey', 'secretKey', 'namespace', 'instanceName', 'enableMsgTrace', 'customizedTraceTopic', 'tlsEnable', 'listeners'];
const BROKER_TYPES: Record<string, 'string' | 'number' | 'boolean'> = {
  brokerName: 'string',
  brokerClusterName: 'string',
  brokerId: 'number',
  brokerIP1: 'string',
  listenPort: 'number',
  listen: 'number',
  autoCreateTopicEnable: 'boolean',
  defaultTopicQueueNums: 'number',
  autoCreateSubscriptionGroup: 'boolean',
  maxMessageSize: 'number',
  storePath: 'string',
};

/** `host:port` list separated by `;` (what rocketmq-spring's `rocketmq.name-server` takes). */
const NAME_SERVER_PATTERN = /^[^\s;:]+:\d{1,5}(;[^\s;:]+:\d{1,5})*;?$/;
/** RocketMQ's group and topic character set. */
const GROUP_PATTERN = /^[%|a-zA-Z0-9_-]+$/;

/**
 * Validates the module options and applies the defaults. Every problem is collected and reported in one
 * `RocketMQConfigError`, including unknown keys (a typo would otherwise silently keep a default).
 */
export function resolveRocketMQOptions(raw: RocketMQModuleOptions | undefined | null): ResolvedRocketMQOptions {
  const problems: string[] = [];
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw RocketMQConfigError.of([`expected an options object, got ${Array.isArray(raw) ? 'an array' : typeof raw}`]);
  }
  unknownKeys(raw, MODULE_KEYS, '', problems);

  if (raw.nameServer !== undefined && (typeof raw.nameServer !== 'string' || !NAME_SERVER_PATTERN.test(raw.nameServer))) {
    problems.push(`nameServer ${JSON.stringify(raw.nameServer)} is not a "host:port" list separated by ';' (e.g. "10.0.0.1:9876;10.0.0.2:9876")`);
  }
  if (raw.nameServer !== undefined && raw.broker !== undefined) {
    problems.push('broker options configure the bundled broker, which only runs without nameServer: remove one of nameServer and broker');
  }
  if (raw.accessChannel !== undefined && raw.accessChannel !== 'LOCAL' && raw.accessChannel !== 'CLOUD') {
    problems.push(`accessChannel must be 'LOCAL' or 'CLOUD', got ${JSON.stringify(raw.accessChannel)}`);
  }
  if (raw.resolvePlaceholder !== undefined && typeof raw.resolvePlaceholder !== 'function') {
    problems.push('resolvePlaceholder must be a function (key) => string | undefined');
  }
  checkStringRecord(raw.properties, 'properties', problems);
  checkStringRecord(raw.pullConsumer, 'pullConsumer', problems);

  let producer: ResolvedProducerOptions | undefined;
  if (raw.producer !== undefined) {
    if (!isObject(raw.producer)) problems.push('producer must be an object with at least a group');
    else if (raw.producer.group === undefined || raw.producer.group === '') {
      // Spring creates no template without a group; saying so beats failing at the first send.
      problems.push('producer.group is missing: set producer.group (e.g. "my-app-producer") or remove producer');
    } else producer = resolveProducer(raw.producer, 'producer', PRODUCER_KEYS, problems);
  }

  const templates: Record<string, ResolvedTemplateOptions> = {};
  if (raw.templates !== undefined) {
    if (!isObject(raw.templates)) problems.push('templates must be an object { name: { group, ... } }');
    else {
      for (const [name, options] of Object.entries(raw.templates)) {
        const path = `templates.${name}`;
        if (!/^[A-Za-z0-9_.-]+$/.test(name)) problems.push(`${path}: a template name may use letters, digits, '_', '.' and '-'`);
        if (!isObject(options) || !options.group) {
          problems.push(`${path}.group is missing: every named template needs its own producer group`);
          continue;
        }
        const resolved: ResolvedTemplateOptions = resolveProducer(options, path, TEMPLATE_KEYS, problems);
        const nameServer = (options as RocketMQTemplateOptions).nameServer;
        if (nameServer !== undefined) {
          if (typeof nameServer !== 'string' || !NAME_SERVER_PATTERN.test(nameServer)) {
            problems.push(`${path}.nameServer ${JSON.stringify(nameServer)} is not a "host:port" list separated by ';'`);
          }
          resolved.nameServer = nameServer;
        }
        templates[name] = resolved;
      }
    }
  }

  const consumer: RocketMQConsumerOptions = {};
  if (raw.consumer !== undefined) {
    if (!isObject(raw.consumer)) problems.push('consumer must be an object');
    else {
      unknownKeys(raw.consumer, CONSUMER_KEYS, 'consumer.', problems);
      for (const key of ['accessKey', 'secretKey', 'namespace', 'instanceName', 'customizedTraceTopic'] as const) {
        checkType(raw.consumer[key], 'string', `consumer.${key}`, problems);
      }
      checkType(raw.consumer.enableMsgTrace, 'boolean', 'consumer.enableMsgTrace', problems);
      checkType(raw.consumer.tlsEnable, 'boolean', 'consumer.tlsEnable', problems);
      if (raw.consumer.listeners !== undefined && !isObject(raw.consumer.listeners)) {
        problems.push('consumer.listeners must be { group: { topic: boolean } }');
      }
      Object.assign(consumer, raw.consumer);
    }
  }

  if (raw.broker !== undefined) {
    if (!isObject(raw.broker)) problems.push('broker must be an object');
    else {
      for (const [key, type] of Object.entries(BROKER_TYPES)) checkType(raw.broker[key], type, `broker.${key}`, problems);
      for (const key of ['listenPort', 'listen', 'defaultTopicQueueNums', 'maxMessageSize', 'brokerId'] as const) {
        checkNonNegativeInteger(raw.broker[key], `broker.${key}`, problems, key === 'defaultTopicQueueNums' || key === 'maxMessageSize' ? 1 : 0);
      }
      if (raw.broker.store !== undefined && raw.broker.store !== 'memory') {
        problems.push(`broker.store ${JSON.stringify(raw.broker.store)} is not available yet: use 'memory' (the file store comes later)`);
      }
      if (raw.broker.flushDiskType !== undefined && raw.broker.flushDiskType !== 'ASYNC_FLUSH' && raw.broker.flushDiskType !== 'SYNC_FLUSH') {
        problems.push(`broker.flushDiskType must be 'ASYNC_FLUSH' or 'SYNC_FLUSH', got ${JSON.stringify(raw.broker.flushDiskType)}`);
      }
    }
  }

  if (problems.length > 0) throw RocketMQConfigError.of(problems);
  return {
    ...raw,
    producer,
    templates,
    consumer,
    properties: { ...(raw.properties ?? {}) },
  };
}

function resolveProducer(options: RocketMQProducerOptions, path: string, keys: string[], problems: string[]): ResolvedProducerOptions {
  unknownKeys(options, keys, `${path}.`, problems);
  if (typeof options.group !== 'string' || !GROUP_PATTERN.test(options.group) || options.group.length > 255) {
    problems.push(`${path}.group ${JSON.stringify(options.group)} is not a valid group name (letters, digits, '%', '|', '_', '-'; at most 255)`);
  }
  for (const key of ['sendMessageTimeout', 'compressMessageBodyThreshold', 'maxMessageSize'] as const) {
    checkNonNegativeInteger(options[key], `${path}.${key}`, problems, 1);
  }
  for (const key of ['retryTimesWhenSendFailed', 'retryTimesWhenSendAsyncFailed'] as const) {
    checkNonNegativeInteger(options[key], `${path}.${key}`, problems, 0);
  }
  for (const key of ['retryNextServer', 'enableMsgTrace', 'tlsEnable'] as const) checkType(options[key], 'boolean', `${path}.${key}`, problems);
  for (const key of ['customizedTraceTopic', 'accessKey', 'secretKey', 'namespace', 'instanceName'] as const) {
    checkType(options[key], 'string', `${path}.${key}`, problems);
  }
  if ((options.accessKey === undefined) !== (options.secretKey === undefined)) {
    problems.push(`${path}: accessKey and secretKey go together; set both or neither`);
  }
  const resolved = { ...PRODUCER_OPTION_DEFAULTS } as ResolvedProducerOptions;
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && key !== 'nameServer') (resolved as unknown as Record<string, unknown>)[key] = value;
  }
  return resolved;
}

function unknownKeys(object: object, known: string[], prefix: string, problems: string[]): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      const near = known.find((k) => k.toLowerCase() === key.toLowerCase().replace(/[-_]/g, ''));
      problems.push(`unknown option ${prefix}${key}${near ? ` (did you mean ${prefix}${near}?)` : ''}; known: ${known.join(', ')}`);
    }
  }
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkType(value: unknown, type: 'string' | 'number' | 'boolean', path: string, problems: string[]): void {
  if (value !== undefined && typeof value !== type) problems.push(`${path} must be a ${type}, got ${JSON.stringify(value)}`);
}

function checkNonNegativeInteger(value: unknown, path: string, problems: string[], min: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    problems.push(`${path} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
}

function checkStringRecord(value: unknown, path: string, problems: string[]): void {
  if (value === undefined) return;
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    problems.push(`${path} must be an object of string values`);
  }
}
