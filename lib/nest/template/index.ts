export * from './rocketmq.template.js';
export * from './rocketmq-send-callback.interface.js';
