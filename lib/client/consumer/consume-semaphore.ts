/**
 * Bounds how many handler calls run at once: Node has no consume thread pool, so consumeThreadNumber
 * becomes this many permits.
 */
export class ConsumeSemaphore {
  private available: number;
  private readonly waiters: Array<() => void> = [];
  private running = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(permits: number) {
    this.available = permits;
  }

  get inFlight(): number {
    return this.running;
  }

  acquire(): Promise<void> | undefined {
    this.running++;
    if (this.available > 0) {
      this.available--;
      return undefined;
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    this.running--;
    const next = this.waiters.shift();
    if (next) next();
    else this.available++;
    if (this.running === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves when nothing runs or waits any more, or after `timeoutMillis`; true if it went idle. */
  whenIdle(timeoutMillis: number): Promise<boolean> {
    if (this.running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMillis);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }
}
