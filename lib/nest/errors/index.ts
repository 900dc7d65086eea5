export * from './rocketmq-config.error.js';
export * from './rocketmq-listener-config.error.js';
export * from './rocketmq-send.error.js';
export * from './rocketmq-message-conversion.error.js';
