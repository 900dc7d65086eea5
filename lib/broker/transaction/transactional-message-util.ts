import { TopicValidator } from '../topic-validator.js';

/** Names and helpers shared by the transaction services (TransactionalMessageUtil, MixAll). */
export const TransactionalMessageUtil = {
  /** Tag of op messages that mark half messages decided (committed, rolled back or discarded). */
  REMOVE_TAG: 'd',
  /** RocketMQ 5.x batches several half offsets into one op body, comma-separated; 4.x writes one. */
  OFFSET_SEPARATOR: ',',
  /** The system group whose consume offsets are the check progress over the half and op queues. */
  CID_SYS_RMQ_TRANS: 'CID_RMQ_SYS_TRANS',
  HALF_TOPIC: TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC,
  OP_TOPIC: TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
  CHECK_MAX_TIME_TOPIC: TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
  /** Every half message sits in queue 0 of the half topic, whatever its real queue. */
  HALF_QUEUE_ID: 0,
} as const;

/**
 * How old (ms since born) a half message must be before its first check: CHECK_IMMUNITY_TIME_IN_SECONDS
 * when set and parsable, but never less than the broker's transaction timeout.
 */
export function getImmunityTime(checkImmunityTimeInSeconds: string | undefined, transactionTimeout: number): number {
  const seconds = checkImmunityTimeInSeconds === undefined ? Number.NaN : Number(checkImmunityTimeInSeconds.trim());
  const immunity = Number.isFinite(seconds) ? seconds * 1000 : 0;
  return Math.max(immunity, transactionTimeout);
}

/** Parses a Java-style boolean property ("true" in any case). */
export function parseBooleanProperty(value: string | undefined): boolean {
  return value !== undefined && value.toLowerCase() === 'true';
}

/** Parses an integer property, `fallback` when absent or not a number (Java's getInt/getLong with -1). */
export function parseIntProperty(value: string | undefined, fallback = -1): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value.trim());
  return Number.isInteger(n) ? n : fallback;
}
