import * as path from 'node:path';
import { CQ_STORE_UNIT_SIZE, DEFAULT_MESSAGE_STORE_CONFIG, MessageStoreConfig } from '../message-store-config.js';
import { DEFAULT_MESSAGE_DELAY_LEVEL } from '../message-delay-level.js';

/** When a put is acknowledged relative to the disk (RocketMQ's FlushDiskType). */
export type FlushDiskType = 'ASYNC_FLUSH' | 'SYNC_FLUSH';

/**
 * Settings of the file store: RocketMQ's MessageStoreConfig keys under their canonical (non-"maped")
 * spellings. Paths default under `storePathRootDir` the way StorePathConfigHelper lays them out.
 */
export interface FileMessageStoreConfig extends MessageStoreConfig {
  /** Root of the store; every other path defaults under it. Required. */
  storePathRootDir: string;
  /**
   * Directory of the CommitLog segments.
   * @default `<storePathRootDir>/commitlog`
   */
  storePathCommitLog: string;
  /**
   * Directory of the ConsumeQueues (`<topic>/<queueId>/<segments>`).
   * @default `<storePathRootDir>/consumequeue`
   */
  storePathConsumeQueue: string;
  /**
   * Directory of the IndexFiles.
   * @default `<storePathRootDir>/index`
   */
  storePathIndex: string;
  /**
   * The checkpoint file (flush timestamps of CommitLog, ConsumeQueues and index).
   * @default `<storePathRootDir>/checkpoint`
   */
  storeCheckpoint: string;
  /**
   * The file whose presence at load means the last run did not shut down cleanly.
   * @default `<storePathRootDir>/abort`
   */
  abortFile: string;
  /**
   * Bytes of one CommitLog segment file. A record never spans two segments.
   * @default 1073741824
   */
  mappedFileSizeCommitLog: number;
  /**
   * Bytes of one ConsumeQueue segment file, rounded up to a multiple of 20 (one entry).
   * @default 6000000
   */
  mappedFileSizeConsumeQueue: number;
  /**
   * ASYNC_FLUSH acknowledges once the record is in the store's write buffer and flushes in the background;
   * SYNC_FLUSH acknowledges only after an fdatasync covered the record (group commit).
   * @default 'ASYNC_FLUSH'
   */
  flushDiskType: FlushDiskType;
  /**
   * ms between two CommitLog flush checks under ASYNC_FLUSH.
   * @default 500
   */
  flushIntervalCommitLog: number;
  /**
   * Dirty 4 KiB pages of CommitLog needed before a periodic flush syncs.
   * @default 4
   */
  flushCommitLogLeastPages: number;
  /**
   * ms after which the CommitLog is synced whatever the number of dirty pages.
   * @default 10000
   */
  flushCommitLogThoroughInterval: number;
  /**
   * ms between two ConsumeQueue (and index) flushes.
   * @default 1000
   */
  flushIntervalConsumeQueue: number;
  /**
   * Dirty 4 KiB pages of one ConsumeQueue file needed before a periodic flush syncs it.
   * @default 2
   */
  flushConsumeQueueLeastPages: number;
  /**
   * ms after which every ConsumeQueue is synced whatever its dirty pages.
   * @default 60000
   */
  flushConsumeQueueThoroughInterval: number;
  /**
   * ms a SYNC_FLUSH put waits for its fdatasync before answering FLUSH_DISK_TIMEOUT.
   * @default 5000
   */
  syncFlushTimeout: number;
  /**
   * Hours a CommitLog segment is kept after its last write.
   * @default 72
   */
  fileReservedTime: number;
  /**
   * Hours of the day (`;`-separated, e.g. `04;16`) at which expired files are deleted.
   * @default '04'
   */
  deleteWhen: string;
  /**
   * Percentage of the disk in use above which segments are deleted at any hour and regardless of age
   * (the current segment is always kept). Clamped to 10..95.
   * @default 75
   */
  diskMaxUsedSpaceRatio: number;
  /**
   * ms RocketMQ waits for readers of a segment before destroying it anyway. Reads here are synchronous and
   * never hold a segment, so deletion is immediate; the key is accepted for broker.conf compatibility and
   * used as the delay before retrying a segment whose unlink failed.
   * @default 120000
   */
  destroyMapedFileIntervalForcibly: number;
  /**
   * ms between two retention checks.
   * @default 10000
   */
  cleanResourceInterval: number;
  /**
   * Hash slots of one IndexFile.
   * @default 5000000
   */
  maxHashSlotNum: number;
  /**
   * Entries of one IndexFile (one per indexed key).
   * @default 20000000
   */
  maxIndexNum: number;
  /**
   * Delay of each delay level (MessageStoreConfig.messageDelayLevel): recovery recomputes the delivery time
   * SCHEDULE_TOPIC_XXXX keeps in its ConsumeQueue tagsCode as store time + the level's delay. Keep it equal
   * to the broker's.
   * @default '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h'
   */
  messageDelayLevel: string;
}

/** Defaults of every key except the paths, which derive from `storePathRootDir`. */
export const DEFAULT_FILE_STORE_CONFIG: Readonly<
  Omit<FileMessageStoreConfig, 'storePathRootDir' | 'storePathCommitLog' | 'storePathConsumeQueue' | 'storePathIndex' | 'storeCheckpoint' | 'abortFile'>
> = Object.freeze({
  ...DEFAULT_MESSAGE_STORE_CONFIG,
  mappedFileSizeCommitLog: 1024 * 1024 * 1024,
  mappedFileSizeConsumeQueue: 300000 * CQ_STORE_UNIT_SIZE,
  flushDiskType: 'ASYNC_FLUSH' as FlushDiskType,
  flushIntervalCommitLog: 500,
  flushCommitLogLeastPages: 4,
  flushCommitLogThoroughInterval: 10000,
  flushIntervalConsumeQueue: 1000,
  flushConsumeQueueLeastPages: 2,
  flushConsumeQueueThoroughInterval: 60000,
  syncFlushTimeout: 5000,
  fileReservedTime: 72,
  deleteWhen: '04',
  diskMaxUsedSpaceRatio: 75,
  destroyMapedFileIntervalForcibly: 120000,
  cleanResourceInterval: 10000,
  maxHashSlotNum: 5000000,
  maxIndexNum: 5000000 * 4,
  messageDelayLevel: DEFAULT_MESSAGE_DELAY_LEVEL,
});

/** Fills defaults, derives paths and applies RocketMQ's getter rules (CQ size rounding, ratio clamp). */
export function resolveFileStoreConfig(config: Partial<FileMessageStoreConfig> & { storePathRootDir: string }): FileMessageStoreConfig {
  if (!config.storePathRootDir) throw new Error('FileMessageStore needs storePathRootDir');
  const defined = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as Partial<FileMessageStoreConfig>;
  const root = path.resolve(config.storePathRootDir);
  const merged: FileMessageStoreConfig = {
    ...DEFAULT_FILE_STORE_CONFIG,
    storePathCommitLog: path.join(root, 'commitlog'),
    storePathConsumeQueue: path.join(root, 'consumequeue'),
    storePathIndex: path.join(root, 'index'),
    storeCheckpoint: path.join(root, 'checkpoint'),
    abortFile: path.join(root, 'abort'),
    ...defined,
    storePathRootDir: root,
  };
  merged.mappedFileSizeConsumeQueue = Math.ceil(merged.mappedFileSizeConsumeQueue / CQ_STORE_UNIT_SIZE) * CQ_STORE_UNIT_SIZE;
  merged.diskMaxUsedSpaceRatio = Math.min(95, Math.max(10, merged.diskMaxUsedSpaceRatio));
  if (merged.mappedFileSizeCommitLog < 4096) throw new Error(`mappedFileSizeCommitLog ${merged.mappedFileSizeCommitLog} is below 4096 bytes`);
  if (merged.mappedFileSizeConsumeQueue < CQ_STORE_UNIT_SIZE) throw new Error('mappedFileSizeConsumeQueue must hold at least one entry');
  if (merged.maxHashSlotNum < 1 || merged.maxIndexNum < 2) throw new Error('maxHashSlotNum must be >= 1 and maxIndexNum >= 2');
  return merged;
}
