import { performance } from 'node:perf_hooks';
import { RemotingCommand } from '../remoting-command.js';

/** A request this end sent that waits for its answer. */
export interface PendingCall {
  readonly code: number;
  readonly timeoutMillis: number;
  /** On performance.now()'s clock, which wall-clock adjustments do not move. */
  readonly deadline: number;
  resolve(response: RemotingCommand): void;
  reject(err: Error): void;
}

/**
 * The calls of one connection by opaque, with their timeouts. One timer serves them all: it is armed for
 * the earliest deadline and, when it fires, sweeps the table once and re-arms for the next. A call costs a
 * map entry and no timer of its own, and since answers mostly come long before the deadline, sweeps are
 * rare. The timer is cleared when the table empties, so a quiet connection keeps no timer (and no process
 * alive).
 */
export class PendingCalls {
  private readonly calls = new Map<number, PendingCall>();
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = Number.POSITIVE_INFINITY;
  private readonly onTimer = (): void => this.sweep();

  constructor(private readonly onTimeout: (opaque: number, call: PendingCall) => void) {}

  get size(): number {
    return this.calls.size;
  }

  static deadlineAfter(timeoutMillis: number): number {
    return performance.now() + timeoutMillis;
  }

  add(opaque: number, call: PendingCall): void {
    this.calls.set(opaque, call);
    if (call.deadline < this.timerDueAt) this.arm(call.deadline);
  }

  /** Removes and returns the call, or undefined when it is unknown (answered, timed out, never sent). */
  take(opaque: number): PendingCall | undefined {
    const call = this.calls.get(opaque);
    if (call === undefined) return undefined;
    this.calls.delete(opaque);
    if (this.calls.size === 0) this.disarm();
    return call;
  }

  /** Empties the table, handing every call to `each`. */
  drain(each: (opaque: number, call: PendingCall) => void): void {
    this.disarm();
    const all = [...this.calls];
    this.calls.clear();
    for (const [opaque, call] of all) each(opaque, call);
  }

  private sweep(): void {
    this.timer = undefined;
    this.timerDueAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    const expired: Array<[number, PendingCall]> = [];
    for (const [opaque, call] of this.calls) {
      if (call.deadline <= now) expired.push([opaque, call]);
      else if (call.deadline < next) next = call.deadline;
    }
    for (const [opaque] of expired) this.calls.delete(opaque);
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
    for (const [opaque, call] of expired) this.onTimeout(opaque, call);
  }

  private arm(deadline: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerDueAt = deadline;
    // Timers may fire a little early relative to performance.now(); the sweep then re-arms for the rest.
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(deadline - performance.now())));
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueAt = Number.POSITIVE_INFINITY;
  }
}
