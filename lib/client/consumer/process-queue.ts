import { MessageExt } from '../../message/index.js';

/**
 * How long a broker lock counts as held after it was last taken or renewed (REBALANCE_LOCK_MAX_LIVE_TIME):
 * half the broker's 60 s, so the client stops consuming well before the broker could hand the queue on.
 */
export const REBALANCE_LOCK_MAX_LIVE_TIME = 30_000;

/**
 * The messages pulled from one queue and not yet consumed (ProcessQueue). Offsets only move past a
 * message once it is consumed, so the committed offset is always the smallest one still in flight.
 */
export class ProcessQueue {
  /** queueOffset -> message; pulls arrive in ascending offset order, so insertion order is offset order. */
  private readonly msgTreeMap = new Map<number, MessageExt>();
  /** Orderly consumption: messages taken for the handler but not yet committed. */
  private readonly consumingMsgOrderlyTreeMap = new Map<number, MessageExt>();
  private cachedSize = 0;
  private queueMaxOffset = -1;
  dropped = false;
  /** Orderly consumption: a consume loop is running for this queue. */
  consuming = false;
  /** Orderly clustering: the broker holds this queue's lock for this client. */
  locked = false;
  lastLockTimestamp = 0;
  lastPullTimestamp = Date.now();
  lastConsumeTimestamp = Date.now();

  get msgCount(): number {
    return this.msgTreeMap.size + this.consumingMsgOrderlyTreeMap.size;
  }

  get msgSize(): number {
    return this.cachedSize;
  }

  /** Adds pulled messages; returns whether any was new. */
  putMessages(msgs: MessageExt[]): boolean {
    let added = false;
    for (const m of msgs) {
      if (this.msgTreeMap.has(m.queueOffset) || this.consumingMsgOrderlyTreeMap.has(m.queueOffset)) continue;
      this.msgTreeMap.set(m.queueOffset, m);
      this.cachedSize += m.body.length;
      if (m.queueOffset > this.queueMaxOffset) this.queueMaxOffset = m.queueOffset;
      added = true;
    }
    return added;
  }

  /** Span of offsets in flight, for the concurrent consumer's flow control. */
  maxSpan(): number {
    if (this.msgTreeMap.size === 0) return 0;
    return this.queueMaxOffset - this.firstKey(this.msgTreeMap)!;
  }

  /**
   * Removes consumed messages and returns the offset to commit: the smallest still in flight, or one past
   * the largest seen when none is left. -1 when nothing changed.
   */
  removeMessages(msgs: MessageExt[]): number {
    if (this.msgTreeMap.size === 0) return -1;
    for (const m of msgs) {
      const had = this.msgTreeMap.get(m.queueOffset);
      if (had) {
        this.msgTreeMap.delete(m.queueOffset);
        this.cachedSize -= had.body.length;
      }
    }
    return this.msgTreeMap.size === 0 ? this.queueMaxOffset + 1 : this.firstKey(this.msgTreeMap)!;
  }

  /** Orderly: the next messages in offset order, moved aside until commit or rollback. */
  takeMessages(batchSize: number): MessageExt[] {
    const out: MessageExt[] = [];
    for (const [offset, m] of this.msgTreeMap) {
      if (out.length >= batchSize) break;
      out.push(m);
      this.msgTreeMap.delete(offset);
      this.consumingMsgOrderlyTreeMap.set(offset, m);
    }
    return out;
  }

  /** Orderly: the taken messages are consumed; returns the offset to commit, or -1. */
  commit(): number {
    let max = -1;
    for (const [offset, m] of this.consumingMsgOrderlyTreeMap) {
      if (offset > max) max = offset;
      this.cachedSize -= m.body.length;
    }
    this.consumingMsgOrderlyTreeMap.clear();
    return max < 0 ? -1 : max + 1;
  }

  /** Orderly: put taken messages back in front, to consume again. */
  makeMessagesToConsumeAgain(msgs: MessageExt[]): void {
    for (const m of msgs) this.consumingMsgOrderlyTreeMap.delete(m.queueOffset);
    const rest = [...this.msgTreeMap];
    this.msgTreeMap.clear();
    for (const m of msgs.sort((a, b) => a.queueOffset - b.queueOffset)) this.msgTreeMap.set(m.queueOffset, m);
    for (const [offset, m] of rest) this.msgTreeMap.set(offset, m);
  }

  isLockExpired(now = Date.now()): boolean {
    return now - this.lastLockTimestamp > REBALANCE_LOCK_MAX_LIVE_TIME;
  }

  hasPending(): boolean {
    return this.msgTreeMap.size > 0;
  }

  clear(): void {
    this.msgTreeMap.clear();
    this.consumingMsgOrderlyTreeMap.clear();
    this.cachedSize = 0;
  }

  private firstKey(map: Map<number, MessageExt>): number | undefined {
    for (const k of map.keys()) return k;
    return undefined;
  }
}
