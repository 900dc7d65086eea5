import { Logger } from '@nestjs/common';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A table the broker keeps in a JSON file (ConfigManager). `persist()` writes `<file>.tmp` and fsyncs it,
 * moves the current file to `<file>.bak`, then renames the new one in: a crash at any point leaves either
 * the new file or the previous one as `.bak`, never a torn file alone. `load()` falls back to `.bak` when
 * the main file is missing, empty or does not decode.
 *
 * Without a file path (the memory store) both are no-ops, so the managers work the same either way.
 * `persist()` is also a no-op until `load()` ran: defaults set up before loading (the system topics a
 * broker creates in its constructor) must never overwrite the file they are about to be merged with.
 */
export abstract class ConfigManager {
  private readonly configLogger = new Logger(ConfigManager.name);
  private loaded = false;

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
   * as the next persist tries again.
   */
  persist(snapshot?: string): boolean {
    const fileName = this.configFilePath();
    if (!fileName || !this.loaded) return true;
    try {
      writeAtomically(fileName, snapshot ?? this.encode(true));
      return true;
    } catch (err) {
      this.configLogger.error(`persisting ${fileName} failed: ${describe(err)}`);
      return false;
    }
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
