import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { GetMessageStatus, PutMessageStatus } from '../../../lib/store/index.js';
import { CommitLog } from '../../../lib/store/file/commit-log.js';
import { FileDescriptorCache } from '../../../lib/store/file/file-descriptor-cache.js';
import { MessageRecordInput, messageRecordSize } from '../../../lib/message/index.js';
import { cleanup, inner, openStore, tempDir } from './file-store-test-helpers.js';

const WINDOW = 64 * 1024;

function record(i: number): MessageRecordInput {
  return {
    topic: 'W',
    queueId: 0,
    flag: 0,
    queueOffset: i,
    commitLogOffset: 0,
    sysFlag: 0,
    bornTimestamp: 1,
    bornHost: '127.0.0.1:1',
    storeTimestamp: 2,
    storeHost: '127.0.0.1:10911',
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body: Buffer.alloc(1000, i & 0xff),
    propertiesString: `UNIQ_KEY\u0001k${i}\u0002`,
  };
}

describe('CommitLog write windows', () => {
  let dir: string | undefined;
  afterEach(() => cleanup(dir));

  function openLog(fds: FileDescriptorCache): CommitLog {
    const log = new CommitLog({ dir: path.join(dir!, 'commitlog'), fileSize: 1024 * 1024, maxMessageSize: 4096, fds, clock: Date.now, writeBufferSize: WINDOW });
    log.load();
    log.setEnd(0);
    return log;
  }

  it('serves every record from memory before the file has it, and from the file after', async () => {
    dir = tempDir();
    const fds = new FileDescriptorCache();
    const log = openLog(fds);
    const offsets: number[] = [];
    // Several windows' worth without yielding: the asynchronous writes cannot have finished yet.
    for (let i = 0; i < 300; i++) {
      const input = record(i);
      offsets.push(log.append(input, messageRecordSize(input), 2));
    }
    expect(log.committedPos).toBeLessThan(log.maxOffset);
    for (let i = 0; i < 300; i += 37) expect(log.readRecord(offsets[i])?.readInt32BE(20 + 4)).toBe(i);
    // A window never grows past three, whatever was appended without a turn of the event loop.
    expect(log.bufferedBytes).toBeLessThanOrEqual(3 * WINDOW);
    await log.flush();
    expect(log.committedPos).toBe(log.maxOffset);
    const onDisk = fs.readFileSync(path.join(dir, 'commitlog', '00000000000000000000'));
    for (let i = 0; i < 300; i += 37) {
      const fromLog = log.readRecord(offsets[i])!;
      expect(onDisk.subarray(offsets[i], offsets[i] + fromLog.length).equals(fromLog)).toBe(true);
    }
    fds.closeAll();
  });

  it('refuses further puts with a named reason once a write to the file failed, and the flush reports it', async () => {
    dir = tempDir();
    const store = await openStore(dir, { mappedFileSizeCommitLog: 1024 * 1024 });
    try {
      expect((await store.putMessage(inner({ body: Buffer.alloc(100) }))).status).toBe(PutMessageStatus.PUT_OK);
      // What a full or failing disk does to the next write of the CommitLog.
      const queue = (store as unknown as { commitLog: CommitLog }).commitLog.queue;
      queue.writeAsync = (_offset, _data, done) => setImmediate(() => done(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' })));
      expect((await store.putMessage(inner({ body: Buffer.alloc(100) }))).status).toBe(PutMessageStatus.PUT_OK);
      await expect(store.flush()).rejects.toThrow('EIO');
      const refused = await store.putMessage(inner({ body: Buffer.alloc(100) }));
      expect(refused.status).toBe(PutMessageStatus.UNKNOWN_ERROR);
      expect(refused.remark).toContain('EIO');
      // What was stored before the failure is still served.
      expect(store.getMessage('g', 'T', 0, 0, 32, 1 << 20).status).toBe(GetMessageStatus.FOUND);
    } finally {
      await store.halt();
    }
  });
});
