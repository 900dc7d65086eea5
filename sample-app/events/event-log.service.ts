import { Injectable, Logger } from '@nestjs/common';

export interface SampleEvent {
  at: number;
  who: string;
  what: string;
}

/** What the sample's consumers did, so the tour (and GET /events) can show it. */
@Injectable()
export class EventLogService {
  private readonly logger = new Logger(EventLogService.name);
  readonly events: SampleEvent[] = [];

  record(who: string, what: string): void {
    this.events.push({ at: Date.now(), who, what });
    this.logger.log(`${who}: ${what}`);
  }

  by(who: string): SampleEvent[] {
    return this.events.filter((e) => e.who === who);
  }
}
