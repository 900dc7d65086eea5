import * as fs from 'node:fs';

/**
 * Positional writes and fdatasync as promises on libuv's thread pool, so the event loop never waits for
 * the disk, plus the blocking twins shutdown uses. Short writes are resumed where they stopped. The caller
 * keeps the descriptor open and the buffers unchanged until the promise settles.
 */

export function writeAt(fd: number, data: Uint8Array, position: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const step = (done: number) =>
      fs.write(fd, data, done, data.length - done, position + done, (err, n) => {
        if (err) reject(err);
        else if (done + n < data.length) step(done + n);
        else resolve();
      });
    step(0);
  });
}

/** Writes `buffers` back to back from `position` in as few system calls as the OS allows. */
export function writevAt(fd: number, buffers: readonly Uint8Array[], position: number): Promise<void> {
  const total = byteLength(buffers);
  return new Promise<void>((resolve, reject) => {
    const step = (done: number) =>
      fs.writev(fd, remainder(buffers, done), position + done, (err, n) => {
        if (err) reject(err);
        else if (done + n < total) step(done + n);
        else resolve();
      });
    if (total === 0) resolve();
    else step(0);
  });
}

export function fdatasyncAsync(fd: number): Promise<void> {
  return new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

export function writeAtSync(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, position + done);
}

export function writevAtSync(fd: number, buffers: readonly Uint8Array[], position: number): void {
  const total = byteLength(buffers);
  let done = 0;
  while (done < total) done += fs.writevSync(fd, remainder(buffers, done), position + done);
}

function byteLength(buffers: readonly Uint8Array[]): number {
  let total = 0;
  for (const b of buffers) total += b.length;
  return total;
}

/** `buffers` without their first `skip` bytes. */
function remainder(buffers: readonly Uint8Array[], skip: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}
