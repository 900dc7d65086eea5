export * from './rocketmq-module-options.interface.js';
export * from './rocketmq-listener-options.interface.js';
export * from './rocketmq-listener.interface.js';
