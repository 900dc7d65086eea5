export * from './rocketmq-message-listener.decorator.js';
export * from './rocketmq-transaction-listener.decorator.js';
export * from './inject-rocketmq-template.decorator.js';
export { Payload, Ctx } from './rocketmq-param.decorators.js';
