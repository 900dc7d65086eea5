/** Injection token of the validated options with every default applied (see `ResolvedRocketMQOptions`). */
export const ROCKETMQ_RESOLVED_OPTIONS = Symbol('ROCKETMQ_RESOLVED_OPTIONS');

/** Metadata key `@RocketMQMessageListener` stores its attributes under. */
export const ROCKETMQ_LISTENER_METADATA = 'rocketmq:message_listener';

/**
 * Metadata key of `@Payload()` / `@Ctx()` on `onMessage`: Nest's route-arguments key, as
 * @nestjs/microservices uses, so Nest's scanner registers pipe classes given to `@Payload(PipeClass)` and
 * `createParamDecorator` decorators work on `onMessage` too.
 */
export const ROCKETMQ_ARGS_METADATA = '__routeArguments__';

/** What `ExecutionContext.getType()` returns inside a listener, so guards and filters can tell us apart. */
export const ROCKETMQ_CONTEXT_TYPE = 'rocketmq';

/** The bean name rocketmq-spring gives the default template; used in logs and errors. */
export const DEFAULT_TEMPLATE_NAME = 'rocketMQTemplate';

/** RocketMQ's batch limit (ListSplitter.SIZE_LIMIT): 4 MiB. */
export const BATCH_SIZE_LIMIT = 4 * 1024 * 1024;

/** The handler method every listener class implements. */
export const LISTENER_METHOD = 'onMessage';

/** Metadata key `@RocketMQTransactionListener` stores its attributes under. */
export const ROCKETMQ_TRANSACTION_LISTENER_METADATA = 'rocketmq:transaction_listener';
