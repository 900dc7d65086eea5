import { Logger } from '@nestjs/common';
import {
  DefaultMQProducer,
  SelectMessageQueueByHash,
  type SendResult,
} from '../../client/index.js';
import type { Message } from '../../message/index.js';
import { RocketMQConfigError } from '../errors/rocketmq-config.error.js';
import { RocketMQSendError } from '../errors/rocketmq-send.error.js';
import { splitBatch } from '../messaging/batch-splitter.js';
import { parseDestination } from '../messaging/destination.js';
import { GenericMessage } from '../messaging/message-builder.js';
import { RocketMQHeaders } from '../messaging/rocketmq-headers.js';
import { RocketMQMessageConverter } from '../messaging/rocketmq-message.converter.js';
import { DEFAULT_TEMPLATE_NAME } from '../rocketmq.constants.js';
import type { RocketMQSendCallback, RocketMQSendOptions } from './rocketmq-send-callback.interface.js';

type Payload = unknown;

/**
 * Sends messages through one producer (rocketmq-spring's RocketMQTemplate). Destinations are `"topic"` or
 * `"topic:tag"`; payloads are converted by the `RocketMQMessageConverter` (JSON for objects, UTF-8 for
 * strings, Buffers as they are, a `GenericMessage` from `MessageBuilder` with its headers, a `Message` as
 * it is). Every method returns a Promise; failures reject with `RocketMQSendError` (client error as cause).
 *
 * Not yet here (next release): `sendMessageInTransaction`, `sendAndReceive`, `receive`,
 * `syncSendDelayTimeSeconds` and friends.
 */
export class RocketMQTemplate {
  private readonly logger: Logger;

  constructor(
    private readonly producer: DefaultMQProducer | undefined,
    private readonly converter: RocketMQMessageConverter = new RocketMQMessageConverter(),
    /** The name it is injected by (the default template is `rocketMQTemplate`, as the Spring bean). */
    readonly name: string = DEFAULT_TEMPLATE_NAME,
    private readonly missingReason?: string,
  ) {
    this.logger = new Logger(`${RocketMQTemplate.name}(${name})`);
  }

  /** Whether this template has a producer (false for the default template without `producer.group`). */
  get configured(): boolean {
    return this.producer !== undefined;
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
  async syncSend(destination: string, payload: Payload | Payload[], timeoutOrOptions?: number | RocketMQSendOptions): Promise<SendResult> {
    const options = typeof timeoutOrOptions === 'number' ? { timeout: timeoutOrOptions } : (timeoutOrOptions ?? {});
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
  asyncSend(destination: string, payload: Payload | Payload[], callback?: RocketMQSendCallback, timeout?: number): Promise<SendResult> {
    const promise = Array.isArray(payload)
      ? this.syncSendBatch(destination, payload, { timeout }).then((r) => r[r.length - 1])
      : this.callAsync('asyncSend', destination, () =>
          this.getProducer().sendAsync(this.createMessage(destination, payload, {}), timeout),
        );
    return this.withCallback(promise, callback);
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
