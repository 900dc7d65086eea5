/** How long in-process calls may chain on the microtask queue before one waits for a turn of the event loop. */
export const MAX_MICROTASK_RUN_MILLIS = 2;

/**
 * In-process requests and answers are promise continuations: a producer awaiting sends in a loop, with
 * the broker and a consumer in the same process, never leaves the microtask queue, so timers, file I/O
 * callbacks and incoming HTTP requests would wait until the burst ends. Over TCP every answer arrives on a
 * later turn anyway. This lets an in-process call wait for one turn (setImmediate) once the microtask run
 * has lasted MAX_MICROTASK_RUN_MILLIS, which costs a burst nearly nothing and keeps the app responsive.
 * One per InProcessRegistry: apps that do not share a registry do not share this either.
 */
export class EventLoopTurns {
  private runStartedAt = performance.now();
  private turnScheduled = false;
  private waiting: Promise<void> | undefined;

  /** A promise to await before going on when the current microtask run is long enough, else undefined. */
  maybeYield(): Promise<void> | undefined {
    if (this.waiting) return this.waiting;
    if (!this.turnScheduled) {
      // Marks the start of the next run once the event loop gets a turn on its own.
      this.turnScheduled = true;
      setImmediate(() => {
        this.turnScheduled = false;
        this.runStartedAt = performance.now();
      });
    }
    if (performance.now() - this.runStartedAt < MAX_MICROTASK_RUN_MILLIS) return undefined;
    this.waiting = new Promise<void>((resolve) =>
      setImmediate(() => {
        this.waiting = undefined;
        this.runStartedAt = performance.now();
        resolve();
      }),
    );
    return this.waiting;
  }
}
