import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parsePlainAclYaml } from '../../remoting/acl/plain-acl-yaml-parser.js';
import { PlainAclValidator, type PlainAclConfig } from '../../remoting/acl/plain-acl-validator.js';
import { BrokerConfig, DEFAULT_BROKER_CONFIG, resolveBrokerConfig } from '../broker-config.js';
import { RocketMQBrokerConfigError } from '../rocketmq-broker-config.error.js';
import type { BrokerStoreOptions, BrokerStoreType } from './broker-options.js';

/** The bundled broker's options split by owner: the broker's settings and the file store's. */
export interface ResolvedBrokerOptions {
  store: BrokerStoreType;
  brokerConfig: BrokerConfig;
  /** Canonical store keys with converted values; the root is absolute and maxMessageSize is the broker's. */
  storeConfig: BrokerStoreOptions & { storePathRootDir: string; maxMessageSize: number };
  /**
   * The plain ACL the broker's TCP server checks every request against, when `aclEnable` is true (read
   * from `plainAclConfig` or the `plainAclFile` YAML); undefined otherwise.
   */
  aclConfig?: PlainAclConfig;
}

type Kind = 'string' | 'int' | 'boolean' | 'object';

interface KeySpec {
  kind: Kind;
  /** broker: BrokerConfig; store: the file store; acl: the TCP server's ACL; accepted: known, no effect here. */
  owner: 'broker' | 'store' | 'acl' | 'accepted';
  /** Values the key may take, when it is an enumeration. */
  values?: readonly string[];
  /** Smallest value of an integer key. */
  min?: number;
}

const STORE_KEYS: Readonly<Record<keyof BrokerStoreOptions, KeySpec>> = {
  storePathRootDir: { kind: 'string', owner: 'store' },
  storePathCommitLog: { kind: 'string', owner: 'store' },
  storePathConsumeQueue: { kind: 'string', owner: 'store' },
  storePathIndex: { kind: 'string', owner: 'store' },
  storeCheckpoint: { kind: 'string', owner: 'store' },
  abortFile: { kind: 'string', owner: 'store' },
  // The store's own floors: a segment holds at least a page, a ConsumeQueue file at least one entry.
  mappedFileSizeCommitLog: { kind: 'int', owner: 'store', min: 4096 },
  mappedFileSizeConsumeQueue: { kind: 'int', owner: 'store', min: 20 },
  flushDiskType: { kind: 'string', owner: 'store', values: ['ASYNC_FLUSH', 'SYNC_FLUSH'] },
  flushIntervalCommitLog: { kind: 'int', owner: 'store' },
  flushCommitLogLeastPages: { kind: 'int', owner: 'store' },
  flushCommitLogThoroughInterval: { kind: 'int', owner: 'store' },
  flushIntervalConsumeQueue: { kind: 'int', owner: 'store' },
  flushConsumeQueueLeastPages: { kind: 'int', owner: 'store' },
  flushConsumeQueueThoroughInterval: { kind: 'int', owner: 'store' },
  syncFlushTimeout: { kind: 'int', owner: 'store' },
  fileReservedTime: { kind: 'int', owner: 'store' },
  deleteWhen: { kind: 'string', owner: 'store' },
  diskMaxUsedSpaceRatio: { kind: 'int', owner: 'store' },
  destroyMapedFileIntervalForcibly: { kind: 'int', owner: 'store' },
  cleanResourceInterval: { kind: 'int', owner: 'store' },
  maxHashSlotNum: { kind: 'int', owner: 'store', min: 1 },
  maxIndexNum: { kind: 'int', owner: 'store', min: 2 },
};

const ACCEPTED_KEYS: Readonly<Record<string, KeySpec>> = {
  brokerRole: { kind: 'string', owner: 'accepted', values: ['ASYNC_MASTER', 'SYNC_MASTER', 'SLAVE'] },
  checkTransactionMessageEnable: { kind: 'boolean', owner: 'accepted' },
  sendMessageThreadPoolNums: { kind: 'int', owner: 'accepted' },
  pullMessageThreadPoolNums: { kind: 'int', owner: 'accepted' },
  slaveReadEnable: { kind: 'boolean', owner: 'accepted' },
  redeleteHangedFileInterval: { kind: 'int', owner: 'accepted' },
};

/** The plain ACL (AclConfig in Apache's broker.conf: aclEnable; here the file or the config itself). */
const ACL_KEYS: Readonly<Record<string, KeySpec>> = {
  aclEnable: { kind: 'boolean', owner: 'acl' },
  plainAclFile: { kind: 'string', owner: 'acl' },
  plainAclConfig: { kind: 'object', owner: 'acl' },
};

/** Other spellings → the canonical key. The canonical key wins when both are given. */
const ALIASES: Readonly<Record<string, string>> = {
  mapedFileSizeCommitLog: 'mappedFileSizeCommitLog',
  mapedFileSizeConsumeQueue: 'mappedFileSizeConsumeQueue',
  destroyMappedFileIntervalForcibly: 'destroyMapedFileIntervalForcibly',
  redelateHangedFileInterval: 'redeleteHangedFileInterval',
  transactionMsgTimeout: 'transactionTimeOut',
};

/** Misspellings that are accepted, but worth telling the operator about. */
const TYPO_ALIASES: ReadonlySet<string> = new Set(['redelateHangedFileInterval']);

function brokerKeySpecs(): Record<string, KeySpec> {
  const specs: Record<string, KeySpec> = {};
  for (const [key, value] of Object.entries(DEFAULT_BROKER_CONFIG)) {
    specs[key] = { kind: typeof value === 'boolean' ? 'boolean' : typeof value === 'number' ? 'int' : 'string', owner: 'broker' };
  }
  return specs;
}

const KEY_SPECS: Readonly<Record<string, KeySpec>> = { ...brokerKeySpecs(), ...STORE_KEYS, ...ACL_KEYS, ...ACCEPTED_KEYS };

/** Every key `resolveBrokerOptions` accepts, aliases and `store` included. */
export const KNOWN_BROKER_OPTION_KEYS: readonly string[] = ['store', ...Object.keys(KEY_SPECS), ...Object.keys(ALIASES)];

const logger = new Logger('BrokerConfigParser');

/**
 * Reads a broker.conf (Java properties): `key=value` or `key: value` lines, `#` and `!` comment lines,
 * blank lines. Unlike java.util.Properties, a `#` after whitespace also starts a comment, since published
 * broker.conf samples write `brokerIP1=192.168.0.2 #comment` and mean the address alone. Values stay
 * strings; `resolveBrokerOptions` converts them by the key's type.
 */
export function parseBrokerConf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m) {
      throw new RocketMQBrokerConfigError(`line ${i + 1}`, `broker.conf line ${i + 1} is not "key=value": ${JSON.stringify(line)}`);
    }
    out[m[1]] = m[2].replace(/\s+#.*$/, '').trim();
  }
  return out;
}

/**
 * Checks, converts and splits the bundled broker's options. Every key must be known: an unknown one is
 * refused with a RocketMQBrokerConfigError naming it and the closest known key, because a misspelt
 * broker.conf key silently ignored (as Java's properties2Object does) is a setting the operator thinks
 * they made. Strings are converted by the key's type; aliases map to their canonical key.
 */
export function resolveBrokerOptions(options: Record<string, unknown> = {}, path = 'broker'): ResolvedBrokerOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new RocketMQBrokerConfigError(path, `${path} must be an object of broker options`);
  }
  let store: BrokerStoreType = defaultStoreType();
  const canonical: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(options)) {
    if (raw === undefined) continue;
    if (key === 'store') {
      if (raw !== 'memory' && raw !== 'file') {
        throw new RocketMQBrokerConfigError(`${path}.store`, `broker option "${path}.store" must be 'memory' or 'file', got ${JSON.stringify(raw)}`);
      }
      store = raw;
      continue;
    }
    const target = ALIASES[key] ?? key;
    const spec = KEY_SPECS[target];
    if (!spec) {
      const suggestion = closestKey(key);
      throw new RocketMQBrokerConfigError(
        `${path}.${key}`,
        `unknown broker option "${path}.${key}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
      );
    }
    if (ALIASES[key]) {
      if (TYPO_ALIASES.has(key)) logger.warn(`broker option "${key}" is a misspelling of "${target}"; accepted, please rename it`);
      // The canonical spelling wins whatever the order of the keys.
      if (options[target] !== undefined) continue;
    }
    canonical[target] = convert(`${path}.${key}`, raw, spec);
  }

  const brokerPart: Record<string, unknown> = {};
  const storeConfig: Record<string, unknown> = {};
  const aclPart: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(canonical)) {
    const spec = KEY_SPECS[key];
    if (spec.owner === 'broker') brokerPart[key] = value;
    else if (spec.owner === 'store') storeConfig[key] = value;
    else if (spec.owner === 'acl') aclPart[key] = value;
    else acceptOnly(path, key, value);
  }
  const aclConfig = resolveAcl(path, aclPart);
  const brokerConfig = resolveBrokerConfig(brokerPart, path);
  const root = typeof storeConfig.storePathRootDir === 'string' ? storeConfig.storePathRootDir : join(process.cwd(), '.rocketmq');
  storeConfig.storePathRootDir = resolve(root);
  storeConfig.maxMessageSize = brokerConfig.maxMessageSize;
  // Recovery recomputes when parked delayed messages fall due, so the store must know the levels.
  storeConfig.messageDelayLevel = brokerConfig.messageDelayLevel;
  return { store, brokerConfig, storeConfig: storeConfig as unknown as ResolvedBrokerOptions['storeConfig'], aclConfig };
}

/**
 * aclEnable=true needs the accounts: `plainAclConfig` (an object) or `plainAclFile` (a plain_acl.yml), not
 * both. The config is checked here (PlainAclValidator compiles it), so a bad one fails before any port opens.
 */
function resolveAcl(path: string, acl: Record<string, unknown>): PlainAclConfig | undefined {
  const { aclEnable, plainAclFile, plainAclConfig } = acl as { aclEnable?: boolean; plainAclFile?: string; plainAclConfig?: PlainAclConfig };
  if (aclEnable !== true) return undefined;
  if (plainAclFile !== undefined && plainAclConfig !== undefined) {
    throw new RocketMQBrokerConfigError(`${path}.plainAclFile`, `broker options "${path}.plainAclFile" and "${path}.plainAclConfig" exclude each other; give one`);
  }
  let config: PlainAclConfig;
  if (plainAclConfig !== undefined) {
    config = plainAclConfig;
  } else if (plainAclFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(resolve(plainAclFile), 'utf8');
    } catch (err) {
      throw new RocketMQBrokerConfigError(`${path}.plainAclFile`, `cannot read the plain ACL file ${plainAclFile}: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      config = parsePlainAclYaml(text);
    } catch (err) {
      throw new RocketMQBrokerConfigError(`${path}.plainAclFile`, `${plainAclFile}: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else {
    throw new RocketMQBrokerConfigError(`${path}.aclEnable`, `broker option "${path}.aclEnable" is true but neither "${path}.plainAclFile" nor "${path}.plainAclConfig" gives the accounts`);
  }
  if (!Array.isArray(config.accounts) || (config.globalWhiteRemoteAddresses !== undefined && !Array.isArray(config.globalWhiteRemoteAddresses))) {
    throw new RocketMQBrokerConfigError(`${path}.plainAclConfig`, `the plain ACL config must be { accounts: [...], globalWhiteRemoteAddresses?: [...] }`);
  }
  try {
    new PlainAclValidator(config);
  } catch (err) {
    throw new RocketMQBrokerConfigError(`${path}.plainAclConfig`, `invalid plain ACL config: ${err instanceof Error ? err.message : String(err)}`);
  }
  return config;
}

/**
 * The store used when `store` is not given: the file store, unless the environment variable
 * ROCKETMQ_BUNDLED_STORE says `memory` (handy for a test suite that wants no files, without touching code).
 */
function defaultStoreType(): BrokerStoreType {
  const fromEnv = process.env.ROCKETMQ_BUNDLED_STORE;
  if (fromEnv === undefined || fromEnv === '') return 'file';
  if (fromEnv !== 'memory' && fromEnv !== 'file') {
    throw new RocketMQBrokerConfigError('ROCKETMQ_BUNDLED_STORE', `ROCKETMQ_BUNDLED_STORE must be 'memory' or 'file', got ${JSON.stringify(fromEnv)}`);
  }
  return fromEnv;
}

/** Keys known from Java brokers that change nothing here; brokerRole=SLAVE would, so it is refused. */
function acceptOnly(path: string, key: string, value: unknown): void {
  if (key === 'brokerRole' && value === 'SLAVE') {
    throw new RocketMQBrokerConfigError(
      `${path}.brokerRole`,
      `broker option "${path}.brokerRole" is SLAVE, but a bundled broker has no master to replicate from; use ASYNC_MASTER or SYNC_MASTER`,
    );
  }
  logger.debug(`broker option "${key}" = ${JSON.stringify(value)} is accepted and has no effect on the bundled broker`);
}

function convert(key: string, raw: unknown, spec: KeySpec): unknown {
  let value = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (spec.kind === 'int') {
      if (!/^-?\d+$/.test(text)) throw invalid(key, 'an integer', raw);
      value = Number(text);
    } else if (spec.kind === 'boolean') {
      if (!/^(true|false)$/i.test(text)) throw invalid(key, 'a boolean (true or false)', raw);
      value = text.toLowerCase() === 'true';
    } else {
      value = text;
    }
  }
  // Broker keys are range-checked by resolveBrokerConfig; the rest here.
  if (spec.owner === 'broker') return value;
  if (spec.kind === 'int' && !(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) {
    throw invalid(key, 'an integer >= 0', raw);
  }
  if (spec.min !== undefined && (value as number) < spec.min) throw invalid(key, `an integer >= ${spec.min}`, raw);
  if (spec.kind === 'boolean' && typeof value !== 'boolean') throw invalid(key, 'a boolean', raw);
  if (spec.kind === 'object' && (value === null || typeof value !== 'object' || Array.isArray(value))) throw invalid(key, 'an object', raw);
  if (spec.kind === 'string' && (typeof value !== 'string' || value === '')) throw invalid(key, 'a non-empty string', raw);
  if (spec.values && !spec.values.includes(value as string)) throw invalid(key, `one of ${spec.values.join(', ')}`, raw);
  if (key.endsWith('.deleteWhen') && !/^\d{1,2}(;\d{1,2})*$/.test(value as string)) {
    throw invalid(key, `hour(s) of day separated by ';', such as '04'`, raw);
  }
  return value;
}

function invalid(key: string, expected: string, got: unknown): RocketMQBrokerConfigError {
  return new RocketMQBrokerConfigError(key, `broker option "${key}" must be ${expected}, got ${JSON.stringify(got)}`);
}

/** The known key nearest to `key` by edit distance (case-insensitive), when it is plausibly a typo of it. */
function closestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const known of KNOWN_BROKER_OPTION_KEYS) {
    const d = editDistance(key.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(3, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
