export * from './default-mq-producer.js';
export * from './message-queue-selector.js';
export * from './producer-options.js';
export * from './send-result.js';
export * from './validators.js';
export * from './transaction.js';
