import * as fs from 'node:fs';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import { forEachIndexKey, MAX_MSGS_NUM_BATCH, MessageKeyIndex } from '../index-key.js';
import { FileDescriptorCache } from './file-descriptor-cache.js';
import { IndexFile, IndexFileClosedError } from './index-file.js';

export interface IndexServiceOptions {
  dir: string;
  hashSlotNum: number;
  indexNum: number;
  fds: FileDescriptorCache;
  clock: () => number;
  onSync?: (file: string) => void;
}

/** RocketMQ names IndexFiles by creation time, yyyyMMddHHmmssSSS. */
function indexFileName(millis: number): string {
  const d = new Date(millis);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    d.getFullYear() + pad(d.getMonth() + 1) + pad(d.getDate()) + pad(d.getHours()) + pad(d.getMinutes()) + pad(d.getSeconds()) + pad(d.getMilliseconds(), 3)
  );
}

/**
 * The message key index on disk (IndexService): each message's UNIQ_KEY and each KEYS entry under
 * `topic#key` in a chain of IndexFiles, newest last; a full file is sealed and a new one started.
 */
export class IndexService implements MessageKeyIndex {
  private readonly logger = new Logger(IndexService.name);
  private readonly files: IndexFile[] = [];
  private flushedTimestamp = 0;

  constructor(private readonly options: IndexServiceOptions) {}

  get indexLastUpdateTimestamp(): number {
    return this.last?.endTimestamp ?? 0;
  }

  get indexLastUpdatePhyoffset(): number {
    return this.last?.endPhyOffset ?? 0;
  }

  /** CommitLog offset of the newest indexed message, -1 when nothing is indexed. */
  get lastIndexedPhyOffset(): number {
    for (let i = this.files.length - 1; i >= 0; i--) if (this.files[i].indexCount > 1) return this.files[i].endPhyOffset;
    return -1;
  }

  /** Store time up to which the index is on disk (the checkpoint's indexMsgTimestamp). */
  get flushedStoreTimestamp(): number {
    return this.flushedTimestamp;
  }

  get bufferedBytes(): number {
    return this.files.reduce((sum, f) => sum + f.bufferedBytes, 0);
  }

  get fileCount(): number {
    return this.files.length;
  }

  private get last(): IndexFile | undefined {
    return this.files[this.files.length - 1];
  }

  /**
   * Opens the files. After a crash, files written after the checkpoint or reaching past the recovered
   * CommitLog end (`validEnd`) are deleted; returns the CommitLog offset from which the index must be
   * rebuilt (Infinity when nothing was lost).
   */
  load(cleanShutdown: boolean, indexCheckpoint: number, validEnd: number): number {
    fs.mkdirSync(this.options.dir, { recursive: true });
    const names = fs.readdirSync(this.options.dir).filter((n) => /^\d{17,}$/.test(n)).sort();
    let rebuildFrom = Infinity;
    for (const name of names) {
      const file = this.newFile(path.join(this.options.dir, name));
      try {
        file.open();
      } catch (err) {
        this.logger.warn(`deleting unreadable index file ${file.file}: ${err instanceof Error ? err.message : String(err)}`);
        file.destroy();
        continue;
      }
      const empty = file.indexCount <= 1;
      const unsafe = !cleanShutdown && (file.endTimestamp > indexCheckpoint || rebuildFrom !== Infinity);
      if (empty || unsafe || file.endPhyOffset >= validEnd) {
        if (!empty) {
          rebuildFrom = Math.min(rebuildFrom, file.beginPhyOffset);
          this.logger.warn(`index file ${file.file} is newer than the checkpoint or the recovered CommitLog; rebuilding it from offset ${file.beginPhyOffset}`);
        }
        file.destroy();
        continue;
      }
      this.files.push(file);
    }
    const last = this.last;
    if (last && !last.isWriteFull) last.makeWritable(!cleanShutdown);
    this.flushedTimestamp = last?.endTimestamp ?? 0;
    return rebuildFrom;
  }

  /** Indexes one stored message (UNIQ_KEY, then each KEYS entry that differs from it). */
  buildIndex(topic: string, propertiesString: string, phyOffset: number, storeTimestamp: number): void {
    // Re-dispatch after recovery replays records; those already indexed must not be added twice.
    if (phyOffset <= this.lastIndexedPhyOffset) return;
    forEachIndexKey(propertiesString, (key) => this.putKey(topic + '#' + key, phyOffset, storeTimestamp));
  }

  /**
   * Offsets of records indexed under `topic#key` within [begin, end], newest first, at most min(maxNum, 64)
   * of those `accept` confirms (it reads the record and checks topic, key and exact store time).
   */
  queryOffset(topic: string, key: string, maxNum: number, begin: number, end: number, accept: (phyOffset: number) => boolean): number[] {
    const limit = Math.min(Math.max(0, maxNum), MAX_MSGS_NUM_BATCH);
    const out: number[] = [];
    if (limit === 0) return out;
    const seen = new Set<number>();
    const k = topic + '#' + key;
    for (let i = this.files.length - 1; i >= 0 && out.length < limit; i--) {
      const file = this.files[i];
      if (!file.isTimeMatched(begin, end)) continue;
      file.selectPhyOffset(k, begin, end, (phyOffset) => {
        if (!seen.has(phyOffset)) {
          seen.add(phyOffset);
          if (accept(phyOffset)) out.push(phyOffset);
        }
        return out.length < limit;
      });
    }
    return out;
  }

  /**
   * Writes and fdatasyncs, off the event loop, every file that holds unflushed state (the one being
   * written and any sealed one still syncing); only then does flushedStoreTimestamp move, to the newest
   * store time indexed when the flush started.
   */
  async flush(): Promise<void> {
    const timestamp = this.indexLastUpdateTimestamp;
    await Promise.all(this.files.filter((f) => f.holdsUnflushed).map((f) => f.flush()));
    if (timestamp > this.flushedTimestamp) this.flushedTimestamp = timestamp;
  }

  /** The same on the calling thread, for shutdown; drain() first. */
  flushSync(): void {
    for (const file of this.files) if (file.holdsUnflushed) file.flushSync();
    this.flushedTimestamp = Math.max(this.flushedTimestamp, this.indexLastUpdateTimestamp);
  }

  /** Settles once no file has a flush running or queued. */
  async drain(): Promise<void> {
    await Promise.all(this.files.map((f) => f.drain()));
  }

  /** Deletes sealed files whose newest entry is below `minPhyOffset` (the CommitLog no longer has it). */
  deleteExpiredFile(minPhyOffset: number): number {
    let deleted = 0;
    while (this.files.length > 1 && this.files[0].endPhyOffset < minPhyOffset) {
      this.files.shift()!.destroy();
      deleted++;
    }
    return deleted;
  }

  close(): void {
    for (const f of this.files) f.close();
  }

  private newFile(file: string): IndexFile {
    return new IndexFile(file, this.options.hashSlotNum, this.options.indexNum, this.options.fds, this.options.onSync);
  }

  private putKey(key: string, phyOffset: number, storeTimestamp: number): void {
    let file = this.writableFile();
    if (!file.putKey(key, phyOffset, storeTimestamp)) {
      this.sealLast();
      file = this.writableFile();
      file.putKey(key, phyOffset, storeTimestamp);
    }
  }

  private writableFile(): IndexFile {
    const last = this.last;
    if (last && last.isWritable && !last.isWriteFull) return last;
    if (last && last.isWritable) this.sealLast();
    let name = indexFileName(this.options.clock());
    // Names must sort after the newest file even when two come within one millisecond or the clock stepped back.
    const newest = last ? path.basename(last.file) : undefined;
    if (newest && (name.length < newest.length || (name.length === newest.length && name <= newest))) name = String(BigInt(newest) + 1n);
    const file = path.join(this.options.dir, name);
    fs.mkdirSync(this.options.dir, { recursive: true });
    const created = this.newFile(file);
    created.create();
    this.files.push(created);
    return created;
  }

  /**
   * A full file takes no more keys; its last flush starts now, off the event loop, and the file is read
   * from disk once that is synced. A failed one is retried by the next flush().
   */
  private sealLast(): void {
    const last = this.last;
    if (!last || !last.isWritable) return;
    last.seal();
    last.flush().catch((err: unknown) => {
      if (!(err instanceof IndexFileClosedError)) this.logger.warn(`flushing the sealed index file ${last.file} failed, retrying with the next flush: ${errorText(err)}`);
    });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

