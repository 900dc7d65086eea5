import { BrokerPathConfigHelper } from './config/broker-path-config-helper.js';
import { ConfigManager } from './config/config-manager.js';
import { DataVersion } from './data-version.js';
import { createSubscriptionGroupConfig, SubscriptionGroupConfig } from './subscription-group-config.js';

/**
 * The broker's consumer groups (SubscriptionGroupManager); unknown groups are created when allowed. Every
 * change is written to subscriptionGroup.json when the broker has a store root.
 */
export class SubscriptionGroupManager extends ConfigManager {
  private readonly table = new Map<string, SubscriptionGroupConfig>();
  readonly dataVersion = new DataVersion();

  constructor(
    private readonly autoCreateSubscriptionGroup: boolean,
    /** Store root whose config/subscriptionGroup.json holds the table; none keeps it in memory only. */
    private readonly storePathRootDir?: string,
  ) {
    super();
  }

  /** The group's config, created on the fly when autoCreateSubscriptionGroup is on. */
  findSubscriptionGroupConfig(group: string): SubscriptionGroupConfig | undefined {
    let config = this.table.get(group);
    if (!config && this.autoCreateSubscriptionGroup) {
      config = createSubscriptionGroupConfig(group);
      this.table.set(group, config);
      this.dataVersion.next();
      this.persist();
    }
    return config;
  }

  updateSubscriptionGroupConfig(config: SubscriptionGroupConfig): void {
    this.table.set(config.groupName, { ...config });
    this.dataVersion.next();
    this.persist();
  }

  deleteSubscriptionGroupConfig(group: string): boolean {
    const removed = this.table.delete(group);
    if (removed) {
      this.dataVersion.next();
      this.persist();
    }
    return removed;
  }

  getSubscriptionGroupTable(): ReadonlyMap<string, SubscriptionGroupConfig> {
    return this.table;
  }

  configFilePath(): string | undefined {
    return this.storePathRootDir === undefined ? undefined : BrokerPathConfigHelper.getSubscriptionGroupPath(this.storePathRootDir);
  }

  encode(prettyFormat = false): string {
    const subscriptionGroupTable = Object.fromEntries(this.table);
    return JSON.stringify({ subscriptionGroupTable, dataVersion: this.dataVersion.toJSON() }, null, prettyFormat ? 2 : undefined);
  }

  decode(jsonString: string): void {
    const parsed = JSON.parse(jsonString) as { subscriptionGroupTable?: Record<string, Partial<SubscriptionGroupConfig>>; dataVersion?: unknown };
    const table = parsed.subscriptionGroupTable;
    if (!table || typeof table !== 'object') throw new Error('subscriptionGroupTable is missing');
    const loaded = Object.entries(table).map(([name, raw]) => ({ ...createSubscriptionGroupConfig(name), ...raw, groupName: name }));
    for (const config of loaded) this.table.set(config.groupName, config);
    this.dataVersion.assignNewOne(parsed.dataVersion as { timestamp?: unknown; counter?: unknown } | undefined);
  }
}
