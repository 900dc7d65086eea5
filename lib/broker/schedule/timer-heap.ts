const INITIAL_CAPACITY = 64;

/**
 * A binary min-heap of pending timer messages keyed by delivery time, ties broken by ConsumeQueue offset
 * so messages due at the same millisecond go out in arrival order. Entries live in parallel typed arrays
 * (24 bytes each, no object per timer), so a large backlog stays cheap for the heap and the GC.
 */
export class TimerHeap {
  private deliverMs = new Float64Array(INITIAL_CAPACITY);
  private phyOffsets = new Float64Array(INITIAL_CAPACITY);
  private queueOffsets = new Float64Array(INITIAL_CAPACITY);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Delivery time of the earliest entry, or +Infinity when empty. */
  peekDeliverMs(): number {
    return this.count > 0 ? this.deliverMs[0] : Number.POSITIVE_INFINITY;
  }

  push(deliverMs: number, phyOffset: number, queueOffset: number): void {
    if (this.count === this.deliverMs.length) this.grow();
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(deliverMs, queueOffset, this.deliverMs[parent], this.queueOffsets[parent])) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, deliverMs, phyOffset, queueOffset);
  }

  /** Removes the earliest entry into `out`; false when empty. */
  pop(out: { deliverMs: number; phyOffset: number; queueOffset: number }): boolean {
    if (this.count === 0) return false;
    out.deliverMs = this.deliverMs[0];
    out.phyOffset = this.phyOffsets[0];
    out.queueOffset = this.queueOffsets[0];
    const last = --this.count;
    if (last === 0) return true;
    const d = this.deliverMs[last];
    const p = this.phyOffsets[last];
    const q = this.queueOffsets[last];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && this.less(this.deliverMs[r], this.queueOffsets[r], this.deliverMs[l], this.queueOffsets[l]) ? r : l;
      if (!this.less(this.deliverMs[c], this.queueOffsets[c], d, q)) break;
      this.move(c, i);
      i = c;
    }
    this.set(i, d, p, q);
    return true;
  }

  clear(): void {
    this.count = 0;
  }

  private less(d1: number, q1: number, d2: number, q2: number): boolean {
    return d1 < d2 || (d1 === d2 && q1 < q2);
  }

  private move(from: number, to: number): void {
    this.deliverMs[to] = this.deliverMs[from];
    this.phyOffsets[to] = this.phyOffsets[from];
    this.queueOffsets[to] = this.queueOffsets[from];
  }

  private set(i: number, d: number, p: number, q: number): void {
    this.deliverMs[i] = d;
    this.phyOffsets[i] = p;
    this.queueOffsets[i] = q;
  }

  private grow(): void {
    const capacity = this.deliverMs.length * 2;
    const grow = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    this.deliverMs = grow(this.deliverMs);
    this.phyOffsets = grow(this.phyOffsets);
    this.queueOffsets = grow(this.queueOffsets);
  }
}
