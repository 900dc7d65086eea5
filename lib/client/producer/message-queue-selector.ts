import { Message, MessageQueue, javaStringHashCode } from '../../message/index.js';

/** Picks the queue a message goes to (MessageQueueSelector); used for orderly sends. */
export type MessageQueueSelector = (mqs: MessageQueue[], msg: Message, arg: unknown) => MessageQueue;

/**
 * SelectMessageQueueByHash: the same key always lands in the same queue. Numbers hash as Java's
 * Integer/Long do for small values (the value itself), strings by String.hashCode.
 */
export const SelectMessageQueueByHash: MessageQueueSelector = (mqs, _msg, arg) => {
  const hash = typeof arg === 'number' && Number.isSafeInteger(arg) ? javaLongHash(arg) : javaStringHashCode(String(arg));
  return mqs[Math.abs(hash % mqs.length)];
};

export const SelectMessageQueueByRandom: MessageQueueSelector = (mqs) => mqs[Math.floor(Math.random() * mqs.length)];

/** Java Long.hashCode: high word XOR low word. */
function javaLongHash(value: number): number {
  const high = Math.floor(value / 0x100000000) | 0;
  return (high ^ (value | 0)) | 0;
}
