export * from './rocketmq.module.js';
export { ROCKETMQ_MODULE_OPTIONS, type RocketMQModuleAsyncOptions, type RocketMQModuleForRootOptions } from './rocketmq.module-definition.js';
export {
  ROCKETMQ_CONTEXT_TYPE,
  ROCKETMQ_LISTENER_METADATA,
  ROCKETMQ_TRANSACTION_LISTENER_METADATA,
  DEFAULT_TEMPLATE_NAME,
  BATCH_SIZE_LIMIT,
} from './rocketmq.constants.js';
export * from './rocketmq-runtime.service.js';
export * from './errors/index.js';
export * from './interfaces/index.js';
export * from './decorators/index.js';
export * from './messaging/index.js';
export * from './options/index.js';
export * from './template/index.js';
export { RocketMQContext } from './listener/rocketmq-context.js';
export { RocketMQListenerExplorer } from './listener/rocketmq-listener.explorer.js';
export { ListenerContainer } from './listener/listener-container.js';
export { LISTENER_DEFAULTS, type ListenerDefinition } from './listener/listener-definition.js';
export * from './admin/index.js';
