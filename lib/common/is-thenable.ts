/** Whether a handler answered with a promise (or any thenable) rather than a value it has at hand. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}
