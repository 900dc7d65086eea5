/** Version stamp of a config table (DataVersion): the NameServer compares it to skip unchanged registrations. */
export class DataVersion {
  timestamp = Date.now();
  counter = 0;

  next(): void {
    this.timestamp = Date.now();
    this.counter++;
  }

  toJSON(): { timestamp: number; counter: number } {
    return { timestamp: this.timestamp, counter: this.counter };
  }

  static equals(a: { timestamp: number; counter: number } | undefined, b: { timestamp: number; counter: number } | undefined): boolean {
    return !!a && !!b && a.timestamp === b.timestamp && a.counter === b.counter;
  }
}
