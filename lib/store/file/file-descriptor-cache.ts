import * as fs from 'node:fs';

interface CachedFd {
  file: string;
  fd: number;
  pins: number;
}

/**
 * Open file descriptors shared by every segment of a store, at most `capacity` of them (least recently
 * used closed first), so reading old segments costs a positional read and never an open, and a store
 * with thousands of queues stays within the process's fd limit. The OS page cache does the data caching.
 * A pinned descriptor (an fdatasync in flight) is never closed under its user.
 */
export class FileDescriptorCache {
  private readonly fds = new Map<string, CachedFd>();
  /** Descriptors closed (or evicted from the map) while pinned: closed for real on their last unpin. */
  private readonly orphans = new Map<number, CachedFd>();

  constructor(private readonly capacity = 128) {}

  get size(): number {
    return this.fds.size;
  }

  /** The descriptor of `file`, opened read-write (created when `create`) on first use. */
  get(file: string, create = false): number {
    const cached = this.fds.get(file);
    if (cached) {
      // Re-insert to mark it most recently used.
      this.fds.delete(file);
      this.fds.set(file, cached);
      return cached.fd;
    }
    const fd = fs.openSync(file, create ? fs.constants.O_RDWR | fs.constants.O_CREAT : fs.constants.O_RDWR, 0o644);
    this.fds.set(file, { file, fd, pins: 0 });
    this.evict();
    return fd;
  }

  pin(file: string): number {
    const fd = this.get(file);
    this.fds.get(file)!.pins++;
    return fd;
  }

  /** Releases a pin; `fd` (what pin returned) tells a descriptor closed meanwhile from a reopened one. */
  unpin(file: string, fd?: number): void {
    const cached = this.fds.get(file);
    if (cached && cached.pins > 0 && (fd === undefined || cached.fd === fd)) {
      cached.pins--;
    } else {
      const orphan = fd !== undefined ? this.orphans.get(fd) : [...this.orphans.values()].find((o) => o.file === file);
      if (orphan && --orphan.pins <= 0) {
        this.orphans.delete(orphan.fd);
        closeQuietly(orphan.fd);
      }
    }
    this.evict();
  }

  /**
   * Closes the descriptor of `file` (before it is deleted or truncated away). A pinned one (a write or
   * fdatasync still running on it) is closed when that finishes, so its number cannot be reused under it.
   */
  close(file: string): void {
    const cached = this.fds.get(file);
    if (!cached) return;
    this.fds.delete(file);
    this.release(cached);
  }

  closeAll(): void {
    for (const cached of this.fds.values()) this.release(cached);
    this.fds.clear();
  }

  private release(cached: CachedFd): void {
    if (cached.pins > 0) this.orphans.set(cached.fd, cached);
    else closeQuietly(cached.fd);
  }

  private evict(): void {
    if (this.fds.size <= this.capacity) return;
    for (const [file, cached] of this.fds) {
      if (this.fds.size <= this.capacity) break;
      if (cached.pins > 0) continue;
      this.fds.delete(file);
      closeQuietly(cached.fd);
    }
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed or never valid: nothing left to release.
  }
}
