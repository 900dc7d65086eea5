import * as fs from 'node:fs';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import {
  createOffsetMessageId,
  MessageRecordInput,
  getTransactionValue,
  MessageConst,
  MessageSysFlag,
  string2messageProperties,
  tagsString2tagsCode,
} from '../../message/index.js';
import {
  MessageArrivingListener,
  MessageExtBrokerInner,
  MessageStore,
  PutMessageResult,
} from '../message-store.js';
import { PutMessageStatus } from '../put-message-status.js';
import { CommitLog } from './commit-log.js';
import { ConsumeQueue } from './consume-queue.js';
import { FileDescriptorCache } from './file-descriptor-cache.js';
import { parseMessageDelayLevel } from '../message-delay-level.js';
import { FileMessageStoreConfig, resolveFileStoreConfig } from './file-message-store-config.js';
import { FlushRealTimeService } from './flush-real-time-service.js';
import { GroupCommitService } from './group-commit-service.js';
import { IndexService } from './index-service.js';
import { StoreCheckpoint } from './store-checkpoint.js';
import { StoreLock } from './store-lock.js';
import { ConsumeQueueMessageStore } from '../consume-queue-message-store.js';
import { parseDispatchRequest } from '../stored-record.js';
import { checkPutMessage, isDispatchedToConsumeQueue, prepareBatch, putMessageFailure, recordInput, recordSize } from '../put-message-rules.js';

const SCHEDULE_TOPIC = 'SCHEDULE_TOPIC_XXXX';
/** How long appended bytes may wait in memory before they are handed to the file (page cache). */
const COMMIT_INTERVAL_MILLIS = 1;

/** RocketMQ's DELETE_FILES_BATCH_MAX: segments one retention run deletes at most. */
const DELETE_FILES_BATCH_MAX = 10;
const HOUR = 3_600_000;

/** Hooks for tests and tools; production code passes none. */
export interface FileMessageStoreOptions {
  /** Store time source (store timestamps, segment ages, index file names). @default Date.now */
  clock?: () => number;
  /** Called before each fdatasync with the file synced. */
  onSync?: (file: string) => void;
  /** Fraction (0..1) of the disk holding `dir` in use. @default statfs of the CommitLog directory */
  diskUsedRatio?: (dir: string) => number;
  /** Most file descriptors kept open for reading segments. @default 128 */
  maxOpenFiles?: number;
}

/** What load() found. */
export interface FileStoreLoadResult {
  cleanShutdown: boolean;
  /** CommitLog offset from which records were re-dispatched into ConsumeQueues and the index. */
  recoveredFrom?: number;
  /** CommitLog offset where a torn or corrupt tail was cut. */
  truncatedAt?: number;
}

/** What one deleteExpiredFiles run removed. */
export interface DeleteExpiredFilesResult {
  commitLogFiles: number;
  consumeQueueFiles: number;
  indexFiles: number;
}

/** Counters for tests, benchmarks and monitoring. */
export interface FileStoreStats {
  /** Bytes the store holds in its own buffers (CommitLog window, ConsumeQueue tails, index). */
  bufferedBytes: number;
  openFiles: number;
  consumeQueues: number;
  commitLogSegments: number;
  indexFiles: number;
}


/**
 * RocketMQ's file store (DefaultMessageStore) on Node's fs: a CommitLog of segment files, one
 * ConsumeQueue per (topic, queueId) built from it by dispatch, IndexFiles for key lookups, a checkpoint,
 * an abort marker and a lock. Dispatch happens right after the append, so a message is visible to pulls
 * once the put returns (as with the memory store, whose semantics this store matches); after a crash,
 * load() replays the CommitLog from the checkpoint and re-dispatches what the ConsumeQueues and the index
 * had not flushed.
 */
export class FileMessageStore extends ConsumeQueueMessageStore<ConsumeQueue> implements MessageStore {
  private readonly logger = new Logger(FileMessageStore.name);
  readonly config: FileMessageStoreConfig;
  private readonly clock: () => number;
  private readonly options: FileMessageStoreOptions;
  private readonly fds: FileDescriptorCache;
  protected readonly commitLog: CommitLog;
  protected readonly indexService: IndexService;
  private readonly checkpoint: StoreCheckpoint;
  private readonly lock: StoreLock;
  private readonly delayLevels: number[];
  private readonly groupCommitService: GroupCommitService | undefined;
  private readonly flushRealTimeService: FlushRealTimeService | undefined;
  private arrivingListener: MessageArrivingListener | undefined;
  private loadResult: FileStoreLoadResult | undefined;
  private loading: Promise<FileStoreLoadResult> | undefined;
  private running = false;
  private closed = false;
  private lastDispatchTimestamp = 0;
  private commitScheduled = false;
  private cqFlushTimer: NodeJS.Timeout | undefined;
  private cleanTimer: NodeJS.Timeout | undefined;
  private cqFlushing: Promise<void> | undefined;
  private lastCqThorough = 0;

  constructor(config: Partial<FileMessageStoreConfig> & { storePathRootDir: string }, options: FileMessageStoreOptions = {}) {
    super();
    this.config = resolveFileStoreConfig(config);
    this.options = options;
    this.clock = options.clock ?? (() => Date.now());
    const levels = parseMessageDelayLevel(this.config.messageDelayLevel);
    if (typeof levels === 'string') throw new Error(`messageDelayLevel: ${levels}`);
    this.delayLevels = levels;
    this.fds = new FileDescriptorCache(options.maxOpenFiles ?? 128);
    this.commitLog = new CommitLog({
      dir: this.config.storePathCommitLog,
      fileSize: this.config.mappedFileSizeCommitLog,
      maxMessageSize: this.config.maxMessageSize,
      fds: this.fds,
      clock: this.clock,
      onSync: options.onSync,
    });
    this.indexService = new IndexService({
      dir: this.config.storePathIndex,
      hashSlotNum: this.config.maxHashSlotNum,
      indexNum: this.config.maxIndexNum,
      fds: this.fds,
      clock: this.clock,
      onSync: options.onSync,
    });
    this.checkpoint = new StoreCheckpoint(this.config.storeCheckpoint);
    this.lock = new StoreLock(path.join(this.config.storePathRootDir, 'lock'));
    const onFlushed = () => {
      this.checkpoint.physicMsgTimestamp = Math.max(this.checkpoint.physicMsgTimestamp, this.commitLog.flushedStoreTimestamp);
    };
    if (this.config.flushDiskType === 'SYNC_FLUSH') {
      this.groupCommitService = new GroupCommitService(this.commitLog, this.config.syncFlushTimeout, onFlushed);
    } else {
      this.flushRealTimeService = new FlushRealTimeService(this.commitLog, {
        interval: this.config.flushIntervalCommitLog,
        leastPages: this.config.flushCommitLogLeastPages,
        thoroughInterval: this.config.flushCommitLogThoroughInterval,
        clock: this.clock,
        onFlushed,
      });
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Takes the lock, then recovers: after a clean shutdown the files are trusted; after a crash the
   * CommitLog is checked record by record from the checkpoint, a bad tail is cut and the records after
   * the checkpoint are dispatched again. Idempotent.
   */
  load(): Promise<FileStoreLoadResult> {
    if (this.loadResult) return Promise.resolve(this.loadResult);
    this.loading ??= Promise.resolve().then(() => this.doLoad());
    return this.loading;
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (this.closed) throw new Error('the file message store was shut down; create a new one');
    await this.load();
    fs.writeFileSync(this.config.abortFile, `${process.pid}\n`);
    this.flushRealTimeService?.start();
    this.lastCqThorough = this.clock();
    this.cqFlushTimer = setInterval(() => void this.flushConsumeQueues(false), this.config.flushIntervalConsumeQueue);
    this.cqFlushTimer.unref();
    this.cleanTimer = setInterval(() => this.cleanTick(), this.config.cleanResourceInterval);
    this.cleanTimer.unref();
    this.running = true;
  }

  /** Flushes everything, closes every file, removes the abort marker and the lock. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.running = false;
    this.arrivingListener = undefined;
    this.stopTimers();
    if (!this.loadResult) {
      this.closed = true;
      return;
    }
    await this.groupCommitService?.shutdown();
    await this.commitLog.drain();
    await this.cqFlushing;
    // The sync writes below must land after, never under, writes still running off the event loop.
    await Promise.all([this.indexService.drain(), this.checkpoint.drain()]);
    try {
      this.commitLog.flushSync();
      for (const cq of this.allConsumeQueues()) cq.flushSync(this.options.onSync);
      this.indexService.flushSync();
      this.checkpoint.physicMsgTimestamp = Math.max(this.checkpoint.physicMsgTimestamp, this.commitLog.flushedStoreTimestamp);
      this.checkpoint.logicsMsgTimestamp = Math.max(this.checkpoint.logicsMsgTimestamp, this.lastDispatchTimestamp);
      this.checkpoint.indexMsgTimestamp = Math.max(this.checkpoint.indexMsgTimestamp, this.indexService.flushedStoreTimestamp);
      this.checkpoint.flushSync();
      fs.rmSync(this.config.abortFile, { force: true });
    } finally {
      this.closeFiles();
      this.lock.release();
      this.closed = true;
    }
  }

  /**
   * Stops at once without flushing and leaves the abort marker and the lock behind: what a killed process
   * leaves (crash tests). Bytes not yet handed to the file are lost, as in a crash; writes already handed
   * to the OS finish, as the kernel would finish them, and the returned promise waits for them, so a store
   * reopened on the same directory never sees a late write land after its recovery.
   */
  halt(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.running = false;
    this.arrivingListener = undefined;
    this.stopTimers();
    this.closeFiles();
    this.closed = true;
    // Index and checkpoint writes already running land too (their failures no longer matter to a halted store).
    return Promise.all([this.commitLog.settleWrites(), this.indexService.drain().catch(() => undefined), this.checkpoint.drain().catch(() => undefined)]).then(() => undefined);
  }

  /** Writes and fdatasyncs the CommitLog, every ConsumeQueue and the index, then the checkpoint. */
  async flush(): Promise<void> {
    if (!this.loadResult || this.closed) return;
    await this.commitLog.flush();
    this.checkpoint.physicMsgTimestamp = Math.max(this.checkpoint.physicMsgTimestamp, this.commitLog.flushedStoreTimestamp);
    await this.flushConsumeQueues(true);
  }

  setMessageArrivingListener(listener: MessageArrivingListener | undefined): void {
    this.arrivingListener = listener;
  }

  // ---------------------------------------------------------------- writes

  putMessage(msg: MessageExtBrokerInner): PutMessageResult | Promise<PutMessageResult> {
    const rejected = checkPutMessage(msg, this.running, this.config.maxMessageSize);
    if (rejected) return rejected;
    const storeTimestamp = this.clock();
    const visible = isDispatchedToConsumeQueue(msg.sysFlag);
    const queueOffset = visible ? this.findOrCreateConsumeQueue(msg.topic, msg.queueId).maxOffset : 0;
    // The CommitLog sets the real offset when it places the record.
    const input = recordInput(msg, queueOffset, 0, storeTimestamp);
    const size = this.recordSize(input);
    if (typeof size === 'string') return putMessageFailure(PutMessageStatus.MESSAGE_ILLEGAL, size);
    let wroteOffset: number;
    try {
      wroteOffset = this.commitLog.append(input, size, storeTimestamp);
    } catch (err) {
      return this.writeFailure(err);
    }
    const logicsOffset = this.dispatch(msg.topic, msg.queueId, msg.sysFlag, msg.propertiesString, msg.tagsCode, wroteOffset, size, storeTimestamp, queueOffset, false);
    const result: PutMessageResult = {
      status: PutMessageStatus.PUT_OK,
      wroteOffset,
      wroteBytes: size,
      msgId: createOffsetMessageId(msg.storeHost, wroteOffset),
      logicsOffset,
      storeTimestamp,
      msgNum: 1,
    };
    return this.acknowledge(result, wroteOffset + size);
  }

  putMessages(batch: MessageExtBrokerInner[]): PutMessageResult | Promise<PutMessageResult> {
    const storeTimestamp = this.clock();
    const prepared = prepareBatch(
      batch,
      this.running,
      storeTimestamp,
      this.config.maxMessageSize,
      (msg) => this.findOrCreateConsumeQueue(msg.topic, msg.queueId),
      (input) => this.recordSize(input),
    );
    if (!('inputs' in prepared)) return prepared;
    const { inputs, sizes } = prepared;
    const msgIds: string[] = new Array(batch.length);
    let wroteOffset = -1;
    let wroteBytes = 0;
    let logicsOffset = -1;
    let end = 0;
    for (let i = 0; i < batch.length; i++) {
      const msg = batch[i];
      const size = sizes[i];
      let offset: number;
      try {
        offset = this.commitLog.append(inputs[i], size, storeTimestamp);
      } catch (err) {
        return this.writeFailure(err);
      }
      const logic = this.dispatch(msg.topic, msg.queueId, msg.sysFlag, msg.propertiesString, msg.tagsCode, offset, size, storeTimestamp, inputs[i].queueOffset, false);
      if (wroteOffset < 0) wroteOffset = offset;
      if (logicsOffset < 0) logicsOffset = logic;
      wroteBytes += size;
      end = offset + size;
      msgIds[i] = createOffsetMessageId(msg.storeHost, offset);
    }
    const result: PutMessageResult = {
      status: PutMessageStatus.PUT_OK,
      wroteOffset,
      wroteBytes,
      msgId: msgIds.join(','),
      logicsOffset,
      storeTimestamp,
      msgNum: batch.length,
    };
    return this.acknowledge(result, end);
  }

  // ---------------------------------------------------------------- reads

  /** The record at `commitLogOffset` (a copy), undefined when no record starts there. */
  selectOneMessageByOffset(commitLogOffset: number): Buffer | undefined {
    if (!this.loadResult || this.closed || commitLogOffset < this.commitLog.minOffset) return undefined;
    return this.commitLog.readRecord(commitLogOffset);
  }

  /** Raw CommitLog bytes from `offset` to the end of its segment or of the data, at most `maxBytes`. */
  getCommitLogData(offset: number, maxBytes = 1024 * 1024): Buffer | undefined {
    if (offset < this.commitLog.minOffset || offset >= this.commitLog.maxOffset) return undefined;
    const segEnd = this.commitLog.segmentStart(offset) + this.commitLog.fileSize;
    return this.commitLog.read(offset, Math.min(maxBytes, segEnd - offset, this.commitLog.maxOffset - offset));
  }
  stats(): FileStoreStats {
    let bufferedBytes = this.commitLog.bufferedBytes + this.indexService.bufferedBytes;
    let consumeQueues = 0;
    for (const cq of this.allConsumeQueues()) {
      bufferedBytes += cq.bufferedBytes;
      consumeQueues++;
    }
    return {
      bufferedBytes,
      openFiles: this.fds.size,
      consumeQueues,
      commitLogSegments: this.commitLog.queue.files.length,
      indexFiles: this.indexService.fileCount,
    };
  }

  // ---------------------------------------------------------------- retention

  /**
   * CleanCommitLogService + CleanConsumeQueueService: at a `deleteWhen` hour (or when `force`), deletes
   * CommitLog segments older than fileReservedTime; when the disk is fuller than diskMaxUsedSpaceRatio,
   * deletes the oldest at any hour and any age. Never the segment being written. Then drops ConsumeQueue
   * segments and index files that only point below the new minimum, and moves queue minimum offsets.
   */
  deleteExpiredFiles(now = this.clock(), force = false): DeleteExpiredFilesResult {
    const result: DeleteExpiredFilesResult = { commitLogFiles: 0, consumeQueueFiles: 0, indexFiles: 0 };
    if (!this.loadResult || this.closed) return result;
    const limit = this.config.diskMaxUsedSpaceRatio / 100;
    const spaceFull = () => this.diskUsedRatio() > limit;
    const timeUp = force || this.isTimeToDelete(now);
    let full = spaceFull();
    if (!timeUp && !full) return result;
    const reserved = this.config.fileReservedTime * HOUR;
    while (result.commitLogFiles < DELETE_FILES_BATCH_MAX) {
      const first = this.commitLog.queue.first;
      if (!first || first.fileFromOffset + this.commitLog.fileSize > this.commitLog.maxOffset) break;
      let mtime: number;
      try {
        mtime = fs.statSync(first.file).mtimeMs;
      } catch {
        mtime = 0;
      }
      const expired = timeUp && mtime + reserved <= now;
      if (!expired && !full) break;
      try {
        this.commitLog.deleteFirstSegment();
      } catch (err) {
        this.logger.warn(`cannot delete CommitLog segment ${first.file}, retrying in ${this.config.destroyMapedFileIntervalForcibly} ms: ${errorText(err)}`);
        break;
      }
      result.commitLogFiles++;
      this.logger.log(`deleted CommitLog segment ${first.file} (${expired ? 'expired' : 'disk above diskMaxUsedSpaceRatio'})`);
      if (!expired) full = spaceFull();
    }
    if (result.commitLogFiles === 0) return result;
    const minPhy = this.commitLog.minOffset;
    for (const cq of this.allConsumeQueues()) result.consumeQueueFiles += cq.deleteExpiredFile(minPhy);
    result.indexFiles = this.indexService.deleteExpiredFile(minPhy);
    return result;
  }

  // ---------------------------------------------------------------- internals

  private async doLoad(): Promise<FileStoreLoadResult> {
    const config = this.config;
    for (const dir of [config.storePathRootDir, config.storePathCommitLog, config.storePathConsumeQueue, config.storePathIndex]) {
      fs.mkdirSync(dir, { recursive: true });
    }
    this.lock.acquire();
    try {
      const cleanShutdown = !fs.existsSync(config.abortFile);
      this.checkpoint.load();
      this.commitLog.load();
      this.loadConsumeQueues();
      const result = cleanShutdown ? this.recoverNormally() : this.recoverAbnormally();
      for (const cq of this.allConsumeQueues()) cq.correctMinOffset(this.commitLog.minOffset);
      this.lastDispatchTimestamp = Math.max(this.checkpoint.logicsMsgTimestamp, this.lastDispatchTimestamp);
      this.loadResult = result;
      return result;
    } catch (err) {
      this.closeFiles();
      this.lock.release();
      this.loading = undefined;
      throw err;
    }
  }

  private recoverNormally(): FileStoreLoadResult {
    const last = this.commitLog.queue.last;
    const end = last ? last.fileFromOffset + Math.min(this.commitLog.queue.fileLength(last), this.commitLog.fileSize) : 0;
    this.commitLog.setEnd(end);
    for (const cq of this.allConsumeQueues()) cq.truncateByPhyOffset(end);
    const rebuildFrom = this.indexService.load(true, this.checkpoint.indexMsgTimestamp, end);
    if (rebuildFrom !== Infinity) {
      const from = Math.max(this.commitLog.segmentStart(rebuildFrom), this.commitLog.minOffset);
      this.redispatch(from);
      return { cleanShutdown: true, recoveredFrom: from };
    }
    return { cleanShutdown: true };
  }

  private recoverAbnormally(): FileStoreLoadResult {
    const files = this.commitLog.queue.files;
    if (files.length === 0) {
      this.commitLog.setEnd(0);
      for (const cq of this.allConsumeQueues()) cq.truncateByPhyOffset(0);
      this.indexService.load(false, this.checkpoint.indexMsgTimestamp, 0);
      return { cleanShutdown: false, recoveredFrom: 0 };
    }
    // Replay from the newest segment whose first record is older than everything the checkpoint vouches for.
    const trusted = this.checkpoint.minTimestamp(false);
    let start = files[0].fileFromOffset;
    for (let i = files.length - 1; i >= 0; i--) {
      const first = this.commitLog.firstStoreTimestamp(files[i]);
      if (first > 0 && first <= trusted) {
        start = files[i].fileFromOffset;
        break;
      }
    }
    const scan = this.commitLog.scan(start, true);
    const last = this.commitLog.queue.last!;
    const dataEnd = last.fileFromOffset + this.commitLog.queue.fileLength(last);
    let truncatedAt: number | undefined;
    if (scan.reason || dataEnd > scan.end) {
      truncatedAt = scan.end;
      this.logger.warn(
        `CommitLog tail cut at offset ${scan.end} (${dataEnd - scan.end} bytes dropped): ${scan.reason ?? 'bytes after the last record'}`,
      );
      this.commitLog.truncateFrom(scan.end);
    }
    const end = scan.end;
    this.commitLog.setEnd(end);
    for (const cq of this.allConsumeQueues()) cq.truncateByPhyOffset(end);
    const rebuildFrom = this.indexService.load(false, this.checkpoint.indexMsgTimestamp, end);
    if (rebuildFrom !== Infinity) start = Math.min(start, Math.max(this.commitLog.segmentStart(rebuildFrom), this.commitLog.minOffset));
    const replayed = this.redispatch(start);
    this.logger.warn(`recovered after an abnormal stop: replayed ${replayed} records from CommitLog offset ${start} to ${end}`);
    return { cleanShutdown: false, recoveredFrom: start, truncatedAt };
  }

  /** Dispatches every record from `from` to the end again; entries already present are skipped. */
  private redispatch(from: number): number {
    let count = 0;
    const end = this.commitLog.maxOffset;
    this.commitLog.scan(from, false, (record, offset) => {
      if (offset >= end) return;
      const req = parseDispatchRequest(record);
      const tagsCode = this.computeTagsCode(req.topic, req.propertiesString, req.storeTimestamp);
      this.dispatch(req.topic, req.queueId, req.sysFlag, req.propertiesString, tagsCode, offset, record.length, req.storeTimestamp, req.queueOffset, true);
      count++;
    });
    return count;
  }

  /**
   * Builds the ConsumeQueue entry and the index for one record (CommitLogDispatcherBuildConsumeQueue and
   * ...BuildIndex) and tells the arrival listener. On replay the record's own queue offset decides: an
   * entry already there is skipped.
   */
  private dispatch(
    topic: string,
    queueId: number,
    sysFlag: number,
    propertiesString: string,
    tagsCode: number,
    phyOffset: number,
    size: number,
    storeTimestamp: number,
    queueOffset: number,
    replay: boolean,
  ): number {
    // RocketMQ indexes prepared half messages too (only rollbacks are skipped), so they can be looked up.
    if (getTransactionValue(sysFlag) !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) {
      this.indexService.buildIndex(topic, propertiesString, phyOffset, storeTimestamp);
    }
    if (storeTimestamp > this.lastDispatchTimestamp) this.lastDispatchTimestamp = storeTimestamp;
    if (!isDispatchedToConsumeQueue(sysFlag)) return queueOffset;
    const cq = this.findOrCreateConsumeQueue(topic, queueId);
    if (replay) {
      if (queueOffset < cq.maxOffset) return queueOffset;
      if (queueOffset > cq.maxOffset) {
        if (cq.maxOffset === cq.minOffset) {
          cq.resetStart(queueOffset);
        } else {
          this.logger.warn(`ConsumeQueue ${topic}:${queueId} misses offsets ${cq.maxOffset}..${queueOffset - 1}; they read as removed`);
          while (cq.maxOffset < queueOffset) cq.append(phyOffset, 1, 0);
        }
      }
    }
    const logicOffset = cq.append(phyOffset, size, tagsCode);
    const listener = this.arrivingListener;
    if (listener) {
      try {
        listener(topic, queueId, logicOffset, tagsCode, storeTimestamp, propertiesString);
      } catch (err) {
        this.logger.error(`message arriving listener failed: ${errorText(err)}`);
      }
    }
    return logicOffset;
  }

  /** The tagsCode a replayed record gets: the TAGS hash, or for delayed messages their delivery time. */
  private computeTagsCode(topic: string, propertiesString: string, storeTimestamp: number): number {
    const properties = string2messageProperties(propertiesString);
    if (topic === SCHEDULE_TOPIC) {
      const level = Number(properties[MessageConst.PROPERTY_DELAY_TIME_LEVEL] ?? 0);
      if (level > 0) return storeTimestamp + (this.delayLevels[Math.min(level, this.delayLevels.length) - 1] ?? 1000);
    }
    return tagsString2tagsCode(properties[MessageConst.PROPERTY_TAGS]);
  }

  private acknowledge(result: PutMessageResult, end: number): PutMessageResult | Promise<PutMessageResult> {
    const group = this.groupCommitService;
    if (!group) {
      // Hand the bytes to the page cache within a millisecond, so a process crash loses next to nothing.
      // Under SYNC_FLUSH the group commit writes them right before its fdatasync.
      this.scheduleCommit();
      return result;
    }
    return group.waitFor(end).then((flushed) => {
      if (flushed) return result;
      this.logger.warn(`fdatasync did not cover CommitLog offset ${end} within syncFlushTimeout ${this.config.syncFlushTimeout} ms`);
      return { ...result, status: PutMessageStatus.FLUSH_DISK_TIMEOUT };
    });
  }

  /**
   * One write per millisecond rather than per turn of the event loop: a broker serving sockets turns the
   * loop for every few messages, and each asynchronous write costs the loop a thread-pool hand-off.
   */
  private scheduleCommit(): void {
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    setTimeout(() => {
      this.commitScheduled = false;
      if (!this.closed) this.commitLog.commit();
    }, COMMIT_INTERVAL_MILLIS);
  }

  private async flushConsumeQueues(forceThorough: boolean): Promise<void> {
    if (this.cqFlushing) {
      await this.cqFlushing;
      if (!forceThorough) return;
    }
    const run = this.doFlushConsumeQueues(forceThorough);
    this.cqFlushing = run;
    try {
      await run;
    } finally {
      if (this.cqFlushing === run) this.cqFlushing = undefined;
    }
  }

  private async doFlushConsumeQueues(forceThorough: boolean): Promise<void> {
    if (this.closed) return;
    try {
      const now = this.clock();
      const thorough = forceThorough || now - this.lastCqThorough >= this.config.flushConsumeQueueThoroughInterval;
      if (thorough) this.lastCqThorough = now;
      const logicsTimestamp = this.lastDispatchTimestamp;
      let clean = true;
      for (const cq of [...this.allConsumeQueues()]) {
        if (this.closed) return;
        const synced = await cq.flush(thorough ? 0 : this.config.flushConsumeQueueLeastPages, this.options.onSync);
        clean = synced && clean;
      }
      if (this.closed) return;
      await this.indexService.flush();
      if (this.closed) return;
      if (clean) this.checkpoint.logicsMsgTimestamp = Math.max(this.checkpoint.logicsMsgTimestamp, logicsTimestamp);
      this.checkpoint.indexMsgTimestamp = Math.max(this.checkpoint.indexMsgTimestamp, this.indexService.flushedStoreTimestamp);
      this.checkpoint.physicMsgTimestamp = Math.max(this.checkpoint.physicMsgTimestamp, this.commitLog.flushedStoreTimestamp);
      await this.checkpoint.flush();
    } catch (err) {
      if (!this.closed) this.logger.error(`flushing the ConsumeQueues failed: ${errorText(err)}`);
    }
  }

  private cleanTick(): void {
    try {
      this.deleteExpiredFiles(this.clock(), false);
    } catch (err) {
      this.logger.error(`deleting expired files failed: ${errorText(err)}`);
    }
  }

  private isTimeToDelete(now: number): boolean {
    const hour = new Date(now).getHours();
    return this.config.deleteWhen
      .split(';')
      .map((h) => h.trim())
      .filter((h) => h.length > 0)
      .some((h) => Number(h) === hour);
  }

  private diskUsedRatio(): number {
    if (this.options.diskUsedRatio) return this.options.diskUsedRatio(this.config.storePathCommitLog);
    try {
      const s = fs.statfsSync(this.config.storePathCommitLog);
      return s.blocks > 0 ? (s.blocks - s.bavail) / s.blocks : 0;
    } catch {
      return 0;
    }
  }

  private loadConsumeQueues(): void {
    const root = this.config.storePathConsumeQueue;
    for (const topic of fs.readdirSync(root)) {
      const topicDir = path.join(root, topic);
      if (!fs.statSync(topicDir).isDirectory()) continue;
      for (const queue of fs.readdirSync(topicDir)) {
        if (!/^\d+$/.test(queue)) continue;
        const cq = this.createConsumeQueue(topic, Number(queue));
        cq.load();
      }
    }
  }

  /** The record's size, or why the store cannot take it. */
  private recordSize(input: MessageRecordInput): number | string {
    const size = recordSize(input, this.config.maxMessageSize);
    if (typeof size === 'number' && size > this.commitLog.maxRecordSize) {
      return `message size ${size} bytes does not fit a CommitLog segment of ${this.config.mappedFileSizeCommitLog} bytes`;
    }
    return size;
  }

  private writeFailure(err: unknown): PutMessageResult {
    this.logger.error(`appending to the CommitLog failed: ${errorText(err)}`);
    return putMessageFailure(PutMessageStatus.UNKNOWN_ERROR, `appending to the CommitLog failed: ${errorText(err)}`);
  }

  protected readRecord(phyOffset: number, size: number): Buffer | undefined {
    // getMessage's readers copy what they keep (the pull answer concatenates at once), so a view will do.
    return phyOffset >= this.commitLog.minOffset ? this.commitLog.readRecord(phyOffset, size, true) : undefined;
  }

  protected storeTimeAt(cq: ConsumeQueue, queueOffset: number): number {
    const phy = cq.phyOffsetAt(queueOffset);
    return phy < 0 ? -1 : this.commitLog.pickupStoreTimestamp(phy);
  }

  private *allConsumeQueues(): IterableIterator<ConsumeQueue> {
    for (const queues of this.consumeQueueTable.values()) yield* queues.values();
  }

  private findOrCreateConsumeQueue(topic: string, queueId: number): ConsumeQueue {
    return this.findConsumeQueue(topic, queueId) ?? this.createConsumeQueue(topic, queueId);
  }

  private createConsumeQueue(topic: string, queueId: number): ConsumeQueue {
    let queues = this.consumeQueueTable.get(topic);
    if (!queues) this.consumeQueueTable.set(topic, (queues = new Map()));
    const dir = path.join(this.config.storePathConsumeQueue, topic, String(queueId));
    const cq = new ConsumeQueue(topic, queueId, dir, this.config.mappedFileSizeConsumeQueue, this.fds);
    queues.set(queueId, cq);
    return cq;
  }

  private stopTimers(): void {
    this.flushRealTimeService?.stop();
    if (this.cqFlushTimer) clearInterval(this.cqFlushTimer);
    if (this.cleanTimer) clearInterval(this.cleanTimer);
    this.cqFlushTimer = this.cleanTimer = undefined;
  }

  private closeFiles(): void {
    for (const cq of this.allConsumeQueues()) cq.close();
    this.indexService.close();
    this.commitLog.queue.closeAll();
    this.checkpoint.close();
    this.fds.closeAll();
  }
}



function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

