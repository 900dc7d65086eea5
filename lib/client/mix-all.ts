/** Names and limits RocketMQ fixes (MixAll, TopicValidator). */
export const MixAll = {
  AUTO_CREATE_TOPIC_KEY_TOPIC: 'TBW102',
  RETRY_GROUP_TOPIC_PREFIX: '%RETRY%',
  DLQ_GROUP_TOPIC_PREFIX: '%DLQ%',
  MASTER_ID: 0,
  CLIENT_INNER_PRODUCER_GROUP: 'CLIENT_INNER_PRODUCER',
  DEFAULT_PRODUCER_GROUP: 'DEFAULT_PRODUCER',
  DEFAULT_CONSUMER_GROUP: 'DEFAULT_CONSUMER',
  TOPIC_MAX_LENGTH: 127,
  CHARACTER_MAX_LENGTH: 255,
} as const;

export function getRetryTopic(consumerGroup: string): string {
  return MixAll.RETRY_GROUP_TOPIC_PREFIX + consumerGroup;
}

export function getDLQTopic(consumerGroup: string): string {
  return MixAll.DLQ_GROUP_TOPIC_PREFIX + consumerGroup;
}

export function isRetryTopic(topic: string): boolean {
  return topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX);
}

const TOPIC_PATTERN = /^[%|a-zA-Z0-9_-]+$/;

const SYSTEM_TOPICS = new Set([
  'TBW102',
  'SCHEDULE_TOPIC_XXXX',
  'BenchmarkTest',
  'RMQ_SYS_TRANS_HALF_TOPIC',
  'RMQ_SYS_TRACE_TOPIC',
  'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  'TRANS_CHECK_MAX_TIME_TOPIC',
  'SELF_TEST_TOPIC',
  'OFFSET_MOVED_EVENT',
]);

/** Why a topic name is not acceptable, or undefined when it is (TopicValidator). */
export function topicNameProblem(topic: string): string | undefined {
  if (!topic || !topic.trim()) return 'the topic is blank';
  if (topic.length > MixAll.TOPIC_MAX_LENGTH) {
    return `the topic "${topic}" is ${topic.length} characters long; the limit is ${MixAll.TOPIC_MAX_LENGTH}`;
  }
  if (!TOPIC_PATTERN.test(topic)) {
    return `the topic "${topic}" may contain only letters, digits, '%', '|', '_' and '-'`;
  }
  return undefined;
}

export function isSystemTopic(topic: string): boolean {
  return SYSTEM_TOPICS.has(topic) || topic.startsWith('rmq_sys_') || topic.startsWith('RMQ_SYS_');
}
