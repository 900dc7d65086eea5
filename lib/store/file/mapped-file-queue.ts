import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileDescriptorCache } from './file-descriptor-cache.js';

/** One segment: its file and the absolute offset of its first byte (what the file is named after). */
export interface MappedFile {
  fileFromOffset: number;
  file: string;
}

/** RocketMQ names segment files by their start offset, zero-padded to 20 digits so they sort by name. */
export function segmentFileName(offset: number): string {
  return String(offset).padStart(20, '0');
}

/**
 * The segment files of one log (MappedFileQueue) without mmap: a directory of fixed-size files named by
 * start offset, addressed by absolute offset, read and written with positional I/O through a shared fd
 * cache. What lives in memory (write buffers) is the owner's business.
 */
export class MappedFileQueue {
  readonly files: MappedFile[] = [];

  constructor(
    readonly dir: string,
    readonly fileSize: number,
    private readonly fds: FileDescriptorCache,
  ) {}

  /** Lists the segments on disk; files whose name is not an offset are left alone. */
  load(): void {
    this.files.length = 0;
    if (!fs.existsSync(this.dir)) return;
    const names = fs.readdirSync(this.dir).filter((n) => /^\d{20}$/.test(n)).sort();
    for (const name of names) this.files.push({ fileFromOffset: Number(name), file: path.join(this.dir, name) });
  }

  get first(): MappedFile | undefined {
    return this.files[0];
  }

  get last(): MappedFile | undefined {
    return this.files[this.files.length - 1];
  }

  /** Start of the segment holding `offset`. */
  segmentStart(offset: number): number {
    return offset - (offset % this.fileSize);
  }

  find(offset: number): MappedFile | undefined {
    const files = this.files;
    let lo = 0;
    let hi = files.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const f = files[mid];
      if (offset < f.fileFromOffset) hi = mid - 1;
      else if (offset >= f.fileFromOffset + this.fileSize) lo = mid + 1;
      else return f;
    }
    return undefined;
  }

  /** The segment starting at `fileFromOffset`, created (empty) when missing. */
  getOrCreate(fileFromOffset: number): MappedFile {
    const existing = this.find(fileFromOffset);
    if (existing) return existing;
    fs.mkdirSync(this.dir, { recursive: true });
    const mapped = { fileFromOffset, file: path.join(this.dir, segmentFileName(fileFromOffset)) };
    this.fds.get(mapped.file, true);
    this.files.push(mapped);
    this.files.sort((a, b) => a.fileFromOffset - b.fileFromOffset);
    return mapped;
  }

  fd(mapped: MappedFile): number {
    return this.fds.get(mapped.file, true);
  }

  /** Reads up to `length` bytes at absolute `offset` within one segment; fewer past the file's end. */
  read(offset: number, length: number, into?: Buffer): Buffer | undefined {
    const mapped = this.find(offset);
    if (!mapped) return undefined;
    const buf = into ?? Buffer.allocUnsafe(length);
    const n = fs.readSync(this.fds.get(mapped.file), buf, 0, length, offset - mapped.fileFromOffset);
    return n === length ? buf : buf.subarray(0, n);
  }

  /** Writes `data` at absolute `offset`; the caller keeps a write inside one segment. */
  write(offset: number, data: Uint8Array): void {
    const mapped = this.getOrCreate(this.segmentStart(offset));
    const fd = this.fds.get(mapped.file, true);
    let done = 0;
    while (done < data.length) {
      done += fs.writeSync(fd, data, done, data.length - done, offset - mapped.fileFromOffset + done);
    }
  }

  /**
   * Writes `data` at absolute `offset` off the event loop, then calls `done` (with the error, if any); the
   * caller keeps a write inside one segment and `data` unchanged until `done`. The descriptor stays open
   * until the write finishes, even if the file is closed meanwhile.
   */
  writeAsync(offset: number, data: Uint8Array, done: (err: Error | null) => void): void {
    const mapped = this.getOrCreate(this.segmentStart(offset));
    const fd = this.fds.pin(mapped.file);
    const position = offset - mapped.fileFromOffset;
    const finish = (err: Error | null) => {
      this.fds.unpin(mapped.file, fd);
      done(err);
    };
    const step = (written: number) => {
      fs.write(fd, data, written, data.length - written, position + written, (err, n) => {
        if (err) finish(err);
        else if (written + n < data.length) step(written + n);
        else finish(null);
      });
    };
    step(0);
  }

  fileLength(mapped: MappedFile): number {
    try {
      return fs.statSync(mapped.file).size;
    } catch {
      return 0;
    }
  }

  /** fdatasync of one segment, off the event loop; the descriptor stays open until it is done. */
  sync(mapped: MappedFile): Promise<void> {
    const fd = this.fds.pin(mapped.file);
    return new Promise<void>((resolve, reject) => {
      fs.fdatasync(fd, (err) => {
        this.fds.unpin(mapped.file, fd);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  syncNow(mapped: MappedFile): void {
    fs.fdatasyncSync(this.fds.get(mapped.file));
  }

  /** Drops everything at and after absolute `offset`: later segments deleted, the holding one cut. */
  truncateFrom(offset: number): void {
    for (let i = this.files.length - 1; i >= 0; i--) {
      const mapped = this.files[i];
      if (mapped.fileFromOffset >= offset) {
        this.fds.close(mapped.file);
        fs.rmSync(mapped.file, { force: true });
        this.files.splice(i, 1);
      } else if (offset < mapped.fileFromOffset + this.fileSize) {
        const keep = offset - mapped.fileFromOffset;
        if (this.fileLength(mapped) > keep) fs.truncateSync(mapped.file, keep);
      }
    }
  }

  /** Deletes the first segment (retention). */
  deleteFirst(): MappedFile | undefined {
    const mapped = this.files.shift();
    if (!mapped) return undefined;
    this.fds.close(mapped.file);
    fs.rmSync(mapped.file, { force: true });
    return mapped;
  }

  /** Removes every segment and the directory (a queue emptied by retention or truncation). */
  destroy(): void {
    for (const mapped of this.files) this.fds.close(mapped.file);
    this.files.length = 0;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  closeAll(): void {
    for (const mapped of this.files) this.fds.close(mapped.file);
  }
}
