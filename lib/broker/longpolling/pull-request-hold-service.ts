import { Logger } from '@nestjs/common';
import { RemotingCommand, ResponseCode } from '../../remoting/index.js';
import { MessageStore } from '../../store/index.js';
import { PullRequest } from './pull-request.js';

/** Re-runs a held pull without suspension; the result is the response the client gets. */
export type PullRequestWakeupHandler = (request: PullRequest) => RemotingCommand | null | Promise<RemotingCommand | null>;

export interface PullRequestHoldServiceOptions {
  /** Arrivals wake held pulls only under long polling, as in RocketMQ. */
  longPollingEnable: boolean;
  /** Longest gap between two sweeps of the held pulls, in ms. */
  checkIntervalMills: number;
}

/**
 * Parks pulls that found nothing (PullRequestHoldService). A held pull answers when a message arrives in
 * its queue (the store's arrival listener calls notifyMessageArriving), when its polling time passes, or
 * when the broker shuts down. One timer serves all held pulls: it is armed for the earliest deadline,
 * capped by the check interval, so nothing is scheduled per request and an idle broker has no timer.
 */
export class PullRequestHoldService {
  private readonly logger = new Logger(PullRequestHoldService.name);
  /** topic -> queueId -> held pulls, so an arrival finds its waiters with two map lookups. */
  private readonly pullRequestTable = new Map<string, Map<number, PullRequest[]>>();
  private heldCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = Number.POSITIVE_INFINITY;
  private readonly pendingWakeups: PullRequest[] = [];
  private drainScheduled = false;
  private stopped = false;
  private wakeupHandler: PullRequestWakeupHandler = () => null;
  private readonly onTimer = (): void => this.checkHoldRequest();
  private readonly drain = (): void => this.drainWakeups();

  constructor(
    private readonly messageStore: MessageStore,
    private readonly options: PullRequestHoldServiceOptions,
  ) {}

  setWakeupHandler(handler: PullRequestWakeupHandler): void {
    this.wakeupHandler = handler;
  }

  /** Number of pulls currently held. */
  get size(): number {
    return this.heldCount;
  }

  suspendPullRequest(topic: string, queueId: number, request: PullRequest): void {
    if (this.stopped) {
      this.wakeup(request);
      return;
    }
    let queues = this.pullRequestTable.get(topic);
    if (!queues) this.pullRequestTable.set(topic, (queues = new Map()));
    let list = queues.get(queueId);
    if (!list) queues.set(queueId, (list = []));
    list.push(request);
    this.heldCount++;
    // A message stored after the pull's look-up but before this hold must not be missed: re-check now.
    if (this.options.longPollingEnable && this.messageStore.getMaxOffsetInQueue(topic, queueId) > request.pullFromThisOffset) {
      this.notifyMessageArriving(topic, queueId, this.messageStore.getMaxOffsetInQueue(topic, queueId) - 1);
      return;
    }
    this.armTimer(request.suspendTimestamp + request.timeoutMillis);
  }

  /**
   * A message was stored at `logicOffset` of the queue: wake the pulls waiting for it whose filter accepts
   * its tag. `tagsCode` undefined means "unknown, wake anyway".
   */
  notifyMessageArriving(topic: string, queueId: number, logicOffset: number, tagsCode?: number): void {
    if (this.heldCount === 0 || !this.options.longPollingEnable) return;
    const list = this.pullRequestTable.get(topic)?.get(queueId);
    if (!list || list.length === 0) return;
    let kept = 0;
    for (let i = 0; i < list.length; i++) {
      const request = list[i];
      const matched =
        logicOffset >= request.pullFromThisOffset &&
        (tagsCode === undefined || request.messageFilter.isMatchedByConsumeQueue(tagsCode));
      if (matched) this.scheduleWakeup(request);
      else list[kept++] = request;
    }
    this.heldCount -= list.length - kept;
    list.length = kept;
  }

  /** Answers every held pull at once (broker shutdown) and stops the timer. */
  shutdown(): void {
    this.stopped = true;
    this.clearTimer();
    const all = this.takeAll();
    for (const request of all) this.wakeup(request);
    for (const request of this.pendingWakeups.splice(0)) this.wakeup(request);
  }

  private checkHoldRequest(): void {
    this.timer = undefined;
    this.timerDueAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    let nextDeadline = Number.POSITIVE_INFINITY;
    for (const [topic, queues] of this.pullRequestTable) {
      for (const [queueId, list] of queues) {
        if (list.length === 0) continue;
        const maxOffset = this.options.longPollingEnable ? this.messageStore.getMaxOffsetInQueue(topic, queueId) : 0;
        let kept = 0;
        for (let i = 0; i < list.length; i++) {
          const request = list[i];
          const deadline = request.suspendTimestamp + request.timeoutMillis;
          if (now >= deadline || (this.options.longPollingEnable && maxOffset > request.pullFromThisOffset)) {
            this.scheduleWakeup(request);
          } else {
            list[kept++] = request;
            if (deadline < nextDeadline) nextDeadline = deadline;
          }
        }
        this.heldCount -= list.length - kept;
        list.length = kept;
      }
    }
    if (this.heldCount > 0) this.armTimer(nextDeadline);
  }

  private armTimer(deadline: number): void {
    if (this.stopped) return;
    const dueAt = Math.min(deadline, Date.now() + this.options.checkIntervalMills);
    if (this.timer && this.timerDueAt <= dueAt) return;
    this.clearTimer();
    this.timerDueAt = dueAt;
    this.timer = setTimeout(this.onTimer, Math.max(0, dueAt - Date.now()));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueAt = Number.POSITIVE_INFINITY;
  }

  /**
   * Wake-ups run in a microtask rather than inside the store's put, so the sender's put completes first
   * and a burst of arrivals is answered by one re-run per pull.
   */
  private scheduleWakeup(request: PullRequest): void {
    this.pendingWakeups.push(request);
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      queueMicrotask(this.drain);
    }
  }

  private drainWakeups(): void {
    this.drainScheduled = false;
    const batch = this.pendingWakeups.splice(0);
    for (const request of batch) this.wakeup(request);
  }

  private wakeup(request: PullRequest): void {
    let result: RemotingCommand | null | Promise<RemotingCommand | null>;
    try {
      result = this.wakeupHandler(request);
    } catch (err) {
      result = this.failure(err);
    }
    if (result instanceof Promise) {
      result.then(request.respond, (err: unknown) => request.respond(this.failure(err)));
    } else {
      request.respond(result);
    }
  }

  private failure(err: unknown): RemotingCommand {
    const reason = err instanceof Error ? err.message : String(err);
    this.logger.error(`re-running a held pull failed: ${reason}`);
    return RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, reason);
  }

  private takeAll(): PullRequest[] {
    const all: PullRequest[] = [];
    for (const queues of this.pullRequestTable.values()) {
      for (const list of queues.values()) all.push(...list.splice(0));
    }
    this.pullRequestTable.clear();
    this.heldCount = 0;
    return all;
  }
}
