/** What the crash test's child broker and its parent say to each other (over the fork IPC channel). */

/** The child's settings, passed as JSON in the CRASH_CHILD_CONFIG environment variable. */
export interface CrashChildConfig {
  /** Store root the child's broker writes to and the parent recovers. */
  root: string;
  topic: string;
  /** Concurrent producers, each with its own client instance (a separate process as far as the broker knows). */
  producers: number;
  consumerGroup: string;
  /** Largest random payload appended to each body, bytes. */
  maxPayload: number;
}

/** A send the broker answered SEND_OK, hence (SYNC_FLUSH) on disk. */
export interface AckReport {
  type: 'ack';
  producer: number;
  seq: number;
  queueId: number;
  queueOffset: number;
  msgId: string;
  offsetMsgId: string;
  bodyHash: string;
}

/** The group's offsets as found in consumerOffset.json: persisted, so a recovery must not go below them. */
export interface OffsetsReport {
  type: 'offsets';
  offsets: Record<string, number>;
}

export type CrashChildReport = { type: 'ready' } | AckReport | OffsetsReport | { type: 'error'; message: string };

export const PRODUCER_PROPERTY = 'CRASH_PRODUCER';
export const SEQ_PROPERTY = 'CRASH_SEQ';

/** The file store settings both the child and the recovering parent use. */
export function crashStoreOptions(root: string): Record<string, unknown> {
  return {
    store: 'file',
    storePathRootDir: root,
    flushDiskType: 'SYNC_FLUSH',
    // Small segments so every round crosses several CommitLog and ConsumeQueue files.
    mappedFileSizeCommitLog: 64 * 1024,
    mappedFileSizeConsumeQueue: 20 * 256,
    flushConsumerOffsetInterval: 100,
  };
}
