import { Logger } from '@nestjs/common';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { dirname } from 'node:path';
import { CoalescingRunner } from '../../common/coalescing-runner.js';

/**
 * A table the broker keeps in a JSON file (ConfigManager). `persist()` writes `<file>.tmp` and fsyncs it,
 * moves the current file to `<file>.bak`, then renames the new one in: a crash at any point leaves either
 * the new file or the previous one as `.bak`, never a torn file alone. `load()` falls back to `.bak` when
 * the main file is missing, empty or does not decode.
 *
 * Without a file path (the memory store) both are no-ops, so the managers work the same either way.
 * `persist()` is also a no-op until `load()` ran: defaults set up before loading (the system topics a
 * broker creates in its constructor) must never overwrite the file they are about to be merged with.
 *
 * `persistAsync()` is the same sequence off the event loop, for periodic persists. Its writes run one at a
 * time: a call made while one is in flight waits for it, and the calls that waited write the latest state
 * once. `persist()` never writes under it (see there); shutdown awaits `settled()`, then persists.
 */
export abstract class ConfigManager {
  private readonly configLogger = new Logger(ConfigManager.name);
  private loaded = false;
  private readonly asyncWriter = new CoalescingRunner(() => this.writeLatestAsync());
  /** What the next async write writes; undefined: the state as encoded when it starts. */
  private nextSnapshot: string | undefined;

  /** The JSON file, or undefined when this table is not persisted. */
  abstract configFilePath(): string | undefined;

  abstract encode(prettyFormat?: boolean): string;

  /** Replaces the in-memory state with the file's; throws when the text is not a valid table. */
  abstract decode(jsonString: string): void;

  /** Loads the file, else its `.bak`. True when either was read or neither exists (a first start). */
  load(): boolean {
    this.loaded = true;
    const fileName = this.configFilePath();
    if (!fileName) return true;
    try {
      const text = readIfExists(fileName);
      if (text !== undefined && text.trim() !== '') {
        this.decode(text);
        this.configLogger.debug(`loaded ${fileName}`);
        return true;
      }
      if (text !== undefined) this.configLogger.warn(`${fileName} is empty, trying ${fileName}.bak`);
    } catch (err) {
      this.configLogger.warn(`${fileName} cannot be loaded (${describe(err)}), trying ${fileName}.bak`);
    }
    return this.loadBak(fileName);
  }

  /**
   * Writes the current state, or `snapshot` (an earlier `encode(true)`); failures are logged, not thrown,
   * as the next persist tries again. While an async persist is in flight the write is handed to it (it
   * writes the latest state right after), as two writers of one `.tmp` file could tear it.
   */
  persist(snapshot?: string): boolean {
    const fileName = this.configFilePath();
    if (!fileName || !this.loaded) return true;
    if (this.asyncWriter.busy) {
      void this.persistAsync(snapshot);
      return true;
    }
    try {
      writeAtomically(fileName, snapshot ?? this.encode(true));
      return true;
    } catch (err) {
      this.configLogger.error(`persisting ${fileName} failed: ${describe(err)}`);
      return false;
    }
  }

  /**
   * persist() without blocking the event loop: resolves true once the state (or `snapshot`) is on disk,
   * false when writing failed (logged). The newest call's snapshot wins among those waiting.
   */
  persistAsync(snapshot?: string): Promise<boolean> {
    const fileName = this.configFilePath();
    if (!fileName || !this.loaded) return Promise.resolve(true);
    this.nextSnapshot = snapshot;
    return this.asyncWriter.run().then(
      () => true,
      (err: unknown) => {
        this.configLogger.error(`persisting ${fileName} failed: ${describe(err)}`);
        return false;
      },
    );
  }

  /** Settles once no async persist is running or waiting. */
  settled(): Promise<void> {
    return this.asyncWriter.drain();
  }

  private async writeLatestAsync(): Promise<void> {
    const fileName = this.configFilePath();
    const text = this.nextSnapshot ?? this.encode(true);
    this.nextSnapshot = undefined;
    if (fileName) await writeAtomicallyAsync(fileName, text);
  }

  private loadBak(fileName: string): boolean {
    const bak = `${fileName}.bak`;
    try {
      const text = readIfExists(bak);
      if (text === undefined || text.trim() === '') return true;
      this.decode(text);
      this.configLogger.warn(`loaded ${bak} instead of ${fileName}`);
      return true;
    } catch (err) {
      this.configLogger.error(`${bak} cannot be loaded either: ${describe(err)}`);
      return false;
    }
  }
}

function readIfExists(fileName: string): string | undefined {
  return existsSync(fileName) ? readFileSync(fileName, 'utf8') : undefined;
}

function writeAtomically(fileName: string, text: string): void {
  const dir = dirname(fileName);
  mkdirSync(dir, { recursive: true });
  const tmp = `${fileName}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (existsSync(fileName)) renameSync(fileName, `${fileName}.bak`);
  renameSync(tmp, fileName);
  fsyncDirectory(dir);
}

async function writeAtomicallyAsync(fileName: string, text: string): Promise<void> {
  const dir = dirname(fileName);
  await fsp.mkdir(dir, { recursive: true });
  const tmp = `${fileName}.tmp`;
  const handle = await fsp.open(tmp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await renameUnlessMissing(fileName, `${fileName}.bak`);
  await fsp.rename(tmp, fileName);
  await fsyncDirectoryAsync(dir);
}

/** The first persist has no file to back up. */
async function renameUnlessMissing(from: string, to: string): Promise<void> {
  try {
    await fsp.rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

async function fsyncDirectoryAsync(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch {
    // As fsyncDirectory: Windows refuses to open directories; NTFS journals renames itself.
  } finally {
    await handle?.close();
  }
}

/** Makes the renames durable; some platforms cannot open a directory, and there renames are ordered anyway. */
function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows refuses to open directories; NTFS journals renames itself.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
