import { Logger } from '@nestjs/common';
import {
  DefaultMQProducer,
  SelectMessageQueueByHash,
  type DefaultLitePullConsumer,
  type SendResult,
} from '../../client/index.js';
import { MessageConst, type Message, type MessageExt } from '../../message/index.js';
import { RocketMQConfigError } from '../errors/rocketmq-config.error.js';
import { RocketMQRequestTimeoutError } from '../errors/rocketmq-request-timeout.error.js';
import { RocketMQSendError } from '../errors/rocketmq-send.error.js';
import { RocketMQTransactionError } from '../errors/rocketmq-transaction.error.js';
import type { ListenerMessageType } from '../interfaces/rocketmq-listener-options.interface.js';
import type { RocketMQLocalTransactionListener } from '../interfaces/rocketmq-transaction-listener.interface.js';
import { splitBatch } from '../messaging/batch-splitter.js';
import { parseDestination } from '../messaging/destination.js';
import { GenericMessage } from '../messaging/message-builder.js';
import { RocketMQHeaders } from '../messaging/rocketmq-headers.js';
import { RocketMQMessageConverter } from '../messaging/rocketmq-message.converter.js';
import { DEFAULT_TEMPLATE_NAME } from '../rocketmq.constants.js';
import { adaptTransactionListener, toRocketMQLocalTransactionState } from '../transaction/transaction-state.js';
import type {
  RocketMQRequestOptions,
  RocketMQSendCallback,
  RocketMQSendOptions,
  RocketMQTransactionSendResult,
} from './rocketmq-send-callback.interface.js';

type Payload = unknown;

/** What `receive` and `sendAndReceive` convert to: a class, `String`, `Buffer` or `MessageExt`. */
export type RocketMQPayloadType = ListenerMessageType | Function;

/**
 * Sends messages through one producer (rocketmq-spring's RocketMQTemplate). Destinations are `"topic"` or
 * `"topic:tag"`; payloads are converted by the `RocketMQMessageConverter` (JSON for objects, UTF-8 for
 * strings, Buffers as they are, a `GenericMessage` from `MessageBuilder` with its headers, a `Message` as
 * it is). Every method returns a Promise; failures reject with `RocketMQSendError` (client error as cause).
 *
 * Beyond plain sends: delays (`delayLevel`, `syncSendDelayTimeSeconds` / `Mills`, `syncSendDeliverTimeMills`
 * and their async variants), `sendMessageInTransaction` (with a bound `@RocketMQTransactionListener`),
 * request-reply `sendAndReceive`, and `receive` from the module's lite pull consumer.
 */
export class RocketMQTemplate {
  private readonly logger: Logger;
  private pullConsumer?: DefaultLitePullConsumer;
  private transactionListenerClass?: string;

  constructor(
    private readonly producer: DefaultMQProducer | undefined,
    private readonly converter: RocketMQMessageConverter = new RocketMQMessageConverter(),
    /** The name it is injected by (the default template is `rocketMQTemplate`, as the Spring bean). */
    readonly name: string = DEFAULT_TEMPLATE_NAME,
    private readonly missingReason?: string,
  ) {
    this.logger = new Logger(`${RocketMQTemplate.name}(${name})`);
  }

  /**
   * Whether this template can do anything: it has a producer (`producer.group`) or a lite pull consumer
   * (`pullConsumer`, for `receive`).
   */
  get configured(): boolean {
    return this.producer !== undefined || this.pullConsumer !== undefined;
  }

  /** Whether this template can send (it has a producer: `producer.group` or a `templates` entry). */
  get hasProducer(): boolean {
    return this.producer !== undefined;
  }

  /** The lite pull consumer `receive` polls (Spring's `setConsumer`); the module sets it from `pullConsumer`. */
  setConsumer(consumer: DefaultLitePullConsumer): void {
    this.pullConsumer = consumer;
  }

  /** The lite pull consumer, when `pullConsumer` is configured. */
  getConsumer(): DefaultLitePullConsumer | undefined {
    return this.pullConsumer;
  }

  /** The class of the `@RocketMQTransactionListener` bound to this template, if any. */
  get transactionListenerName(): string | undefined {
    return this.transactionListenerClass;
  }

  /**
   * Binds a local-transaction listener to this template's producer (what `@RocketMQTransactionListener`
   * does at module init). One per template: a second throws.
   */
  bindTransactionListener(listener: RocketMQLocalTransactionListener, className = listener.constructor?.name ?? 'listener'): void {
    if (this.transactionListenerClass) {
      throw new RocketMQConfigError(
        `RocketMQTemplate "${this.name}" already has the transaction listener ${this.transactionListenerClass}; ${className} cannot be bound too (one per template)`,
      );
    }
    this.getProducer().setTransactionListener(adaptTransactionListener(listener, className));
    this.transactionListenerClass = className;
  }

  /** The underlying producer, for what the template does not wrap. */
  getProducer(): DefaultMQProducer {
    if (!this.producer) {
      throw new RocketMQConfigError(
        this.missingReason ??
          `RocketMQTemplate "${this.name}" has no producer: set producer.group in RocketMQModule options`,
      );
    }
    return this.producer;
  }

  /**
   * Sends and waits for the broker (sync send, with retries). An array is a batch to one topic, split at
   * 4 MiB; for a batch that needed several requests this resolves to the last chunk's result — use
   * `syncSendBatch` for one result per chunk.
   */
  async syncSend(destination: string, payload: Payload | Payload[], timeoutOrOptions?: number | RocketMQSendOptions, delayLevel?: number): Promise<SendResult> {
    const options = typeof timeoutOrOptions === 'number' ? { timeout: timeoutOrOptions, delayLevel } : (timeoutOrOptions ?? {});
    if (Array.isArray(payload)) {
      const results = await this.syncSendBatch(destination, payload, options);
      return results[results.length - 1];
    }
    const message = this.createMessage(destination, payload, options);
    return this.call('syncSend', destination, () => this.getProducer().send(message, options.timeout));
  }

  /**
   * Sends a batch: every message goes to one topic, split into requests of at most 4 MiB (P-11). A
   * message bigger than that on its own is sent alone and fails with the broker's or client's error.
   * Resolves to one result per request; a failing request rejects with the earlier results in `results`.
   */
  async syncSendBatch(destination: string, payloads: Payload[], timeoutOrOptions?: number | RocketMQSendOptions): Promise<SendResult[]> {
    const options = typeof timeoutOrOptions === 'number' ? { timeout: timeoutOrOptions } : (timeoutOrOptions ?? {});
    if (!Array.isArray(payloads) || payloads.length === 0) {
      throw new RocketMQSendError(`syncSendBatch to "${destination}": the batch is empty; pass at least one payload`, {
        destination,
      });
    }
    if (options.delayLevel) {
      throw new RocketMQSendError(`syncSendBatch to "${destination}": batches cannot carry a delay level (RocketMQ rejects delayed batches)`, { destination });
    }
    const messages = payloads.map((p) => this.createMessage(destination, p, options));
    const chunks = splitBatch(messages);
    const results: SendResult[] = [];
    for (const [index, chunk] of chunks.entries()) {
      try {
        results.push(await this.getProducer().sendBatch(chunk, options.timeout));
      } catch (err) {
        const what = chunks.length > 1 ? ` (request ${index + 1} of ${chunks.length}, ${chunk.length} messages)` : '';
        throw new RocketMQSendError(`syncSend batch to "${destination}" failed${what}: ${(err as Error).message}`, {
          cause: err,
          destination,
          results,
        });
      }
    }
    return results;
  }

  /**
   * Sends without waiting (async send, its own retry count). The callback, if given, gets the outcome;
   * the returned Promise does too, so `await` works either way.
   */
  asyncSend(destination: string, payload: Payload | Payload[], callback?: RocketMQSendCallback, timeout?: number, delayLevel?: number): Promise<SendResult> {
    const promise = Array.isArray(payload)
      ? this.syncSendBatch(destination, payload, { timeout, delayLevel }).then((r) => r[r.length - 1])
      : this.callAsync('asyncSend', destination, () =>
          this.getProducer().sendAsync(this.createMessage(destination, payload, { delayLevel }), timeout),
        );
    return this.withCallback(promise, callback);
  }

  /**
   * Sends a message delivered `delaySeconds` after the broker stores it (RocketMQ 5 timer message,
   * TIMER_DELAY_SEC): any delay, not only the 18 levels. 0 sends without delay. A negative or
   * non-integer delay is a `RocketMQSendError`.
   */
  syncSendDelayTimeSeconds(destination: string, payload: Payload, delaySeconds: number, timeout?: number): Promise<SendResult> {
    return this.callAsync('syncSendDelayTimeSeconds', destination, () =>
      this.getProducer().send(this.createTimerMessage(destination, payload, 'delayTimeSec', delaySeconds, 'delaySeconds'), timeout),
    );
  }

  /** Like `syncSendDelayTimeSeconds`, in milliseconds (TIMER_DELAY_MS). */
  syncSendDelayTimeMills(destination: string, payload: Payload, delayMillis: number, timeout?: number): Promise<SendResult> {
    return this.callAsync('syncSendDelayTimeMills', destination, () =>
      this.getProducer().send(this.createTimerMessage(destination, payload, 'delayTimeMs', delayMillis, 'delayMillis'), timeout),
    );
  }

  /**
   * Sends a message delivered at `deliverTimeMillis` (epoch ms, TIMER_DELIVER_MS); a time already past is
   * delivered at once. A negative or non-integer time is a `RocketMQSendError`.
   */
  syncSendDeliverTimeMills(destination: string, payload: Payload, deliverTimeMillis: number, timeout?: number): Promise<SendResult> {
    return this.callAsync('syncSendDeliverTimeMills', destination, () =>
      this.getProducer().send(this.createTimerMessage(destination, payload, 'deliverTimeMs', deliverTimeMillis, 'deliverTimeMillis'), timeout),
    );
  }

  /**
   * `syncSendDelayTimeSeconds` without waiting. Both argument orders work: `(dest, payload, seconds,
   * callback?)` and rocketmq-spring's `(dest, payload, callback, seconds)`.
   */
  asyncSendDelayTimeSeconds(destination: string, payload: Payload, delaySeconds: number, callback?: RocketMQSendCallback, timeout?: number): Promise<SendResult>;
  asyncSendDelayTimeSeconds(destination: string, payload: Payload, callback: RocketMQSendCallback, delaySeconds: number, timeout?: number): Promise<SendResult>;
  asyncSendDelayTimeSeconds(destination: string, payload: Payload, a: number | RocketMQSendCallback, b?: number | RocketMQSendCallback, timeout?: number): Promise<SendResult> {
    return this.asyncTimer('asyncSendDelayTimeSeconds', 'delayTimeSec', 'delaySeconds', destination, payload, a, b, timeout);
  }

  /** `syncSendDelayTimeMills` without waiting; both argument orders work (see `asyncSendDelayTimeSeconds`). */
  asyncSendDelayTimeMills(destination: string, payload: Payload, delayMillis: number, callback?: RocketMQSendCallback, timeout?: number): Promise<SendResult>;
  asyncSendDelayTimeMills(destination: string, payload: Payload, callback: RocketMQSendCallback, delayMillis: number, timeout?: number): Promise<SendResult>;
  asyncSendDelayTimeMills(destination: string, payload: Payload, a: number | RocketMQSendCallback, b?: number | RocketMQSendCallback, timeout?: number): Promise<SendResult> {
    return this.asyncTimer('asyncSendDelayTimeMills', 'delayTimeMs', 'delayMillis', destination, payload, a, b, timeout);
  }

  /** `syncSendDeliverTimeMills` without waiting; both argument orders work (see `asyncSendDelayTimeSeconds`). */
  asyncSendDeliverTimeMills(destination: string, payload: Payload, deliverTimeMillis: number, callback?: RocketMQSendCallback, timeout?: number): Promise<SendResult>;
  asyncSendDeliverTimeMills(destination: string, payload: Payload, callback: RocketMQSendCallback, deliverTimeMillis: number, timeout?: number): Promise<SendResult>;
  asyncSendDeliverTimeMills(destination: string, payload: Payload, a: number | RocketMQSendCallback, b?: number | RocketMQSendCallback, timeout?: number): Promise<SendResult> {
    return this.asyncTimer('asyncSendDeliverTimeMills', 'deliverTimeMs', 'deliverTimeMillis', destination, payload, a, b, timeout);
  }

  /**
   * Sends a transactional message (rocketmq-spring's `sendMessageInTransaction(destination, message, arg)`):
   * the broker stores it invisibly, the template's `@RocketMQTransactionListener` runs
   * `executeLocalTransaction(msg, arg)`, and its answer commits (consumers see the message once) or rolls
   * back (they never do); UNKNOWN leaves it to the broker's check-back. Resolves once the local transaction
   * ran, with its state. Without a bound listener, with a delay, or with an array (batch) it rejects with
   * `RocketMQTransactionError`.
   */
  async sendMessageInTransaction(destination: string, message: Payload, arg?: unknown): Promise<RocketMQTransactionSendResult> {
    if (Array.isArray(message)) {
      throw new RocketMQTransactionError(`sendMessageInTransaction to "${destination}": a transaction carries one message, not a batch (RocketMQ has no batch transactions); send each message in its own transaction`, { destination });
    }
    const producer = this.getProducer();
    if (!this.transactionListenerClass) {
      throw new RocketMQTransactionError(
        `sendMessageInTransaction to "${destination}": RocketMQTemplate "${this.name}" has no transaction listener. Add a provider class decorated with @RocketMQTransactionListener(${this.name === DEFAULT_TEMPLATE_NAME ? '' : `{ rocketMQTemplateBeanName: '${this.name}' }`}) implementing RocketMQLocalTransactionListener`,
        { destination },
      );
    }
    const msg = this.createMessage(destination, message, {});
    if (msg.delayTimeLevel > 0 || msg.getProperty(MessageConst.PROPERTY_TIMER_DELAY_SEC) !== undefined || msg.getProperty(MessageConst.PROPERTY_TIMER_DELAY_MS) !== undefined || msg.getProperty(MessageConst.PROPERTY_TIMER_DELIVER_MS) !== undefined) {
      throw new RocketMQTransactionError(`sendMessageInTransaction to "${destination}": a transactional message cannot be delayed (RocketMQ forbids delay levels and timers in transactions); remove the DELAY header`, { destination });
    }
    const result = await this.call('sendMessageInTransaction', destination, () => producer.sendMessageInTransaction(msg, arg));
    return Object.assign(result, { rocketMQLocalTransactionState: toRocketMQLocalTransactionState(result.localTransactionState) });
  }

  /**
   * Request-reply (rocketmq-spring's `sendAndReceive`): sends the request and resolves with the reply a
   * `RocketMQReplyListener` returned, converted to `options.type` (JSON when it parses, the string
   * otherwise, by default). No reply within `options.timeout` (3000 ms) rejects with
   * `RocketMQRequestTimeoutError` naming the destination. Concurrent requests are matched to their
   * replies by correlation id.
   */
  async sendAndReceive<T = unknown>(destination: string, payload: Payload, options: RocketMQRequestOptions = {}): Promise<T> {
    const timeout = options.timeout ?? 3000;
    if (!Number.isInteger(timeout) || timeout <= 0) {
      throw new RocketMQSendError(`sendAndReceive to "${destination}": timeout must be a positive integer of ms, got ${JSON.stringify(options.timeout)}`, { destination });
    }
    const producer = this.getProducer();
    const msg = this.createMessage(destination, payload, { delayLevel: options.delayLevel, keys: options.keys, headers: options.headers });
    let reply: MessageExt;
    try {
      if (options.hashKey !== undefined) {
        const hashKey = this.checkHashKey(options.hashKey, destination);
        reply = await producer.requestWithSelector(msg, SelectMessageQueueByHash, hashKey, timeout);
      } else {
        reply = await producer.request(msg, timeout);
      }
    } catch (err) {
      if (err instanceof RocketMQSendError) throw err;
      if ((err as Error)?.name === 'RequestTimeoutError') {
        throw new RocketMQRequestTimeoutError(`sendAndReceive to "${destination}": no reply within ${timeout} ms (is a listener that returns a reply subscribed to ${msg.topic}?)`, {
          cause: err,
          destination,
          timeout,
        });
      }
      throw new RocketMQSendError(`sendAndReceive to "${destination}" failed: ${(err as Error)?.message ?? String(err)}`, { cause: err, destination });
    }
    return this.converter.fromMessage(reply, options.type) as T;
  }

  /**
   * Polls the module's lite pull consumer (rocketmq-spring's `receive`): resolves with the messages that
   * arrived within `timeout` ms (default 5000; an empty array when none did), each converted like a
   * listener payload to `type` (JSON when it parses, the string otherwise, by default). Offsets are
   * committed automatically. Needs `pullConsumer: { group, topic }` in the module options.
   */
  receive<T = unknown>(timeout?: number): Promise<T[]>;
  receive<T = unknown>(type: RocketMQPayloadType | undefined, timeout?: number): Promise<T[]>;
  async receive<T = unknown>(typeOrTimeout?: RocketMQPayloadType | number, timeout?: number): Promise<T[]> {
    const type = typeof typeOrTimeout === 'number' ? undefined : typeOrTimeout;
    const wait = typeof typeOrTimeout === 'number' ? typeOrTimeout : (timeout ?? 5000);
    const consumer = this.pullConsumer;
    if (!consumer) {
      throw new RocketMQConfigError(
        `RocketMQTemplate "${this.name}" has no pull consumer, so receive() cannot work: set pullConsumer: { group: "...", topic: "..." } in the RocketMQModule options (rocketmq.pull-consumer.group / rocketmq.pull-consumer.topic)`,
      );
    }
    if (!Number.isInteger(wait) || wait < 0) {
      throw new RocketMQConfigError(`receive(): timeout must be a non-negative integer of ms, got ${JSON.stringify(wait)}`);
    }
    const messages = await consumer.poll(wait);
    return messages.map((m) => this.converter.fromMessage(m, type) as T);
  }

  /** Sends with no answer and no retry (oneway): resolves once the message is handed to the transport. */
  sendOneWay(destination: string, payload: Payload): Promise<void> {
    return this.callAsync('sendOneWay', destination, () =>
      this.getProducer().sendOneway(this.createMessage(destination, payload, {})),
    );
  }

  /**
   * Sends to the queue `hashKey` hashes to (SelectMessageQueueByHash), so every message with one key is
   * stored, and consumed by an ORDERLY listener, in send order. The key is a literal string, not a field name.
   */
  syncSendOrderly(destination: string, payload: Payload, hashKey: string, timeout?: number): Promise<SendResult> {
    return this.callAsync('syncSendOrderly', destination, () =>
      this.getProducer().sendWithSelector(this.createMessage(destination, payload, {}), SelectMessageQueueByHash, this.checkHashKey(hashKey, destination), timeout),
    );
  }

  /** `syncSendOrderly` with a callback; the returned Promise carries the same outcome. */
  asyncSendOrderly(destination: string, payload: Payload, hashKey: string, callback?: RocketMQSendCallback, timeout?: number): Promise<SendResult> {
    return this.withCallback(this.syncSendOrderly(destination, payload, hashKey, timeout), callback);
  }

  /** Oneway send to the queue `hashKey` hashes to. */
  sendOneWayOrderly(destination: string, payload: Payload, hashKey: string): Promise<void> {
    return this.callAsync('sendOneWayOrderly', destination, () =>
      this.getProducer().sendOnewayWithSelector(this.createMessage(destination, payload, {}), SelectMessageQueueByHash, this.checkHashKey(hashKey, destination)),
    );
  }

  /** Converts and sends synchronously (Spring's `convertAndSend`); headers become keys/tags/user properties. */
  async convertAndSend(destination: string, payload: Payload, headers?: Record<string, unknown>): Promise<void> {
    await this.syncSend(destination, payload, { headers });
  }

  /** Sends a `GenericMessage` from `MessageBuilder` (or a `Message`) synchronously. */
  send(destination: string, message: GenericMessage | Message): Promise<SendResult> {
    return this.syncSend(destination, message);
  }

  private createMessage(destination: string, payload: Payload, options: RocketMQSendOptions): Message {
    const dest = parseDestination(destination);
    const headers: Record<string, unknown> = { ...(options.headers ?? {}) };
    if (options.keys !== undefined) headers[RocketMQHeaders.KEYS] = options.keys;
    if (options.tags !== undefined) headers[RocketMQHeaders.TAGS] = options.tags;
    if (options.delayLevel !== undefined) {
      if (!Number.isInteger(options.delayLevel) || options.delayLevel < 0 || options.delayLevel > 18) {
        throw new RocketMQSendError(`Invalid delayLevel ${options.delayLevel} for "${destination}": use 0 (none) to 18`, { destination });
      }
      headers[RocketMQHeaders.DELAY] = options.delayLevel;
    }
    try {
      return this.converter.toMessage(dest, payload, headers);
    } catch (err) {
      throw new RocketMQSendError(`Cannot send to "${destination}": ${(err as Error).message}`, { cause: err, destination });
    }
  }

  private createTimerMessage(
    destination: string,
    payload: Payload,
    field: 'delayTimeSec' | 'delayTimeMs' | 'deliverTimeMs',
    value: number,
    argument: string,
  ): Message {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new RocketMQSendError(`Invalid ${argument} ${JSON.stringify(value)} for "${destination}": expected an integer >= 0`, { destination });
    }
    const message = this.createMessage(destination, payload, {});
    if (value > 0) message[field] = value;
    return message;
  }

  private asyncTimer(
    method: string,
    field: 'delayTimeSec' | 'delayTimeMs' | 'deliverTimeMs',
    argument: string,
    destination: string,
    payload: Payload,
    a: number | RocketMQSendCallback | undefined,
    b: number | RocketMQSendCallback | undefined,
    timeout?: number,
  ): Promise<SendResult> {
    const value = typeof a === 'object' && a !== null ? (b as number) : (a as number);
    const callback = typeof a === 'object' && a !== null ? a : (b as RocketMQSendCallback | undefined);
    const promise = this.callAsync(method, destination, () =>
      this.getProducer().sendAsync(this.createTimerMessage(destination, payload, field, value, argument), timeout),
    );
    return this.withCallback(promise, callback);
  }

  private checkHashKey(hashKey: string, destination: string): string {
    if (hashKey === undefined || hashKey === null || String(hashKey).length === 0) {
      throw new RocketMQSendError(`Orderly send to "${destination}" needs a hashKey: messages with one key keep their order`, { destination });
    }
    return String(hashKey);
  }

  private async call<T>(method: string, destination: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      if (err instanceof RocketMQSendError || err instanceof RocketMQConfigError) throw err;
      throw new RocketMQSendError(`${method} to "${destination}" failed: ${(err as Error).message}`, { cause: err, destination });
    }
  }

  /** Like `call`, but argument errors also reject instead of throwing synchronously. */
  private callAsync<T>(method: string, destination: string, send: () => Promise<T>): Promise<T> {
    return this.call(method, destination, send);
  }

  private withCallback(promise: Promise<SendResult>, callback?: RocketMQSendCallback): Promise<SendResult> {
    if (!callback) return promise;
    // The callback handles the outcome, so a caller that ignores the Promise gets no unhandled rejection;
    // a callback that throws is logged, not left to crash the process.
    promise.then(
      (result) => this.invokeCallback(() => callback.onSuccess(result)),
      (error: Error) => this.invokeCallback(() => callback.onException(error)),
    );
    return promise;
  }

  private invokeCallback(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error(`A send callback threw: ${(err as Error).message}`, (err as Error).stack);
    }
  }
}
