import { Logger } from '@nestjs/common';
import { PermName } from '../remoting/index.js';
import { BrokerConfig } from './broker-config.js';
import { BrokerPathConfigHelper } from './config/broker-path-config-helper.js';
import { ConfigManager } from './config/config-manager.js';
import { DataVersion } from './data-version.js';
import { createTopicConfig, isInherited, TopicConfig } from './topic-config.js';
import { TopicValidator } from './topic-validator.js';

/** The topic table sent to the NameServer on registration (TopicConfigSerializeWrapper). */
export interface TopicConfigSerializeWrapper {
  topicConfigTable: Record<string, TopicConfig>;
  dataVersion: { timestamp: number; counter: number };
}

/**
 * The broker's topics (TopicConfigManager): TBW102, the key auto-creation inherits from, plus user,
 * retry and system topics. Every change bumps the data version, is written to topics.json (when the broker
 * has a store root) and is reported through `onChange`, which the controller turns into an immediate
 * NameServer registration.
 */
export class TopicConfigManager extends ConfigManager {
  private readonly logger = new Logger(TopicConfigManager.name);
  private readonly topicConfigTable = new Map<string, TopicConfig>();
  readonly dataVersion = new DataVersion();

  constructor(
    private readonly brokerConfig: BrokerConfig,
    private readonly onChange: (topic: TopicConfig) => void = () => undefined,
    /** Store root whose config/topics.json holds the table; none keeps it in memory only. */
    private readonly storePathRootDir?: string,
  ) {
    super();
    if (brokerConfig.autoCreateTopicEnable) {
      this.topicConfigTable.set(
        TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC,
        createTopicConfig(
          TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC,
          brokerConfig.defaultTopicQueueNums,
          PermName.PERM_INHERIT | PermName.PERM_READ | PermName.PERM_WRITE,
        ),
      );
    }
  }

  selectTopicConfig(topic: string): TopicConfig | undefined {
    return this.topicConfigTable.get(topic);
  }

  /**
   * Creates `topic` on first send from the settings of `defaultTopic` (TBW102), as long as that topic has
   * the inherit permission. Queue count: what the producer asks for, capped by the default topic's.
   */
  createTopicInSendMessageMethod(
    topic: string,
    defaultTopic: string,
    clientDefaultTopicQueueNums: number,
    topicSysFlag: number,
  ): TopicConfig | undefined {
    const existing = this.topicConfigTable.get(topic);
    if (existing) return existing;
    const defaultConfig = this.topicConfigTable.get(defaultTopic);
    if (!defaultConfig) {
      this.logger.warn(`cannot create topic ${topic}: the default topic ${defaultTopic} does not exist`);
      return undefined;
    }
    let perm = defaultConfig.perm;
    if (defaultTopic === TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC && !this.brokerConfig.autoCreateTopicEnable) {
      perm = PermName.PERM_READ | PermName.PERM_WRITE;
    }
    if (!isInherited(perm)) {
      this.logger.warn(`cannot create topic ${topic}: the default topic ${defaultTopic} has no inherit permission`);
      return undefined;
    }
    const queueNums = Math.max(0, Math.min(clientDefaultTopicQueueNums, defaultConfig.writeQueueNums));
    const config = createTopicConfig(topic, queueNums, perm & ~PermName.PERM_INHERIT);
    config.topicSysFlag = topicSysFlag;
    this.logger.log(`auto-created topic ${topic} with ${queueNums} queues`);
    return this.put(config);
  }

  /** Creates a retry, DLQ or system topic the broker itself writes to, when it does not exist yet. */
  createTopicInSendMessageBackMethod(topic: string, queueNums: number, perm: number, topicSysFlag = 0): TopicConfig {
    const existing = this.topicConfigTable.get(topic);
    if (existing) return existing;
    const config = createTopicConfig(topic, queueNums, perm);
    config.topicSysFlag = topicSysFlag;
    return this.put(config);
  }

  /** Creates or replaces a topic (UPDATE_AND_CREATE_TOPIC). */
  updateTopicConfig(config: TopicConfig): TopicConfig {
    return this.put({ ...config });
  }

  deleteTopicConfig(topic: string): boolean {
    const removed = this.topicConfigTable.delete(topic);
    if (removed) {
      this.dataVersion.next();
      this.persist();
    }
    return removed;
  }

  getTopicConfigTable(): ReadonlyMap<string, TopicConfig> {
    return this.topicConfigTable;
  }

  buildTopicConfigSerializeWrapper(): TopicConfigSerializeWrapper {
    const topicConfigTable: Record<string, TopicConfig> = {};
    for (const [name, config] of this.topicConfigTable) topicConfigTable[name] = config;
    return { topicConfigTable, dataVersion: this.dataVersion.toJSON() };
  }

  private put(config: TopicConfig): TopicConfig {
    this.topicConfigTable.set(config.topicName, config);
    this.dataVersion.next();
    this.persist();
    this.onChange(config);
    return config;
  }

  configFilePath(): string | undefined {
    return this.storePathRootDir === undefined ? undefined : BrokerPathConfigHelper.getTopicConfigPath(this.storePathRootDir);
  }

  encode(prettyFormat = false): string {
    return JSON.stringify(this.buildTopicConfigSerializeWrapper(), null, prettyFormat ? 2 : undefined);
  }

  /** Persisted topics replace those of the same name made by the constructor (TBW102 included), as in RocketMQ. */
  decode(jsonString: string): void {
    const parsed = JSON.parse(jsonString) as Partial<TopicConfigSerializeWrapper>;
    const table = parsed.topicConfigTable;
    if (!table || typeof table !== 'object') throw new Error('topicConfigTable is missing');
    const loaded: TopicConfig[] = [];
    for (const [name, raw] of Object.entries(table)) {
      const base = createTopicConfig(name, 0);
      const config = { ...base, ...raw, topicName: name } as TopicConfig;
      if (!Number.isInteger(config.readQueueNums) || !Number.isInteger(config.writeQueueNums) || !Number.isInteger(config.perm)) {
        throw new Error(`topic ${name} has no valid queue numbers or perm`);
      }
      loaded.push(config);
    }
    for (const config of loaded) this.topicConfigTable.set(config.topicName, config);
    this.dataVersion.assignNewOne(parsed.dataVersion);
  }
}
