export * from './rocketmq-headers.js';
export * from './message-builder.js';
export { parseDestination, type RocketMQDestination } from './destination.js';
export * from './batch-splitter.js';
export * from './rocketmq-message.converter.js';
export * from './rocketmq-message.js';
