import { Logger } from '@nestjs/common';
import { ContextIdFactory, ExternalContextCreator, type ModuleRef } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import {
  ConsumeConcurrentlyStatus,
  ConsumeFromWhere,
  ConsumeOrderlyStatus,
  DefaultMQPushConsumer,
  ExpressionType,
  MessageModel,
  type ConsumeConcurrentlyContext,
  type ConsumeOrderlyContext,
  type MessageListenerConcurrently,
  type MessageListenerOrderly,
} from '../../client/index.js';
import { MessageConst, type MessageExt } from '../../message/index.js';
import { GenericMessage } from '../messaging/message-builder.js';
import { RocketMQMessageConverter } from '../messaging/rocketmq-message.converter.js';
import { LISTENER_METHOD, ROCKETMQ_ARGS_METADATA, ROCKETMQ_CONTEXT_TYPE } from '../rocketmq.constants.js';
import type { RocketMQRuntime } from '../rocketmq-runtime.service.js';
import type { ListenerDefinition } from './listener-definition.js';
import { RocketMQContext } from './rocketmq-context.js';
import { RocketMQParamsFactory } from './rocketmq-params.factory.js';

type Handler = (payload: unknown, context: unknown) => Promise<unknown>;

/**
 * Runs one `@RocketMQMessageListener` (rocketmq-spring's DefaultRocketMQListenerContainer): owns its push
 * consumer, converts each message to the payload type and calls `onMessage` through Nest's external
 * context, so pipes, guards, interceptors and exception filters apply. Returning acknowledges; throwing
 * (or a payload that does not convert, or a pipe that rejects it) retries later with the retry topic and,
 * after `maxReconsumeTimes`, the DLQ (concurrently), or pauses the queue (orderly). A request sent with
 * `sendAndReceive` gets `onMessage`'s return value as its reply.
 */
export class ListenerContainer {
  private readonly logger: Logger;
  private readonly paramsFactory = new RocketMQParamsFactory();
  private consumer?: DefaultMQPushConsumer;
  private staticHandler?: Handler;
  private running = false;

  constructor(
    readonly definition: ListenerDefinition,
    private readonly wrapper: InstanceWrapper,
    private readonly runtime: RocketMQRuntime,
    private readonly converter: RocketMQMessageConverter,
    private readonly contextCreator: ExternalContextCreator,
    private readonly moduleRef: ModuleRef,
  ) {
    this.logger = new Logger(`${ListenerContainer.name}(${definition.className})`);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Creates the consumer and waits for its first rebalance, so messages sent afterwards reach it. */
  async start(): Promise<void> {
    if (this.running) return;
    const d = this.definition;
    if (this.wrapper.isDependencyTreeStatic()) {
      const instance = this.wrapper.instance as Record<string, unknown>;
      this.staticHandler = this.createHandler(instance);
    }
    const consumer = new DefaultMQPushConsumer(
      {
        consumerGroup: d.consumerGroup,
        messageModel: d.messageModel as MessageModel,
        consumeFromWhere: d.consumeFromWhere as ConsumeFromWhere,
        consumeTimestamp: d.consumeTimestamp,
        allocateMessageQueueStrategy: d.allocateMessageQueueStrategy,
        consumeThreadNumber: d.consumeThreadNumber,
        pullBatchSize: d.pullBatchSize,
        consumeMessageBatchMaxSize: d.consumeMessageBatchMaxSize,
        maxReconsumeTimes: d.maxReconsumeTimes,
        suspendCurrentQueueTimeMillis: d.suspendCurrentQueueTimeMillis,
        consumeTimeout: d.consumeTimeout,
        awaitTerminationMillisWhenShutdown: d.awaitTerminationMillisWhenShutdown,
      },
      this.runtime.clientConfig(d),
      this.runtime.manager,
    );
    consumer.subscribe(d.topic, d.selectorExpression, d.selectorType as ExpressionType);
    consumer.registerMessageListener(d.consumeMode === 'ORDERLY' ? this.orderlyListener() : this.concurrentListener());
    this.consumer = consumer;
    await consumer.start();
    this.running = true;
    this.logger.log(`Listening on ${d.topic} (${d.selectorType} ${d.selectorExpression}) as group ${d.consumerGroup}, ${d.consumeMode} ${d.messageModel}`);
  }

  /** Stops pulling, waits for in-flight handlers up to awaitTerminationMillisWhenShutdown, persists offsets. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    this.running = false;
    if (consumer) await consumer.shutdown(this.definition.awaitTerminationMillisWhenShutdown);
  }

  private concurrentListener(): MessageListenerConcurrently {
    return {
      consumeMessage: async (msgs: MessageExt[], ctx: ConsumeConcurrentlyContext) => {
        try {
          await this.handle(msgs);
          return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        } catch {
          ctx.delayLevelWhenNextConsume = this.definition.delayLevelWhenNextConsume;
          return ConsumeConcurrentlyStatus.RECONSUME_LATER;
        }
      },
    };
  }

  private orderlyListener(): MessageListenerOrderly {
    return {
      orderly: true,
      consumeMessage: async (msgs: MessageExt[], ctx: ConsumeOrderlyContext) => {
        try {
          await this.handle(msgs);
          return ConsumeOrderlyStatus.SUCCESS;
        } catch {
          ctx.suspendCurrentQueueTimeMillis = this.definition.suspendCurrentQueueTimeMillis;
          return ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
        }
      },
    };
  }

  /** One call per message, unless the listener opted into arrays with `batch: true`. Throws on failure (logged). */
  private async handle(msgs: MessageExt[]): Promise<void> {
    if (this.definition.batch) {
      const contexts = msgs.map((m) => new RocketMQContext(m, this.definition.consumerGroup));
      try {
        const payloads = msgs.map((m) => this.converter.fromMessage(m, this.definition.messageType));
        await this.invoke(payloads, contexts);
      } catch (err) {
        this.logFailure(msgs.map((m) => m.msgId).join(','), err);
        throw err;
      }
      return;
    }
    for (const msg of msgs) {
      const context = new RocketMQContext(msg, this.definition.consumerGroup);
      let result: unknown;
      try {
        result = await this.invoke(this.converter.fromMessage(msg, this.definition.messageType), context);
      } catch (err) {
        this.logFailure(msg.msgId, err, msg.reconsumeTimes);
        throw err;
      }
      if (isRequest(msg)) await this.reply(msg, result);
    }
  }

  /**
   * Sends `onMessage`'s return value back to the requester (RocketMQReplyListener). A failed reply is
   * logged, not retried: the handler ran, and running it again would repeat its work.
   */
  private async reply(request: MessageExt, result: unknown): Promise<void> {
    if (result === undefined) {
      this.logger.warn(`Message ${request.msgId} is a request (sendAndReceive) but onMessage returned nothing: no reply sent, the requester will time out. Return the reply from onMessage (RocketMQReplyListener)`);
      return;
    }
    const consumer = this.consumer;
    try {
      const body = this.converter.toBody(result instanceof GenericMessage ? result.payload : result);
      if (!consumer) throw new Error('the listener is stopping');
      await consumer.sendReply(request, body, this.definition.replyTimeout);
    } catch (err) {
      this.logger.error(`Could not reply to request ${request.msgId}: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  private async invoke(payload: unknown, context: RocketMQContext | RocketMQContext[]): Promise<unknown> {
    if (this.staticHandler) {
      return this.staticHandler(payload, context);
    }
    // Request-scoped, transient or durable: a fresh instance (and context id) per call, the context as request.
    const request = Array.isArray(context) ? context[0] : context;
    const contextId = ContextIdFactory.getByRequest(request);
    this.moduleRef.registerRequestByContextId(request, contextId);
    const instance = await this.moduleRef.resolve<Record<string, unknown>>(this.wrapper.token as Function, contextId, { strict: false });
    return this.createHandler(instance, contextId)(payload, context);
  }

  private createHandler(instance: Record<string, unknown>, contextId?: ReturnType<typeof ContextIdFactory.create>): Handler {
    const callback = instance[LISTENER_METHOD] as (...args: unknown[]) => unknown;
    return this.contextCreator.create(
      instance,
      callback,
      LISTENER_METHOD,
      ROCKETMQ_ARGS_METADATA,
      this.paramsFactory,
      contextId,
      contextId ? this.wrapper.id : undefined,
      { guards: true, interceptors: true, filters: true },
      ROCKETMQ_CONTEXT_TYPE,
    ) as Handler;
  }

  private logFailure(msgId: string, err: unknown, reconsumeTimes?: number): void {
    const error = err as Error;
    const d = this.definition;
    const retry =
      d.messageModel === 'BROADCASTING'
        ? 'broadcasting does not retry: the message is skipped'
        : d.consumeMode === 'ORDERLY'
          ? `the queue pauses ${d.suspendCurrentQueueTimeMillis} ms and retries it`
          : d.delayLevelWhenNextConsume === -1
            ? `it goes to %DLQ%${d.consumerGroup} (delayLevelWhenNextConsume -1)`
            : `it will be redelivered through %RETRY%${d.consumerGroup}, then %DLQ%${d.consumerGroup} after ${d.maxReconsumeTimes === -1 ? 16 : d.maxReconsumeTimes} retries`;
    this.logger.warn(
      `onMessage failed for message ${msgId}${reconsumeTimes ? ` (delivery ${reconsumeTimes + 1})` : ''}; ${retry}: ${error?.message ?? String(err)}`,
    );
    if (error?.stack) this.logger.debug(error.stack);
  }
}

/** A message sent with request-reply (`sendAndReceive`): it names a correlation id and the client to answer. */
function isRequest(msg: MessageExt): boolean {
  return msg.getProperty(MessageConst.PROPERTY_CORRELATION_ID) !== undefined && msg.getProperty(MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT) !== undefined;
}
