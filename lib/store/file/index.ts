export * from './file-message-store-config.js';
export * from './rocketmq-store-locked.error.js';
export * from './file-message-store.js';
