import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { javaStringHashCode } from '../../../lib/message/index.js';
import { FileMessageStore, FileMessageStoreConfig, FileMessageStoreOptions, MessageExtBrokerInner } from '../../../lib/store/index.js';

export function inner(overrides: Partial<MessageExtBrokerInner> = {}): MessageExtBrokerInner {
  return {
    topic: 'T',
    queueId: 0,
    flag: 0,
    body: Buffer.from('hello'),
    propertiesString: 'TAGS\u0001A\u0002',
    tagsCode: javaStringHashCode('A'),
    sysFlag: 0,
    bornTimestamp: Date.now(),
    bornHost: '127.0.0.1:50000',
    storeHost: '127.0.0.1:10911',
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    ...overrides,
  };
}

/** A temp directory per test, removed by `cleanup`. */
export function tempDir(prefix = 'rmq-file-store-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function cleanup(dir: string | undefined): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** Small segments so tests roll files; callers override what they test. */
export const SMALL: Partial<FileMessageStoreConfig> = {
  mappedFileSizeCommitLog: 256 * 1024,
  mappedFileSizeConsumeQueue: 100 * 20,
  maxHashSlotNum: 64,
  maxIndexNum: 400,
};

export async function openStore(
  dir: string,
  config: Partial<FileMessageStoreConfig> = {},
  options: FileMessageStoreOptions = {},
): Promise<FileMessageStore> {
  const store = new FileMessageStore({ ...SMALL, ...config, storePathRootDir: dir }, options);
  await store.start();
  return store;
}

/** A clock tests move by hand. */
export class ManualClock {
  constructor(public now = Date.UTC(2024, 0, 1, 12)) {}
  readonly fn = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

export function commitLogFiles(dir: string): string[] {
  return fs.readdirSync(path.join(dir, 'commitlog')).sort().map((n) => path.join(dir, 'commitlog', n));
}
