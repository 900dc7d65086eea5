/** Topic naming rules and system topics, as RocketMQ's TopicValidator and MixAll define them. */
export const TopicValidator = {
  AUTO_CREATE_TOPIC_KEY_TOPIC: 'TBW102',
  RMQ_SYS_SCHEDULE_TOPIC: 'SCHEDULE_TOPIC_XXXX',
  RMQ_SYS_BENCHMARK_TOPIC: 'BenchmarkTest',
  RMQ_SYS_TRANS_HALF_TOPIC: 'RMQ_SYS_TRANS_HALF_TOPIC',
  RMQ_SYS_TRACE_TOPIC: 'RMQ_SYS_TRACE_TOPIC',
  RMQ_SYS_TRANS_OP_HALF_TOPIC: 'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC: 'TRANS_CHECK_MAX_TIME_TOPIC',
  RMQ_SYS_SELF_TEST_TOPIC: 'SELF_TEST_TOPIC',
  RMQ_SYS_OFFSET_MOVED_EVENT: 'OFFSET_MOVED_EVENT',
  SYSTEM_TOPIC_PREFIX: 'rmq_sys_',
  RETRY_GROUP_TOPIC_PREFIX: '%RETRY%',
  DLQ_GROUP_TOPIC_PREFIX: '%DLQ%',
  TOPIC_MAX_LENGTH: 127,
  RETRY_OR_DLQ_TOPIC_MAX_LENGTH: 255,
} as const;

const SYSTEM_TOPICS: ReadonlySet<string> = new Set([
  TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC,
  TopicValidator.RMQ_SYS_SCHEDULE_TOPIC,
  TopicValidator.RMQ_SYS_BENCHMARK_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRACE_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
  TopicValidator.RMQ_SYS_SELF_TEST_TOPIC,
  TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT,
]);

const NOT_ALLOWED_SEND_TOPICS: ReadonlySet<string> = new Set([
  TopicValidator.RMQ_SYS_SCHEDULE_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
  TopicValidator.RMQ_SYS_SELF_TEST_TOPIC,
  TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT,
]);

const LEGAL_NAME = /^[%|a-zA-Z0-9_-]+$/;

/** Undefined when the topic name is legal, else the reason (RocketMQ's wording). */
export function validateTopic(topic: string | undefined): string | undefined {
  if (!topic || topic.trim() === '') return 'The specified topic is blank.';
  if (!LEGAL_NAME.test(topic)) {
    return `The specified topic: ${topic}, contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`;
  }
  if (isRetryOrDlqTopic(topic)) {
    if (topic.length > TopicValidator.RETRY_OR_DLQ_TOPIC_MAX_LENGTH) {
      return `The specified topic is DLQ or Retry topic: ${topic}, and it's longer than topic max length: ${TopicValidator.RETRY_OR_DLQ_TOPIC_MAX_LENGTH}`;
    }
  } else if (topic.length > TopicValidator.TOPIC_MAX_LENGTH) {
    return `The specified topic: ${topic}, is longer than topic max length: ${TopicValidator.TOPIC_MAX_LENGTH}`;
  }
  return undefined;
}

export function isSystemTopic(topic: string): boolean {
  return SYSTEM_TOPICS.has(topic) || topic.startsWith(TopicValidator.SYSTEM_TOPIC_PREFIX);
}

/** Topics only the broker itself writes to. */
export function isNotAllowedSendTopic(topic: string): boolean {
  return NOT_ALLOWED_SEND_TOPICS.has(topic);
}

export function isRetryOrDlqTopic(topic: string): boolean {
  return topic.startsWith(TopicValidator.RETRY_GROUP_TOPIC_PREFIX) || topic.startsWith(TopicValidator.DLQ_GROUP_TOPIC_PREFIX);
}

export function getRetryTopic(group: string): string {
  return TopicValidator.RETRY_GROUP_TOPIC_PREFIX + group;
}

export function getDLQTopic(group: string): string {
  return TopicValidator.DLQ_GROUP_TOPIC_PREFIX + group;
}
