/** Version stamp of a config table (DataVersion): the NameServer compares it to skip unchanged registrations. */
export class DataVersion {
  timestamp = Date.now();
  counter = 0;

  next(): void {
    this.timestamp = Date.now();
    this.counter++;
  }

  /** Takes over a persisted version (assignNewOne), so the table's history continues across restarts. */
  assignNewOne(source: { timestamp?: unknown; counter?: unknown } | undefined): void {
    if (source && typeof source.timestamp === 'number' && typeof source.counter === 'number') {
      this.timestamp = source.timestamp;
      this.counter = source.counter;
    }
  }

  toJSON(): { timestamp: number; counter: number } {
    return { timestamp: this.timestamp, counter: this.counter };
  }

  static equals(a: { timestamp: number; counter: number } | undefined, b: { timestamp: number; counter: number } | undefined): boolean {
    return !!a && !!b && a.timestamp === b.timestamp && a.counter === b.counter;
  }
}
