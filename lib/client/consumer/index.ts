export * from './allocate/index.js';
export * from './consumer-enums.js';
export * from './push-consumer-options.js';
export * from './default-mq-push-consumer.js';
export * from './process-queue.js';
export * from './offset-store.js';
export * from './default-lite-pull-consumer.js';
