/**
 * nestjs-rocketmq: the package root. The message model, the public remoting pieces, the Nest-independent
 * client, the bundled broker's entry point and the Nest module.
 */
export * from './message/index.js';
export {
  RemotingCommand,
  RemotingError,
  InProcessRegistry,
  InProcessRemotingClient,
  RequestCode,
  ResponseCode,
  type RemotingClient,
} from './remoting/index.js';
export * from './client/index.js';
export { compileSql92, Sql92Expression, Sql92SyntaxError } from './filter/index.js';
export {
  BundledRocketMQ,
  RocketMQBrokerConfigError,
  parseBrokerConf,
  resolveBrokerOptions,
  type BrokerConfig,
  type BrokerOptions,
} from './broker/index.js';
export { FileMessageStore, RocketMQStoreLockedError, type FileMessageStoreConfig } from './store/file/index.js';
export * from './nest/index.js';
