/**
 * Runs an async task one run at a time. A call made while a run waits to start joins that run instead of
 * queueing another, so a burst of flush requests costs at most one run in flight and one behind it; the
 * run behind starts late enough to see everything the burst asked for.
 */
export class CoalescingRunner {
  /** Settles when the last run queued so far has finished; never rejects. */
  private idle: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private unsettled = 0;

  constructor(private readonly task: () => Promise<void>) {}

  /** A run is running or queued. */
  get busy(): boolean {
    return this.unsettled > 0;
  }

  /** Settles with the outcome of the run that starts after this call. */
  run(): Promise<void> {
    if (this.queued) return this.queued;
    const run = this.idle.then(() => {
      this.queued = undefined;
      return this.task();
    });
    this.queued = run;
    this.unsettled++;
    const settled = () => {
      this.unsettled--;
    };
    this.idle = run.then(settled, settled);
    return run;
  }

  /** Settles once no run is running or queued, whatever their outcome. */
  async drain(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.idle) {
      seen = this.idle;
      await seen;
    }
  }
}
