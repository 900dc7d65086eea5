import { RocketMQConfigError } from '../errors/rocketmq-config.error.js';
import type {
  RocketMQConsumerOptions,
  RocketMQModuleOptions,
  RocketMQProducerOptions,
  RocketMQPullConsumerOptions,
  RocketMQTemplateOptions,
} from '../interfaces/rocketmq-module-options.interface.js';
import { topicNameProblem } from '../messaging/destination.js';

/** The producer options with every default applied. */
export type ResolvedProducerOptions = Required<Omit<RocketMQProducerOptions, 'accessKey' | 'secretKey' | 'namespace' | 'instanceName'>> &
  Pick<RocketMQProducerOptions, 'accessKey' | 'secretKey' | 'namespace' | 'instanceName'>;

export type ResolvedTemplateOptions = ResolvedProducerOptions & { nameServer?: string };

/** The pull consumer options with every default applied. */
export type ResolvedPullConsumerOptions = RocketMQPullConsumerOptions &
  Required<Pick<RocketMQPullConsumerOptions, 'selectorType' | 'selectorExpression' | 'messageModel' | 'pullBatchSize' | 'consumeFromWhere'>>;

/** Options after validation: defaults applied, templates resolved. */
export interface ResolvedRocketMQOptions extends Omit<RocketMQModuleOptions, 'producer' | 'templates' | 'consumer' | 'pullConsumer'> {
  producer?: ResolvedProducerOptions;
  pullConsumer?: ResolvedPullConsumerOptions;
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
export const PULL_CONSUMER_DEFAULTS = {
  selectorType: 'TAG',
  selectorExpression: '*',
  messageModel: 'CLUSTERING',
  pullBatchSize: 10,
  consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
} as const;
const PULL_CONSUMER_KEYS = [
  'group', 'topic', ...Object.keys(PULL_CONSUMER_DEFAULTS), 'nameServer', 'accessKey', 'secretKey', 'namespace', 'instanceName',
  'enableMsgTrace', 'customizedTraceTopic', 'tlsEnable',
];
const CONSUMER_KEYS = ['accessKey', 'secretKey', 'namespace', 'instanceName', 'enableMsgTrace', 'customizedTraceTopic', 'tlsEnable', 'listeners'];

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
  const pullConsumer = resolvePullConsumer(raw.pullConsumer, problems);

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
      // Every other key is the bundled broker's to check (RocketMQBrokerConfigError names a bad or unknown one).
      checkListen(raw.broker.listen, problems);
      checkType(raw.broker.storePath, 'string', 'broker.storePath', problems);
    }
  }

  if (problems.length > 0) throw RocketMQConfigError.of(problems);
  return {
    ...raw,
    producer,
    pullConsumer,
    templates,
    consumer,
    properties: { ...(raw.properties ?? {}) },
  };
}

function resolvePullConsumer(raw: unknown, problems: string[]): ResolvedPullConsumerOptions | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) {
    problems.push('pullConsumer must be an object { group, topic, ... }');
    return undefined;
  }
  const before = problems.length;
  unknownKeys(raw, PULL_CONSUMER_KEYS, 'pullConsumer.', problems);
  const options = { ...raw } as Record<string, unknown>;
  // Values from rocketMQOptionsFromProperties arrive as strings.
  if (typeof options.pullBatchSize === 'string' && /^\d+$/.test(options.pullBatchSize.trim())) options.pullBatchSize = Number(options.pullBatchSize);
  for (const key of ['enableMsgTrace', 'tlsEnable']) {
    if (options[key] === 'true' || options[key] === 'false') options[key] = options[key] === 'true';
  }
  if (typeof options.group !== 'string' || !GROUP_PATTERN.test(options.group) || options.group.length > 255) {
    problems.push(`pullConsumer.group ${options.group === undefined ? 'is missing' : `${JSON.stringify(options.group)} is not a valid group name`}: receive() needs a consumer group (rocketmq.pull-consumer.group)`);
  }
  if (typeof options.topic !== 'string') problems.push('pullConsumer.topic is missing: receive() needs the topic to poll (rocketmq.pull-consumer.topic)');
  else {
    const problem = topicNameProblem(options.topic);
    if (problem) problems.push(`pullConsumer.topic is invalid: ${problem}`);
  }
  const enums: Record<string, readonly string[]> = {
    selectorType: ['TAG', 'SQL92'],
    messageModel: ['CLUSTERING', 'BROADCASTING'],
    consumeFromWhere: ['CONSUME_FROM_LAST_OFFSET', 'CONSUME_FROM_FIRST_OFFSET', 'CONSUME_FROM_TIMESTAMP'],
  };
  for (const [key, allowed] of Object.entries(enums)) {
    if (options[key] !== undefined && !allowed.includes(options[key] as string)) {
      problems.push(`pullConsumer.${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(options[key])}`);
    }
  }
  checkNonNegativeInteger(options.pullBatchSize, 'pullConsumer.pullBatchSize', problems, 1);
  for (const key of ['selectorExpression', 'accessKey', 'secretKey', 'namespace', 'instanceName', 'customizedTraceTopic'] as const) {
    checkType(options[key], 'string', `pullConsumer.${key}`, problems);
  }
  for (const key of ['enableMsgTrace', 'tlsEnable'] as const) checkType(options[key], 'boolean', `pullConsumer.${key}`, problems);
  if (options.nameServer !== undefined && (typeof options.nameServer !== 'string' || !NAME_SERVER_PATTERN.test(options.nameServer))) {
    problems.push(`pullConsumer.nameServer ${JSON.stringify(options.nameServer)} is not a "host:port" list separated by ';'`);
  }
  if (problems.length > before) return undefined;
  const resolved = { ...PULL_CONSUMER_DEFAULTS } as unknown as ResolvedPullConsumerOptions;
  for (const [key, value] of Object.entries(options)) if (value !== undefined) (resolved as unknown as Record<string, unknown>)[key] = value;
  if (!resolved.selectorExpression || !resolved.selectorExpression.trim()) resolved.selectorExpression = '*';
  return resolved;
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

/** `listen`: the NameServer's TCP port (0: a free one) or `{ host, port }`. */
function checkListen(value: unknown, problems: string[]): void {
  if (value === undefined) return;
  const isPort = (port: unknown) => typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535;
  if (isObject(value)) {
    for (const key of Object.keys(value)) {
      if (key !== 'host' && key !== 'port') problems.push(`broker.listen has an unknown key "${key}"; known keys: host, port`);
    }
    if (value.port !== undefined && !isPort(value.port)) problems.push(`broker.listen.port must be an integer from 0 to 65535, got ${JSON.stringify(value.port)}`);
    if (value.host !== undefined && (typeof value.host !== 'string' || value.host === '')) {
      problems.push(`broker.listen.host must be a non-empty string, got ${JSON.stringify(value.host)}`);
    }
  } else if (!isPort(value)) {
    problems.push(`broker.listen must be a port (an integer from 0 to 65535) or { host, port }, got ${JSON.stringify(value)}`);
  }
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
