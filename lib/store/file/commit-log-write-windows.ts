import { MappedFileQueue } from './mapped-file-queue.js';

/** A buffer holding the CommitLog bytes [base, end) (end grows while it is the window being written). */
interface WriteWindow {
  buf: Buffer;
  base: number;
  end: number;
  /** Writes in flight that read from this buffer: it is not reused before they finish. */
  pending: number;
}

/** One handed-over write of [from, to), in submission order. */
interface InFlightWrite {
  from: number;
  to: number;
  done: boolean;
}

interface CommitWaiter {
  target: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Windows kept at most (the one written plus those whose bytes are still on their way to the file). */
const MAX_WINDOWS = 3;

/**
 * The CommitLog's write side without mmap: records are encoded into an in-memory window, and the window's
 * bytes reach the segment file through asynchronous positional writes run by libuv's thread pool, so the
 * event loop never waits for the page cache. A full window is handed over whole and writing moves on to a
 * spare one; windows stay readable until the file holds their bytes, so every byte in
 * [committedPosition, writePosition) can be read from memory. When no window is free (a producer that
 * never yields to the event loop, so no write completion is seen), the window is written synchronously and
 * reused, which bounds memory at MAX_WINDOWS windows.
 */
export class CommitLogWriteWindows {
  private current: WriteWindow;
  private readonly retired: WriteWindow[] = [];
  private readonly spare: WriteWindow[] = [];
  private position = 0;
  /** Bytes below this were handed to a write. */
  private submitted = 0;
  /** Bytes below this are in the file (page cache). */
  private committed = 0;
  private readonly inFlight: InFlightWrite[] = [];
  private waiters: CommitWaiter[] = [];
  private failure: Error | undefined;

  constructor(
    private readonly queue: MappedFileQueue,
    private readonly windowSize: number,
    private readonly onWriteError: (err: Error) => void,
  ) {
    this.current = { buf: Buffer.allocUnsafe(windowSize), base: 0, end: 0, pending: 0 };
  }

  get writePosition(): number {
    return this.position;
  }

  get committedPosition(): number {
    return this.committed;
  }

  /** Bytes below this were handed to a write. */
  get submittedPosition(): number {
    return this.submitted;
  }

  /** The first write error; once set, the CommitLog takes no more records. */
  get writeError(): Error | undefined {
    return this.failure;
  }

  get bufferedBytes(): number {
    return (1 + this.retired.length + this.spare.length) * this.windowSize;
  }

  get inFlightCount(): number {
    return this.inFlight.length;
  }

  /** Positions everything at `offset` (recovery, truncation); nothing may be in flight. */
  reset(offset: number): void {
    if (this.inFlight.length > 0) throw new Error('the CommitLog cannot be repositioned while writes are in flight');
    for (const w of this.retired.splice(0)) this.spare.push(w);
    this.current.base = this.current.end = offset;
    this.position = this.submitted = this.committed = offset;
  }

  /**
   * The window buffer with room for `size` more bytes at writePosition (they go at `writeIndex` in it);
   * the caller writes them and calls advance(size).
   */
  room(size: number): Buffer {
    if (this.position + size > this.current.base + this.current.buf.length) this.moveWindowTo(this.position);
    return this.current.buf;
  }

  /** Where writePosition falls in the buffer room() returned. */
  get writeIndex(): number {
    return this.position - this.current.base;
  }

  advance(size: number): void {
    this.position += size;
    this.current.end = this.position;
  }

  /** Hands the bytes not yet handed over to an asynchronous write. */
  commitAsync(): void {
    const from = this.submitted;
    const to = this.position;
    if (to <= from) return;
    const window = this.current;
    const write: InFlightWrite = { from, to, done: false };
    this.inFlight.push(write);
    this.submitted = to;
    window.pending++;
    this.queue.writeAsync(from, window.buf.subarray(from - window.base, to - window.base), (err) => {
      window.pending--;
      if (err) {
        this.fail(err);
        return;
      }
      write.done = true;
      this.settle();
    });
  }

  /** Writes the bytes not yet handed over at once (shutdown, segment end). */
  commitSync(): void {
    const from = this.submitted;
    const to = this.position;
    if (to <= from) return;
    this.queue.write(from, this.current.buf.subarray(from - this.current.base, to - this.current.base));
    this.submitted = to;
    this.inFlight.push({ from, to, done: true });
    this.settle();
  }

  /**
   * Moves the writer to `offset` past bytes written some other way (a segment's blank filler, written by
   * the caller): the current window's bytes are handed over first.
   */
  skipTo(offset: number): void {
    const from = this.position;
    this.moveWindowTo(offset);
    this.inFlight.push({ from, to: offset, done: true });
    this.submitted = this.position = offset;
    this.settle();
  }

  /** Resolves once the file holds every byte below `target` (rejects if a write failed). */
  whenCommitted(target: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.committed >= target) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ target, resolve, reject }));
  }

  /**
   * Bytes [offset, offset+length) when one window holds them all: a view (valid until the window is
   * reused) or a copy. Undefined otherwise.
   */
  read(offset: number, length: number, view: boolean): Buffer | undefined {
    const window = this.windowHolding(offset, length);
    if (!window) return undefined;
    const bytes = window.buf.subarray(offset - window.base, offset - window.base + length);
    return view ? bytes : Buffer.from(bytes);
  }

  /** Copies what the windows hold of [offset, offset+length) into `out` at `into`; the bytes copied. */
  copyOut(offset: number, length: number, out: Buffer, into: number): number {
    let done = 0;
    while (done < length) {
      const at = offset + done;
      const window = this.windowHolding(at, 1);
      if (!window) break;
      const n = Math.min(length - done, window.end - at);
      window.buf.copy(out, into + done, at - window.base, at - window.base + n);
      done += n;
    }
    return done;
  }

  /**
   * The run of bytes around `offset` the file holds for sure, [from, to); undefined when it does not hold
   * the byte at `offset`. Writes finish out of order, so beyond committedPosition such runs have holes.
   */
  heldRun(offset: number): { from: number; to: number } | undefined {
    let from = 0;
    let to = this.committed;
    for (const w of this.inFlight) {
      if (w.from === to && w.done) {
        to = w.to;
        continue;
      }
      if (offset < to) break;
      if (!w.done) {
        if (w.from <= offset && offset < w.to) return undefined;
        continue;
      }
      from = w.from;
      to = w.to;
    }
    return offset >= from && offset < to ? { from, to } : undefined;
  }

  private windowHolding(offset: number, length: number): WriteWindow | undefined {
    const current = this.current;
    if (offset >= current.base && offset + length <= current.end) return current;
    for (const w of this.retired) if (offset >= w.base && offset + length <= w.end) return w;
    return undefined;
  }

  private moveWindowTo(base: number): void {
    const old = this.current;
    let next = this.spare.pop();
    if (!next && 1 + this.retired.length < MAX_WINDOWS) next = { buf: Buffer.allocUnsafe(this.windowSize), base: 0, end: 0, pending: 0 };
    if (!next && old.pending === 0) {
      // No free window: write this one out now and write on into it.
      this.commitSync();
      old.base = old.end = base;
      return;
    }
    // A window whose earlier writes are still running cannot be reused: one more window, past the bound.
    next ??= { buf: Buffer.allocUnsafe(this.windowSize), base: 0, end: 0, pending: 0 };
    this.commitAsync();
    this.retired.push(old);
    next.base = next.end = base;
    this.current = next;
    this.settle();
  }

  /** Moves committed past finished writes, frees windows the file now holds, wakes waiters. */
  private settle(): void {
    let i = 0;
    while (i < this.inFlight.length && this.inFlight[i].done) this.committed = this.inFlight[i++].to;
    if (i > 0) this.inFlight.splice(0, i);
    for (let k = this.retired.length - 1; k >= 0; k--) {
      const w = this.retired[k];
      if (w.pending === 0 && w.end <= this.committed) {
        this.retired.splice(k, 1);
        if (1 + this.retired.length + this.spare.length < MAX_WINDOWS) this.spare.push(w);
      }
    }
    if (this.waiters.length === 0) return;
    const waiting: CommitWaiter[] = [];
    for (const w of this.waiters) {
      if (w.target <= this.committed) w.resolve();
      else waiting.push(w);
    }
    this.waiters = waiting;
  }

  private fail(err: Error): void {
    if (!this.failure) {
      this.failure = err;
      this.onWriteError(err);
    }
    for (const w of this.waiters.splice(0)) w.reject(err);
  }
}
