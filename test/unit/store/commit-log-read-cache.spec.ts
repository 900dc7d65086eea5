import { describe, expect, it } from '@jest/globals';
import { CommitLogReadCache } from '../../../lib/store/file/commit-log-read-cache.js';

describe('CommitLogReadCache', () => {
  const file = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
  const reader = () => {
    const calls: Array<[number, number]> = [];
    const read = (start: number, length: number) => {
      calls.push([start, length]);
      return Buffer.from(file.subarray(start, start + length));
    };
    return { calls, read };
  };

  it('serves consecutive records of one chunk with a single file read, as copies', () => {
    const cache = new CommitLogReadCache();
    const { calls, read } = reader();
    const a = cache.read(10, 20, 0, 1024, false, read)!;
    const b = cache.read(500, 100, 0, 1024, false, read)!;
    expect(calls).toEqual([[0, 1024]]);
    expect(a.equals(file.subarray(10, 30))).toBe(true);
    expect(b.equals(file.subarray(500, 600))).toBe(true);
    a[0] = 255;
    expect(cache.read(10, 1, 0, 1024, false, read)![0]).toBe(file[10]);
  });

  it('declines a range outside its chunk and reads again after clear()', () => {
    const cache = new CommitLogReadCache();
    const { calls, read } = reader();
    expect(cache.read(1000, 100, 0, 1024, false, read)).toBeUndefined();
    cache.read(0, 10, 0, 1024, false, read);
    cache.clear();
    cache.read(0, 10, 0, 1024, false, read);
    expect(calls).toEqual([[0, 1024], [0, 1024]]);
  });

  it('keeps a bounded number of chunks, evicting the least recently used', () => {
    const cache = new CommitLogReadCache();
    const { calls, read } = reader();
    for (let c = 0; c < 17; c++) cache.read(c * 64, 8, c * 64, c * 64 + 64, false, read);
    cache.read(0, 8, 0, 64, false, read);
    expect(calls.length).toBe(18);
    cache.read(16 * 64, 8, 16 * 64, 17 * 64, false, read);
    expect(calls.length).toBe(18);
  });
});
