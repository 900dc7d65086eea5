import { RocketMQSendError } from '../errors/rocketmq-send.error.js';

/** A parsed `"topic"` or `"topic:tags"` destination. */
export interface RocketMQDestination {
  topic: string;
  tags?: string;
}

/** RocketMQ's topic rule (TopicValidator): letters, digits, `%`, `|`, `_`, `-`; at most 127 characters. */
export const TOPIC_PATTERN = /^[%|a-zA-Z0-9_-]+$/;
export const TOPIC_MAX_LENGTH = 127;

/** Why a topic name is invalid, or undefined when it is fine. */
export function topicNameProblem(topic: string): string | undefined {
  if (!topic) return 'the topic is empty';
  if (topic.length > TOPIC_MAX_LENGTH) return `the topic is ${topic.length} characters long, the limit is ${TOPIC_MAX_LENGTH}`;
  if (!TOPIC_PATTERN.test(topic)) {
    return `the topic "${topic}" has characters other than letters, digits, '%', '|', '_' and '-'`;
  }
  return undefined;
}

/**
 * Splits a destination at its first `:` (as rocketmq-spring does): the topic before it, the tag after it.
 * A bad topic or an empty tag is a `RocketMQSendError` telling the expected form.
 */
export function parseDestination(destination: string): RocketMQDestination {
  if (typeof destination !== 'string' || destination.length === 0) {
    throw new RocketMQSendError(
      `Invalid destination ${JSON.stringify(destination)}: expected "topic" or "topic:tag"`,
      { destination },
    );
  }
  const colon = destination.indexOf(':');
  const topic = colon < 0 ? destination : destination.substring(0, colon);
  const tags = colon < 0 ? undefined : destination.substring(colon + 1);
  const problem = topicNameProblem(topic);
  if (problem) {
    throw new RocketMQSendError(`Invalid destination "${destination}": ${problem}. Expected "topic" or "topic:tag"`, {
      destination,
    });
  }
  if (tags !== undefined && tags.trim().length === 0) {
    throw new RocketMQSendError(
      `Invalid destination "${destination}": the tag after ':' is empty. Write "${topic}" to send without a tag`,
      { destination },
    );
  }
  return { topic, tags };
}
