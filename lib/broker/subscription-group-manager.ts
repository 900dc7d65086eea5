import { DataVersion } from './data-version.js';
import { createSubscriptionGroupConfig, SubscriptionGroupConfig } from './subscription-group-config.js';

/** The broker's consumer groups (SubscriptionGroupManager); unknown groups are created when allowed. */
export class SubscriptionGroupManager {
  private readonly table = new Map<string, SubscriptionGroupConfig>();
  readonly dataVersion = new DataVersion();

  constructor(private readonly autoCreateSubscriptionGroup: boolean) {}

  /** The group's config, created on the fly when autoCreateSubscriptionGroup is on. */
  findSubscriptionGroupConfig(group: string): SubscriptionGroupConfig | undefined {
    let config = this.table.get(group);
    if (!config && this.autoCreateSubscriptionGroup) {
      config = createSubscriptionGroupConfig(group);
      this.table.set(group, config);
      this.dataVersion.next();
    }
    return config;
  }

  updateSubscriptionGroupConfig(config: SubscriptionGroupConfig): void {
    this.table.set(config.groupName, { ...config });
    this.dataVersion.next();
  }

  deleteSubscriptionGroupConfig(group: string): boolean {
    const removed = this.table.delete(group);
    if (removed) this.dataVersion.next();
    return removed;
  }

  getSubscriptionGroupTable(): ReadonlyMap<string, SubscriptionGroupConfig> {
    return this.table;
  }
}
