import { EventLoopTurns } from './event-loop-turns.js';
import { RequestDispatcher } from './request-dispatcher.js';

/**
 * The addresses an in-process client can reach: the bundled NameServer and Broker bind their dispatchers
 * here. One registry belongs to one bundled runtime, so two apps in one process share nothing unless they
 * are handed the same registry.
 */
export class InProcessRegistry {
  private readonly servers = new Map<string, RequestDispatcher>();
  private readonly unbindListeners = new Map<string, Set<() => void>>();
  /** Shared by every in-process call of this runtime, so a burst yields to the event loop as one. */
  readonly turns = new EventLoopTurns();

  bind(address: string, dispatcher: RequestDispatcher): void {
    if (this.servers.has(address)) throw new Error(`in-process address ${address} is already bound`);
    this.servers.set(address, dispatcher);
  }

  unbind(address: string): void {
    this.servers.delete(address);
    const listeners = this.unbindListeners.get(address);
    this.unbindListeners.delete(address);
    for (const listener of listeners ?? []) listener();
  }

  lookup(address: string): RequestDispatcher | undefined {
    return this.servers.get(address);
  }

  /** Called when `address` goes away, so connections to it close as a TCP connection would. */
  onUnbind(address: string, listener: () => void): () => void {
    let set = this.unbindListeners.get(address);
    if (!set) this.unbindListeners.set(address, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }
}
