export * from './get-message-status.js';
export * from './put-message-status.js';
export * from './message-store-config.js';
export * from './message-filter.js';
export * from './message-store.js';
export * from './memory-commit-log.js';
export * from './memory-consume-queue.js';
export * from './memory-message-store.js';
