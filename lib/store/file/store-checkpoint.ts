import * as fs from 'node:fs';
import * as path from 'node:path';
import { readLong, writeLong } from '../../message/index.js';

/** RocketMQ's checkpoint file is one 4 KiB page; the timestamps sit at its start. */
const CHECKPOINT_FILE_SIZE = 4096;

/**
 * StoreCheckpoint: the store times up to which the CommitLog (physicMsgTimestamp), the ConsumeQueues
 * (logicsMsgTimestamp) and the index (indexMsgTimestamp) are known to be on disk, as int64s at 0, 8 and
 * 16. After a crash, recovery replays the CommitLog from the last segment that starts before the oldest
 * of them.
 */
export class StoreCheckpoint {
  physicMsgTimestamp = 0;
  logicsMsgTimestamp = 0;
  indexMsgTimestamp = 0;
  private fd: number | undefined;

  constructor(readonly file: string) {}

  load(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    this.fd = fs.openSync(this.file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    const buf = Buffer.alloc(24);
    if (fs.readSync(this.fd, buf, 0, 24, 0) === 24) {
      this.physicMsgTimestamp = readLong(buf, 0);
      this.logicsMsgTimestamp = readLong(buf, 8);
      this.indexMsgTimestamp = readLong(buf, 16);
    }
  }

  /** The time recovery trusts, minus RocketMQ's 3 s margin; the index counts only when `withIndex`. */
  minTimestamp(withIndex: boolean): number {
    let min = Math.min(this.physicMsgTimestamp, this.logicsMsgTimestamp);
    if (withIndex) min = Math.min(min, this.indexMsgTimestamp);
    return Math.max(0, min - 3000);
  }

  /** Writes the three timestamps and syncs them. */
  flush(): void {
    if (this.fd === undefined) return;
    const buf = Buffer.alloc(CHECKPOINT_FILE_SIZE);
    writeLong(buf, Math.max(0, this.physicMsgTimestamp), 0);
    writeLong(buf, Math.max(0, this.logicsMsgTimestamp), 8);
    writeLong(buf, Math.max(0, this.indexMsgTimestamp), 16);
    fs.writeSync(this.fd, buf, 0, buf.length, 0);
    fs.fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
