import * as fs from 'node:fs';
import * as path from 'node:path';
import { readLong, writeLong } from '../../message/index.js';
import { CoalescingRunner } from '../../common/coalescing-runner.js';
import { fdatasyncAsync, writeAt, writeAtSync } from './positional-write.js';

/** RocketMQ's checkpoint file is one 4 KiB page; the timestamps sit at its start. */
const CHECKPOINT_FILE_SIZE = 4096;

/** An async checkpoint flush that could not run because the checkpoint was closed first. */
export class StoreCheckpointClosedError extends Error {
  constructor(file: string) {
    super(`store checkpoint ${file} is closed`);
    this.name = 'StoreCheckpointClosedError';
  }
}

/**
 * StoreCheckpoint: the store times up to which the CommitLog (physicMsgTimestamp), the ConsumeQueues
 * (logicsMsgTimestamp) and the index (indexMsgTimestamp) are known to be on disk, as int64s at 0, 8 and
 * 16. After a crash, recovery replays the CommitLog from the last segment that starts before the oldest
 * of them.
 *
 * The periodic `flush()` writes and syncs off the event loop. Flushes run one at a time, and calls made
 * while one waits to start share it: each writes the timestamps as they are when it starts, which is safe
 * because every field only ever holds a time whose data is already synced.
 */
export class StoreCheckpoint {
  physicMsgTimestamp = 0;
  logicsMsgTimestamp = 0;
  indexMsgTimestamp = 0;
  private fd: number | undefined;
  private readonly flusher = new CoalescingRunner(() => this.writeAndSync());
  /** A descriptor close() took away while a flush was using it; closed when that flush ends. */
  private busyFd: number | undefined;
  private closedFd: number | undefined;

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

  /**
   * Writes the three timestamps and fdatasyncs them without blocking the event loop. Resolves once they
   * are on disk; rejects with StoreCheckpointClosedError when close() came first.
   */
  flush(): Promise<void> {
    return this.flusher.run();
  }

  /** Shutdown's flush, on the calling thread; drain() first so no async flush lands after it. */
  flushSync(): void {
    if (this.fd === undefined) return;
    writeAtSync(this.fd, this.encode(), 0);
    fs.fdatasyncSync(this.fd);
  }

  /** Settles once every flush queued so far has finished (successfully or not). */
  drain(): Promise<void> {
    return this.flusher.drain();
  }

  /** Closes the file; a flush still writing keeps its descriptor until it finishes. */
  close(): void {
    if (this.fd === undefined) return;
    if (this.fd === this.busyFd) this.closedFd = this.fd;
    else fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private async writeAndSync(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) throw new StoreCheckpointClosedError(this.file);
    this.busyFd = fd;
    try {
      await writeAt(fd, this.encode(), 0);
      await fdatasyncAsync(fd);
    } finally {
      this.busyFd = undefined;
      if (this.closedFd === fd) {
        this.closedFd = undefined;
        fs.closeSync(fd);
      }
    }
  }

  private encode(): Buffer {
    const buf = Buffer.alloc(CHECKPOINT_FILE_SIZE);
    writeLong(buf, Math.max(0, this.physicMsgTimestamp), 0);
    writeLong(buf, Math.max(0, this.logicsMsgTimestamp), 8);
    writeLong(buf, Math.max(0, this.indexMsgTimestamp), 16);
    return buf;
  }
}
