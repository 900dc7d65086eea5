import { Logger } from '@nestjs/common';
import { BrokerConfig } from '../broker-config.js';
import { TransactionalMessageCheckListener } from './transactional-message-check-listener.js';
import { TransactionalMessageService } from './transactional-message-service.js';

/**
 * Runs a transaction check round every `transactionCheckInterval` ms (TransactionalMessageCheckService).
 * The next wait starts when a round ends, so slow rounds never pile up; the timer does not keep the
 * process alive.
 */
export class TransactionalMessageCheckService {
  private readonly logger = new Logger(TransactionalMessageCheckService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  private stopped = false;

  constructor(
    private readonly brokerConfig: BrokerConfig,
    private readonly transactionalMessageService: TransactionalMessageService,
    private readonly listener: TransactionalMessageCheckListener,
  ) {}

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.scheduleNext();
  }

  /** Stops the timer and ends a round in progress at its next step. */
  shutdown(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.transactionalMessageService.shutdown();
  }

  /** Runs one round now (unless one is running); what the timer calls. */
  checkNow(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.runRound().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.checkNow().finally(() => this.scheduleNext());
    }, this.brokerConfig.transactionCheckInterval);
    this.timer.unref();
  }

  private async runRound(): Promise<void> {
    const begin = Date.now();
    try {
      const round = await this.transactionalMessageService.check(
        this.brokerConfig.transactionTimeOut,
        this.brokerConfig.transactionCheckMax,
        this.listener,
      );
      if (round && (round.checked > 0 || round.discarded > 0)) {
        this.logger.log(
          `transaction check: ${round.checked} checked, ${round.discarded} discarded, ${round.deferred} deferred, ` +
            `progress ${round.halfOffset}, ${Date.now() - begin} ms`,
        );
      }
    } catch (err) {
      this.logger.error(`transaction check failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
  }
}
