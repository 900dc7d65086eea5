import { describe, expect, it } from '@jest/globals';
import { ExpressionType, ProcessQueue, buildSubscriptionData, tagMatches } from '../../../lib/client/index.js';
import { MessageExt, javaStringHashCode } from '../../../lib/message/index.js';

function msgAt(offset: number, body = 'x'): MessageExt {
  const m = new MessageExt('T', Buffer.from(body));
  m.queueOffset = offset;
  return m;
}

describe('tag subscriptions (seed golden vectors)', () => {
  it('"TAGA || TAGB || TAGC" matches exactly those tags', () => {
    const sub = buildSubscriptionData('T', 'TAGA || TAGB || TAGC');
    expect(sub.tagsSet).toEqual(['TAGA', 'TAGB', 'TAGC']);
    expect(sub.codeSet).toEqual(['TAGA', 'TAGB', 'TAGC'].map(javaStringHashCode));
    expect(['TAGA', 'TAGB', 'TAGC', 'TAGD', undefined].map((t) => tagMatches(sub, t))).toEqual([true, true, true, false, false]);
  });

  it('"tagB||tagC" works without spaces; "*" and "" match everything', () => {
    expect(buildSubscriptionData('T', 'tagB||tagC').tagsSet).toEqual(['tagB', 'tagC']);
    expect(tagMatches(buildSubscriptionData('T', '*'), 'anything')).toBe(true);
    expect(buildSubscriptionData('T', '').subString).toBe('*');
    expect(tagMatches(buildSubscriptionData('T', 'a > 1', ExpressionType.SQL92), 'x')).toBe(true);
  });

  it('uses Java String.hashCode for tag codes', () => {
    expect(javaStringHashCode('TagA')).toBe(2598919);
    expect(javaStringHashCode('TagB')).toBe(2598920);
  });
});

describe('ProcessQueue', () => {
  it('commits the smallest offset still in flight, then one past the largest', () => {
    const pq = new ProcessQueue();
    pq.putMessages([msgAt(10), msgAt(11), msgAt(12)]);
    expect(pq.removeMessages([msgAt(11)])).toBe(10);
    expect(pq.removeMessages([msgAt(10)])).toBe(12);
    expect(pq.removeMessages([msgAt(12)])).toBe(13);
  });

  it('orderly take / roll back / commit keeps queue order', () => {
    const pq = new ProcessQueue();
    pq.putMessages([msgAt(0), msgAt(1), msgAt(2)]);
    const first = pq.takeMessages(2);
    expect(first.map((m) => m.queueOffset)).toEqual([0, 1]);
    pq.makeMessagesToConsumeAgain(first);
    expect(pq.takeMessages(1).map((m) => m.queueOffset)).toEqual([0]);
    expect(pq.commit()).toBe(1);
    expect(pq.takeMessages(5).map((m) => m.queueOffset)).toEqual([1, 2]);
    expect(pq.commit()).toBe(3);
  });

  it('ignores messages it already holds', () => {
    const pq = new ProcessQueue();
    expect(pq.putMessages([msgAt(1)])).toBe(true);
    expect(pq.putMessages([msgAt(1)])).toBe(false);
    expect(pq.msgCount).toBe(1);
  });
});
