import * as fs from 'node:fs';
import { Logger } from '@nestjs/common';
import { RocketMQStoreLockedError } from './rocketmq-store-locked.error.js';

/**
 * The `lock` file: the pid of the process that owns the store. A lock left by a dead process (a crash) is
 * taken over. A lock of this very process is taken over too, with a warning: within one process the
 * earlier store was abandoned without shutdown (what crash tests do), and only other processes can
 * corrupt each other's files.
 */
export class StoreLock {
  private readonly logger = new Logger(StoreLock.name);
  private held = false;

  constructor(readonly file: string) {}

  acquire(): void {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(this.file, `${process.pid}\n`, { flag: 'wx' });
        this.held = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = this.readOwner();
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) throw new RocketMQStoreLockedError(this.file, owner);
      if (owner === process.pid) this.logger.warn(`taking over ${this.file}, held by this process for a store that was not shut down`);
      else this.logger.warn(`taking over the stale lock ${this.file} of process ${owner ?? 'unknown'}, which is gone`);
      fs.rmSync(this.file, { force: true });
    }
    throw new Error(`cannot create the lock file ${this.file}: another process keeps recreating it`);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    if (this.readOwner() === process.pid) fs.rmSync(this.file, { force: true });
  }

  private readOwner(): number | undefined {
    try {
      const pid = Number.parseInt(fs.readFileSync(this.file, 'utf8').trim(), 10);
      return Number.isFinite(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
