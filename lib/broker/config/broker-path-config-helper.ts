import { join } from 'node:path';

/**
 * Where the broker's metadata files live under the store root (BrokerPathConfigHelper): all of them in
 * `<storePathRootDir>/config/`, with RocketMQ's file names so an operator finds them where a Java broker
 * keeps them.
 */
export const BrokerPathConfigHelper = {
  getConfigDir(rootDir: string): string {
    return join(rootDir, 'config');
  },
  getTopicConfigPath(rootDir: string): string {
    return join(rootDir, 'config', 'topics.json');
  },
  getSubscriptionGroupPath(rootDir: string): string {
    return join(rootDir, 'config', 'subscriptionGroup.json');
  },
  getConsumerOffsetPath(rootDir: string): string {
    return join(rootDir, 'config', 'consumerOffset.json');
  },
  /** ScheduleMessageService's progress (StorePathConfigHelper.getDelayOffsetStorePath). */
  getDelayOffsetStorePath(rootDir: string): string {
    return join(rootDir, 'config', 'delayOffset.json');
  },
  /**
   * The timer service's progress. RocketMQ's `timercheck` is a binary checkpoint of its time wheel; this
   * broker has no wheel, only a queue offset, so it keeps a JSON file under its own name.
   */
  getTimerCheckPath(rootDir: string): string {
    return join(rootDir, 'config', 'timerCheckpoint.json');
  },
} as const;
