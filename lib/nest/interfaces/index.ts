export * from './rocketmq-listener-options.interface.js';
export * from './rocketmq-listener.interface.js';
export * from './rocketmq-module-options.interface.js';
export * from './rocketmq-transaction-listener.interface.js';
