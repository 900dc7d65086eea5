import { Logger } from '@nestjs/common';
import { CommitLog } from './commit-log.js';

interface FlushRequest {
  end: number;
  deadline: number;
  resolve: (flushed: boolean) => void;
}

/**
 * SYNC_FLUSH's GroupCommitService: each put waits until an fdatasync covered its bytes. Requests arriving
 * while a flush runs are served together by the next one, so N concurrent puts cost far fewer than N
 * fdatasyncs, and puts keep being appended while the disk syncs. A request not covered within
 * `timeoutMillis` resolves false (FLUSH_DISK_TIMEOUT).
 */
export class GroupCommitService {
  private readonly logger = new Logger(GroupCommitService.name);
  /** In arrival order, so in order of both `end` and `deadline`. */
  private requests: FlushRequest[] = [];
  private looping = false;
  private stopped = false;
  /** One timer for the oldest request's deadline, rather than one per put. */
  private timeoutTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly commitLog: CommitLog,
    private readonly timeoutMillis: number,
    private readonly onFlushed: () => void,
  ) {}

  /** Resolves true once the CommitLog is flushed up to `end`, false on timeout or failure. */
  waitFor(end: number): Promise<boolean> {
    if (this.commitLog.flushedPos >= end) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      this.requests.push({ end, deadline: Date.now() + this.timeoutMillis, resolve });
      if (!this.timeoutTimer) this.armTimeout();
      if (!this.looping) {
        this.looping = true;
        // After the current synchronous work (a batch, or puts dispatched together), not a whole loop turn
        // later: the next arrivals append while this fdatasync runs and join the flush after it.
        queueMicrotask(() => void this.loop());
      }
    });
  }

  /** Flushes once more for whoever still waits, then refuses nothing further (shutdown). */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.requests.length > 0) await this.flushOnce();
    this.clearTimeout();
  }

  private async loop(): Promise<void> {
    try {
      while (this.requests.length > 0) await this.flushOnce();
    } finally {
      this.looping = false;
    }
  }

  private async flushOnce(): Promise<void> {
    let flushed: number;
    try {
      flushed = await this.commitLog.flush(true);
    } catch (err) {
      this.logger.error(`group commit fdatasync failed: ${err instanceof Error ? err.message : String(err)}`);
      for (const r of this.requests.splice(0)) r.resolve(false);
      return;
    }
    this.onFlushed();
    const requests = this.requests;
    let covered = 0;
    while (covered < requests.length && requests[covered].end <= flushed) covered++;
    if (covered > 0) {
      this.requests = requests.slice(covered);
      for (let i = 0; i < covered; i++) requests[i].resolve(true);
    }
    if (this.stopped) for (const r of this.requests.splice(0)) r.resolve(false);
  }

  private armTimeout(): void {
    this.clearTimeout();
    const oldest = this.requests[0];
    if (!oldest) return;
    this.timeoutTimer = setTimeout(() => this.expire(), Math.max(0, oldest.deadline - Date.now()));
    this.timeoutTimer.unref();
  }

  private expire(): void {
    this.timeoutTimer = undefined;
    const now = Date.now();
    let expired = 0;
    while (expired < this.requests.length && this.requests[expired].deadline <= now) expired++;
    if (expired > 0) for (const r of this.requests.splice(0, expired)) r.resolve(false);
    this.armTimeout();
  }

  private clearTimeout(): void {
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
    this.timeoutTimer = undefined;
  }
}
