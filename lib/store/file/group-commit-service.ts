import { Logger } from '@nestjs/common';
import { CommitLog } from './commit-log.js';

interface FlushRequest {
  end: number;
  resolve: (flushed: boolean) => void;
  timer: NodeJS.Timeout;
}

/**
 * SYNC_FLUSH's GroupCommitService: each put waits until an fdatasync covered its bytes. Requests arriving
 * while a flush runs are served together by the next one, so N concurrent puts cost far fewer than N
 * fdatasyncs. A request not covered within `timeoutMillis` resolves false (FLUSH_DISK_TIMEOUT).
 */
export class GroupCommitService {
  private readonly logger = new Logger(GroupCommitService.name);
  private requests: FlushRequest[] = [];
  private looping = false;
  private stopped = false;

  constructor(
    private readonly commitLog: CommitLog,
    private readonly timeoutMillis: number,
    private readonly onFlushed: () => void,
  ) {}

  /** Resolves true once the CommitLog is flushed up to `end`, false on timeout or failure. */
  waitFor(end: number): Promise<boolean> {
    if (this.commitLog.flushedPos >= end) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const request: FlushRequest = {
        end,
        resolve,
        timer: setTimeout(() => {
          const i = this.requests.indexOf(request);
          if (i >= 0) this.requests.splice(i, 1);
          resolve(false);
        }, this.timeoutMillis),
      };
      request.timer.unref();
      this.requests.push(request);
      if (!this.looping) {
        this.looping = true;
        // One turn of the event loop lets the puts of the same burst join this flush.
        setImmediate(() => void this.loop());
      }
    });
  }

  /** Flushes once more for whoever still waits, then refuses nothing further (shutdown). */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.requests.length > 0) await this.flushOnce();
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
      flushed = await this.commitLog.flush();
    } catch (err) {
      this.logger.error(`group commit fdatasync failed: ${err instanceof Error ? err.message : String(err)}`);
      for (const r of this.requests.splice(0)) this.finish(r, false);
      return;
    }
    this.onFlushed();
    const waiting: FlushRequest[] = [];
    for (const r of this.requests) {
      if (r.end <= flushed) this.finish(r, true);
      else waiting.push(r);
    }
    this.requests = waiting;
    if (this.stopped) for (const r of this.requests.splice(0)) this.finish(r, false);
  }

  private finish(request: FlushRequest, ok: boolean): void {
    clearTimeout(request.timer);
    request.resolve(ok);
  }
}
