export * from './rocketmq-config.error.js';
export * from './rocketmq-listener-config.error.js';
export * from './rocketmq-send.error.js';
export * from './rocketmq-message-conversion.error.js';
export * from './rocketmq-transaction.error.js';
export * from './rocketmq-request-timeout.error.js';
export * from './rocketmq-admin.error.js';
