/** How soon a failed delivery round is tried again. */
export const RETRY_AFTER_FAILURE_MILLIS = 1000;

/**
 * One timer armed for the earliest due time: the delay and timer services wake exactly when their next
 * message is due instead of polling, and an arrival due earlier re-arms it.
 */
export class DueTimer {
  private timer: NodeJS.Timeout | undefined;
  private armedAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly run: () => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** When the timer fires next; +Infinity when it is not armed. */
  get dueAt(): number {
    return this.armedAt;
  }

  /** Fires `run` at `dueAt`, unless the timer is already armed for that time or earlier. */
  arm(dueAt: number): void {
    if (this.timer && this.armedAt <= dueAt) return;
    this.disarm();
    this.armedAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.armedAt = Number.POSITIVE_INFINITY;
      try {
        this.run();
      } catch (err) {
        this.onError(err);
        this.arm(Date.now() + RETRY_AFTER_FAILURE_MILLIS);
      }
    }, Math.max(0, dueAt - Date.now()));
    this.timer.unref();
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
  }
}
