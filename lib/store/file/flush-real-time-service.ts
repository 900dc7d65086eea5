import { Logger } from '@nestjs/common';
import { CommitLog } from './commit-log.js';

const PAGE_SIZE = 4096;

export interface FlushRealTimeOptions {
  interval: number;
  leastPages: number;
  thoroughInterval: number;
  clock: () => number;
  onFlushed: () => void;
}

/**
 * ASYNC_FLUSH's FlushRealTimeService: every `interval` ms the CommitLog's window is written to the file,
 * and synced when at least `leastPages` pages are dirty or a thorough flush is due.
 */
export class FlushRealTimeService {
  private readonly logger = new Logger(FlushRealTimeService.name);
  private timer: NodeJS.Timeout | undefined;
  private lastThorough = 0;
  private flushing = false;

  constructor(
    private readonly commitLog: CommitLog,
    private readonly options: FlushRealTimeOptions,
  ) {}

  start(): void {
    this.lastThorough = this.options.clock();
    this.timer = setInterval(() => void this.tick(), this.options.interval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.flushing) return;
    try {
      this.commitLog.commit();
      const now = this.options.clock();
      const thorough = now - this.lastThorough >= this.options.thoroughInterval;
      const dirty = this.commitLog.maxOffset - this.commitLog.flushedPos;
      if (dirty <= 0 || (!thorough && dirty < this.options.leastPages * PAGE_SIZE)) return;
      if (thorough) this.lastThorough = now;
      this.flushing = true;
      await this.commitLog.flush();
      this.options.onFlushed();
    } catch (err) {
      this.logger.error(`flushing the CommitLog failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.flushing = false;
    }
  }
}
