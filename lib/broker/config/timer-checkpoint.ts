import type { TimerMessageService } from '../schedule/timer-message-service.js';
import { BrokerPathConfigHelper } from './broker-path-config-helper.js';
import { ConfigManager } from './config-manager.js';

/**
 * The timer service's progress on disk (TimerCheckpoint): the lowest `rmq_sys_wheel_timer` queue offset
 * not yet delivered. On start the service rebuilds its heap by scanning the queue from there, so a saved
 * value that lags only repeats deliveries (at-least-once), never loses a timer message.
 */
export class TimerCheckpoint extends ConfigManager {
  constructor(
    private readonly timerMessageService: TimerMessageService,
    /** Store root whose config/timerCheckpoint.json holds the progress; none keeps it in memory only. */
    private readonly storePathRootDir?: string,
  ) {
    super();
  }

  configFilePath(): string | undefined {
    return this.storePathRootDir === undefined ? undefined : BrokerPathConfigHelper.getTimerCheckPath(this.storePathRootDir);
  }

  encode(prettyFormat = false): string {
    return JSON.stringify({ timerProgressOffset: this.timerMessageService.timerProgressOffset }, null, prettyFormat ? 2 : undefined);
  }

  decode(jsonString: string): void {
    const parsed = JSON.parse(jsonString) as { timerProgressOffset?: unknown };
    const offset = parsed.timerProgressOffset;
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw new Error('timerProgressOffset is missing');
    this.timerMessageService.loadTimerProgressOffset(offset);
  }
}
