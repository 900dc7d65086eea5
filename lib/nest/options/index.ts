export * from './rocketmq-options.validator.js';
export * from './rocketmq-properties.js';
export * from './placeholder-resolver.js';
