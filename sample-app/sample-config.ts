/**
 * Timing of the sample. The served app keeps RocketMQ's defaults (delay levels 1s ... 2h, a 30-minute
 * payment reminder, check-backs after 6 s). The scripted tour sets SAMPLE_FAST_TIME=1: short delay levels
 * (so retries and the DLQ take a second, not minutes), a 1-second reminder and quick check-backs.
 */
export const FAST_TIME = process.env.SAMPLE_FAST_TIME === '1';

/** 18 levels of 100 ms steps: retry n (level n + 2) waits (n + 2) × 100 ms. */
export const FAST_DELAY_LEVELS = Array.from({ length: 18 }, (_, i) => `${(i + 1) * 100}ms`).join(' ');

/** How long after an order is placed its payment reminder is delivered. */
export const REMINDER_DELAY_SECONDS = FAST_TIME ? 1 : 30 * 60;

/**
 * Bundled broker settings: RocketMQ's defaults (file store under ./.rocketmq), or short timings and a
 * throw-away store directory (SAMPLE_STORE_PATH) for the tour.
 */
export const BROKER_OPTIONS = {
  ...(FAST_TIME ? { messageDelayLevel: FAST_DELAY_LEVELS, transactionTimeOut: 300, transactionCheckInterval: 200 } : {}),
  ...(process.env.SAMPLE_STORE_PATH ? { storePath: process.env.SAMPLE_STORE_PATH } : {}),
};
