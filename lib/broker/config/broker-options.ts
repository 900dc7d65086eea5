import type { PlainAclConfig } from '../../remoting/acl/plain-acl-validator.js';
import type { BrokerConfig } from '../broker-config.js';

/** Which message store the bundled broker runs on. */
export type BrokerStoreType = 'memory' | 'file';

/**
 * Settings of the file store (MessageStoreConfig's keys, with RocketMQ's canonical spellings). The store
 * owns their defaults and meaning; the broker only converts and forwards them.
 */
export interface BrokerStoreOptions {
  /**
   * Root of the store: commitlog/, consumequeue/, index/, checkpoint, abort, lock and config/*.json.
   * @default `${process.cwd()}/.rocketmq`
   */
  storePathRootDir?: string;
  /** @default `<storePathRootDir>/commitlog` */
  storePathCommitLog?: string;
  /** @default `<storePathRootDir>/consumequeue` */
  storePathConsumeQueue?: string;
  /** @default `<storePathRootDir>/index` */
  storePathIndex?: string;
  /** @default `<storePathRootDir>/checkpoint` */
  storeCheckpoint?: string;
  /** Present while the store runs; found on start, it means the last stop was a crash. @default `<storePathRootDir>/abort` */
  abortFile?: string;
  /** Size of one CommitLog file, bytes; alias `mapedFileSizeCommitLog`. @default 1073741824 */
  mappedFileSizeCommitLog?: number;
  /** Size of one ConsumeQueue file, bytes (rounded up to 20-byte entries); alias `mapedFileSizeConsumeQueue`. @default 6000000 */
  mappedFileSizeConsumeQueue?: number;
  /** SYNC_FLUSH: a send is answered once its record is on disk; ASYNC_FLUSH: once it is written. @default 'ASYNC_FLUSH' */
  flushDiskType?: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  /** ASYNC_FLUSH: how often the CommitLog flush runs, ms. @default 500 */
  flushIntervalCommitLog?: number;
  /** Dirty 4 KiB pages that make a CommitLog flush worth it. @default 4 */
  flushCommitLogLeastPages?: number;
  /** A CommitLog flush ignores the page minimum after this long, ms. @default 10000 */
  flushCommitLogThoroughInterval?: number;
  /** How often the ConsumeQueue flush runs, ms. @default 1000 */
  flushIntervalConsumeQueue?: number;
  /** Dirty 4 KiB pages that make a ConsumeQueue flush worth it. @default 2 */
  flushConsumeQueueLeastPages?: number;
  /** A ConsumeQueue flush ignores the page minimum after this long, ms. @default 60000 */
  flushConsumeQueueThoroughInterval?: number;
  /** SYNC_FLUSH: a send whose flush takes longer is answered FLUSH_DISK_TIMEOUT, ms. @default 5000 */
  syncFlushTimeout?: number;
  /** Hours a CommitLog file is kept after its last write. @default 72 */
  fileReservedTime?: number;
  /** Hour(s) of day, `;`-separated, when expired files are deleted. @default '04' */
  deleteWhen?: string;
  /** Disk usage (%) above which files are deleted early. @default 75 */
  diskMaxUsedSpaceRatio?: number;
  /** A file still referenced is destroyed anyway this long after the first try, ms; alias `destroyMappedFileIntervalForcibly`. @default 120000 */
  destroyMapedFileIntervalForcibly?: number;
  /** How often retention runs, ms. @default 10000 */
  cleanResourceInterval?: number;
  /** Hash slots of one index file. @default 5000000 */
  maxHashSlotNum?: number;
  /** Entries of one index file. @default 20000000 */
  maxIndexNum?: number;
}

/**
 * Keys of a RocketMQ broker.conf that mean nothing in one Node process. They are accepted so a broker.conf
 * from a Java deployment loads unchanged; a key whose value would need behaviour this broker does not
 * have (brokerRole=SLAVE) is refused instead.
 */
export interface BrokerAcceptedOptions {
  /** Only a master makes sense bundled; SLAVE is refused with RocketMQBrokerConfigError. @default 'ASYNC_MASTER' */
  brokerRole?: 'ASYNC_MASTER' | 'SYNC_MASTER' | 'SLAVE';
  /** Legacy switch of the transaction check, which always runs here. @default undefined (ignored) */
  checkTransactionMessageEnable?: boolean;
  /** Java thread pool size; Node handles sends on its event loop, so it has no meaning. @default undefined (ignored) */
  sendMessageThreadPoolNums?: number;
  /** Java thread pool size; no meaning in Node. @default undefined (ignored) */
  pullMessageThreadPoolNums?: number;
  /** Consumers reading from slaves; a bundled broker has none. @default false (ignored) */
  slaveReadEnable?: boolean;
  /** Re-delete interval of files that failed to delete, ms; deleting a file here does not hang. @default 120000 (ignored) */
  redeleteHangedFileInterval?: number;
}

/**
 * Plain ACL (RocketMQ 4.x's AclConfig) on the broker's TCP port: with `aclEnable`, every request from
 * another process must carry an AccessKey known to the config and a valid HmacSHA1 signature, with the
 * topic and group permissions the account grants; otherwise it is answered NO_PERMISSION (16) and the
 * connection stays usable. The NameServer is not checked, as in Apache RocketMQ; nor is the app's own
 * in-process channel.
 */
export interface BrokerAclOptions {
  /** Check requests arriving over TCP against the plain ACL. @default false */
  aclEnable?: boolean;
  /** A plain_acl.yml (accounts, globalWhiteRemoteAddresses), read at start. Excludes `plainAclConfig`. */
  plainAclFile?: string;
  /** The plain ACL itself, as `PlainAclValidator` takes it. Excludes `plainAclFile`. */
  plainAclConfig?: PlainAclConfig;
}

/** Spellings some RocketMQ versions and guides use, accepted for the canonical key. */
export interface BrokerOptionAliases {
  /** Alias of `mappedFileSizeCommitLog` (RocketMQ 4.x's spelling). */
  mapedFileSizeCommitLog?: number;
  /** Alias of `mappedFileSizeConsumeQueue` (RocketMQ 4.x's spelling). */
  mapedFileSizeConsumeQueue?: number;
  /** Alias of `destroyMapedFileIntervalForcibly`. */
  destroyMappedFileIntervalForcibly?: number;
  /** Misspelling of `redeleteHangedFileInterval` found in published broker.conf samples; accepted with a warning. */
  redelateHangedFileInterval?: number;
}

/**
 * Every option of the bundled broker: BrokerConfig, the store's keys, the accepted broker.conf keys and
 * their aliases. Values may be strings, as read from a broker.conf (`parseBrokerConf`); they are converted
 * by the key's type.
 */
export type BrokerOptions = {
  [K in keyof (Partial<BrokerConfig> & BrokerStoreOptions & BrokerAcceptedOptions & BrokerOptionAliases)]?:
    | (Partial<BrokerConfig> & BrokerStoreOptions & BrokerAcceptedOptions & BrokerOptionAliases)[K]
    | string;
} & {
  /** See BrokerAclOptions. */
  aclEnable?: boolean | string;
  plainAclFile?: string;
  plainAclConfig?: PlainAclConfig;
} & {
  /**
   * The message store: in files under storePathRootDir (durable), or in memory (lost on stop).
   * @default 'file' (or the ROCKETMQ_BUNDLED_STORE environment variable: 'memory' | 'file')
   */
  store?: BrokerStoreType;
};
