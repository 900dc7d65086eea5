import type { Message } from '../../message/index.js';
import { BATCH_SIZE_LIMIT } from '../rocketmq.constants.js';

/**
 * The size RocketMQ's ListSplitter estimates for one message of a batch: topic, body, every property
 * name and value, and 20 bytes of log overhead.
 */
export function estimateBatchMessageSize(message: Message): number {
  let size = message.topic.length + message.body.length + 20;
  for (const [name, value] of Object.entries(message.properties)) size += name.length + value.length;
  return size;
}

/**
 * Splits a batch into chunks whose estimated size stays within `limit` (ListSplitter, P-11). A message
 * larger than the limit on its own becomes a chunk of its own, so that sending it fails loudly instead of
 * the message disappearing.
 */
export function splitBatch(messages: Message[], limit = BATCH_SIZE_LIMIT): Message[][] {
  const chunks: Message[][] = [];
  let chunk: Message[] = [];
  let chunkSize = 0;
  for (const message of messages) {
    const size = estimateBatchMessageSize(message);
    if (size > limit) {
      if (chunk.length > 0) chunks.push(chunk);
      chunks.push([message]);
      chunk = [];
      chunkSize = 0;
      continue;
    }
    if (chunkSize + size > limit) {
      chunks.push(chunk);
      chunk = [];
      chunkSize = 0;
    }
    chunk.push(message);
    chunkSize += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
