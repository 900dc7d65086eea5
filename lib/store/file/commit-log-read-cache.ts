/** Bytes one read-ahead brings in: a pull's records of one queue usually sit within this span. */
export const READ_AHEAD_CHUNK_SIZE = 256 * 1024;
/** Chunks kept: enough for consumers of several queues reading the same region, bounded at 4 MiB. */
const MAX_CHUNKS = 16;

/**
 * Read-ahead for CommitLog reads that miss the write window. A consumer that fell behind reads records
 * one by one; without this each record is a positional read, a system call per message. Committed bytes
 * never change (the log is append-only), so a chunk stays valid until the log is truncated or a segment
 * is deleted, when the cache is cleared.
 */
export class CommitLogReadCache {
  /** Chunk start offset -> bytes, in least-recently-used order. */
  private readonly chunks = new Map<number, Buffer>();

  /**
   * Bytes [offset, offset + length), reading the surrounding chunk [chunkStart, chunkEnd) with `readChunk`
   * on a miss; undefined when the range does not fit one chunk (the caller reads directly). A copy, or a view
   * when `view` (a chunk is never written again, so a view stays valid).
   */
  read(
    offset: number,
    length: number,
    chunkStart: number,
    chunkEnd: number,
    view: boolean,
    readChunk: (start: number, length: number) => Buffer | undefined,
  ): Buffer | undefined {
    if (offset < chunkStart || offset + length > chunkEnd) return undefined;
    let chunk = this.chunks.get(chunkStart);
    if (chunk && chunkStart + chunk.length >= offset + length) {
      this.chunks.delete(chunkStart);
    } else {
      chunk = readChunk(chunkStart, chunkEnd - chunkStart);
      if (!chunk || chunkStart + chunk.length < offset + length) return undefined;
      if (this.chunks.size >= MAX_CHUNKS) this.chunks.delete(this.chunks.keys().next().value!);
    }
    this.chunks.set(chunkStart, chunk);
    const from = offset - chunkStart;
    const bytes = chunk.subarray(from, from + length);
    return view ? bytes : Buffer.from(bytes);
  }

  clear(): void {
    this.chunks.clear();
  }
}
