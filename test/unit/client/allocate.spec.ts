import { describe, expect, it } from '@jest/globals';
import {
  AllocateMessageQueueAveragely,
  AllocateMessageQueueAveragelyByCircle,
  AllocateMessageQueueByConfig,
  AllocateMessageQueueByMachineRoom,
  AllocateMessageQueueConsistentHash,
  AllocateMessageQueueStrategy,
  SelectMessageQueueByHash,
} from '../../../lib/client/index.js';
import { Message, MessageQueue } from '../../../lib/message/index.js';

const queues = (n: number, brokerName = 'broker-a'): MessageQueue[] =>
  Array.from({ length: n }, (_, queueId) => ({ topic: 'T', brokerName, queueId }));

function shares(strategy: AllocateMessageQueueStrategy, mqs: MessageQueue[], cids: string[]) {
  return cids.map((cid) => strategy.allocate('g', cid, mqs, cids));
}

describe('allocation strategies', () => {
  it('averagely: 3 queues over 2 consumers gives [2, 1] (seed golden vector)', () => {
    const s = shares(new AllocateMessageQueueAveragely(), queues(3), ['c1', 'c2']);
    expect(s.map((x) => x.length)).toEqual([2, 1]);
    expect(s[0].map((q) => q.queueId)).toEqual([0, 1]);
    expect(s[1].map((q) => q.queueId)).toEqual([2]);
  });

  it('averagely: more consumers than queues leaves the last ones idle', () => {
    const s = shares(new AllocateMessageQueueAveragely(), queues(2), ['a', 'b', 'c']);
    expect(s.map((x) => x.length)).toEqual([1, 1, 0]);
  });

  it('by circle deals queues round the members', () => {
    const s = shares(new AllocateMessageQueueAveragelyByCircle(), queues(5), ['a', 'b']);
    expect(s.map((x) => x.map((q) => q.queueId))).toEqual([[0, 2, 4], [1, 3]]);
  });

  it('by config returns the configured queues', () => {
    const fixed = queues(2);
    expect(new AllocateMessageQueueByConfig(fixed).allocate()).toEqual(fixed);
  });

  it('by machine room keeps only the named rooms', () => {
    const mqs = [...queues(2, 'hz@broker-a'), ...queues(2, 'sh@broker-b')];
    const s = shares(new AllocateMessageQueueByMachineRoom(['hz']), mqs, ['a', 'b']);
    expect(s.flat().every((q) => q.brokerName === 'hz@broker-a')).toBe(true);
    expect(s.flat()).toHaveLength(2);
  });

  it('consistent hash gives every queue to exactly one member', () => {
    const mqs = queues(16);
    const s = shares(new AllocateMessageQueueConsistentHash(), mqs, ['a', 'b', 'c']);
    expect(s.flat()).toHaveLength(16);
    expect(new Set(s.flat().map((q) => q.queueId)).size).toBe(16);
  });
});

describe('queue selectors', () => {
  it('101 % 4 -> queue 1, and the seed order ids land on 3/1/3', () => {
    const mqs = queues(4);
    const msg = new Message('T', 'x');
    expect(SelectMessageQueueByHash(mqs, msg, 101).queueId).toBe(1);
    expect([15103111039, 15103111065, 15103117235].map((id) => id % 4)).toEqual([3, 1, 3]);
  });

  it('a literal hash key always picks the same queue', () => {
    const mqs = queues(4);
    const msg = new Message('T', 'x');
    const picks = new Set(Array.from({ length: 10 }, () => SelectMessageQueueByHash(mqs, msg, 'name').queueId));
    expect(picks.size).toBe(1);
  });
});
