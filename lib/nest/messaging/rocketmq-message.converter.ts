import { Injectable } from '@nestjs/common';
import { Message, MessageConst, MessageExt } from '../../message/index.js';
import { RocketMQMessageConversionError } from '../errors/rocketmq-message-conversion.error.js';
import type { ListenerMessageType } from '../interfaces/rocketmq-listener-options.interface.js';
import type { RocketMQDestination } from './destination.js';
import { GenericMessage } from './message-builder.js';
import { RocketMQHeaders } from './rocketmq-headers.js';

/** Property names the client and broker own: a header may not overwrite them as a user property. */
const SYSTEM_PROPERTIES = new Set<string>(
  Object.entries(MessageConst)
    .filter(([key]) => key.startsWith('PROPERTY_'))
    .map(([, value]) => value),
);

/** Headers that only describe a received message; sending them again would be meaningless. */
const RECEIVE_ONLY_HEADERS = new Set<string>([
  RocketMQHeaders.TOPIC,
  RocketMQHeaders.MESSAGE_ID,
  RocketMQHeaders.QUEUE_ID,
  RocketMQHeaders.BORN_TIMESTAMP,
  RocketMQHeaders.BORN_HOST,
  RocketMQHeaders.SYS_FLAG,
]);

/**
 * Converts between payloads and RocketMQ messages (rocketmq-spring's RocketMQMessageConverter): strings
 * as UTF-8, Buffers as they are, anything else as JSON; a `Message` is sent as it is. Replace it with
 * `overrideProvider(RocketMQMessageConverter)` or a subclass to change the wire format.
 */
@Injectable()
export class RocketMQMessageConverter {
  /** Builds the message a template sends to `destination`. */
  toMessage(destination: RocketMQDestination, payload: unknown, headers: Record<string, unknown> = {}): Message {
    if (payload instanceof Message) {
      // A ready message keeps its body and properties; only where it goes comes from the destination.
      const message = new Message(destination.topic, payload.body, { properties: payload.properties });
      message.flag = payload.flag;
      if (destination.tags !== undefined) message.tags = destination.tags;
      this.applyHeaders(message, headers, destination.tags !== undefined);
      return message;
    }
    if (payload instanceof GenericMessage) {
      return this.toMessage(destination, payload.payload, { ...payload.headers, ...headers });
    }
    const message = new Message(destination.topic, this.toBody(payload));
    if (destination.tags !== undefined) message.tags = destination.tags;
    this.applyHeaders(message, headers, destination.tags !== undefined);
    return message;
  }

  /** The body of a payload: UTF-8 for strings, Buffers (and byte arrays) as they are, JSON otherwise. */
  toBody(payload: unknown): Buffer {
    if (payload === undefined || payload === null) {
      throw new RocketMQMessageConversionError('Cannot send a null or undefined payload: pass a value to send');
    }
    if (Buffer.isBuffer(payload)) return payload;
    if (payload instanceof Uint8Array) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
    try {
      const json = JSON.stringify(payload);
      if (json === undefined) throw new Error(`JSON.stringify returned nothing for a ${typeof payload}`);
      return Buffer.from(json, 'utf8');
    } catch (err) {
      throw new RocketMQMessageConversionError(
        `Cannot convert the payload to JSON (${(err as Error).message}); send a string, a Buffer or a JSON-serialisable value`,
        { cause: err },
      );
    }
  }

  /**
   * The payload a listener receives. `type` is `MessageExt` (the raw message), `Buffer`, `String`, a class
   * (the JSON body mapped onto its prototype, without calling its constructor), or undefined / `Object`
   * (JSON when the body parses, the string otherwise).
   */
  fromMessage(message: MessageExt, type?: ListenerMessageType | Function): unknown {
    if (type === MessageExt || (typeof type === 'function' && type.prototype instanceof MessageExt)) return message;
    if (type === Message) return message;
    if (type === Buffer || type === Uint8Array) return message.body;
    const text = message.body.toString('utf8');
    if (type === String) return text;
    if (type === undefined || type === Object) {
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new RocketMQMessageConversionError(
        `Cannot convert message ${message.msgId} to ${type.name}: the body is not JSON (${(err as Error).message})`,
        { cause: err },
      );
    }
    if (type === Number || type === Boolean || type === Array) return parsed;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new RocketMQMessageConversionError(
        `Cannot convert message ${message.msgId} to ${type.name}: the JSON body is ${Array.isArray(parsed) ? 'an array' : typeof parsed}, not an object`,
      );
    }
    return Object.assign(Object.create(type.prototype as object), parsed);
  }

  private applyHeaders(message: Message, headers: Record<string, unknown>, tagsFromDestination: boolean): void {
    for (const [rawName, value] of Object.entries(headers)) {
      if (value === undefined || value === null) continue;
      const name = rawName.startsWith(RocketMQHeaders.PREFIX) ? rawName.substring(RocketMQHeaders.PREFIX.length) : rawName;
      switch (name) {
        case RocketMQHeaders.KEYS:
          message.keys = Array.isArray(value) ? value.map(String) : String(value);
          break;
        case RocketMQHeaders.TAGS:
          // The destination's tag wins, as in rocketmq-spring, where tags only come from "topic:tag".
          if (!tagsFromDestination) message.tags = String(value);
          break;
        case RocketMQHeaders.FLAG:
          message.flag = Number(value) | 0;
          break;
        case RocketMQHeaders.WAIT:
          message.waitStoreMsgOK = value === true || value === 'true';
          break;
        case RocketMQHeaders.DELAY:
          message.delayTimeLevel = Number(value) | 0;
          break;
        case RocketMQHeaders.TRANSACTION_ID:
          message.transactionId = String(value);
          break;
        default:
          if (RECEIVE_ONLY_HEADERS.has(name)) break;
          if (SYSTEM_PROPERTIES.has(rawName)) {
            throw new RocketMQMessageConversionError(
              `Header "${rawName}" is a RocketMQ system property and cannot be set as a user property; use another name`,
            );
          }
          message.putUserProperty(rawName, typeof value === 'object' ? JSON.stringify(value) : String(value as string));
      }
    }
  }
}
