import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { RemotingCommand } from '../../../lib/remoting/index.js';
import { PendingCall, PendingCalls } from '../../../lib/remoting/tcp/pending-calls.js';

function call(timeoutMillis: number, settled: string[], name: string): PendingCall {
  return {
    code: 1,
    timeoutMillis,
    deadline: PendingCalls.deadlineAfter(timeoutMillis),
    resolve: () => settled.push(`${name} answered`),
    reject: () => settled.push(`${name} failed`),
  };
}

describe('PendingCalls', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('times calls out in deadline order with one timer', async () => {
    const timedOut: number[] = [];
    const table = new PendingCalls((opaque) => timedOut.push(opaque));
    const settled: string[] = [];
    table.add(1, call(80, settled, 'a'));
    table.add(2, call(20, settled, 'b'));
    table.add(3, call(50, settled, 'c'));
    table.add(4, call(5000, settled, 'd'));
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(timedOut).toEqual([2]);
    await new Promise((resolve) => setTimeout(resolve, 70));
    expect(timedOut).toEqual([2, 3, 1]);
    expect(table.size).toBe(1);
    table.take(4)?.resolve(new RemotingCommand(0));
    expect(settled).toEqual(['d answered']);
    expect(table.size).toBe(0);
  });

  it('keeps no timer once the table is empty', () => {
    jest.useFakeTimers();
    const table = new PendingCalls(() => undefined);
    const settled: string[] = [];
    table.add(1, call(10_000, settled, 'a'));
    table.add(2, call(20_000, settled, 'b'));
    expect(jest.getTimerCount()).toBe(1);
    expect(table.take(1)).toBeDefined();
    expect(jest.getTimerCount()).toBe(1);
    expect(table.take(2)).toBeDefined();
    expect(jest.getTimerCount()).toBe(0);
    expect(table.take(2)).toBeUndefined();
  });

  it('hands every call to drain and forgets them', () => {
    const table = new PendingCalls(() => undefined);
    const settled: string[] = [];
    table.add(1, call(1000, settled, 'a'));
    table.add(2, call(1000, settled, 'b'));
    table.drain((_opaque, c) => c.reject(new Error('closed')));
    expect(settled).toEqual(['a failed', 'b failed']);
    expect(table.size).toBe(0);
  });
});
