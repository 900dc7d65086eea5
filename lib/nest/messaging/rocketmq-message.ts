import { Message, MessageConst, MessageExt } from '../../message/index.js';
import { GenericMessage } from './message-builder.js';
import { RocketMQHeaders } from './rocketmq-headers.js';

/**
 * A received or about-to-be-committed RocketMQ message in Spring's `Message<T>` shape: what a
 * `@RocketMQTransactionListener` gets in both callbacks. `payload` is the body decoded as a listener
 * without `messageType` decodes it (JSON when it parses, the UTF-8 string otherwise), `body` the bytes,
 * `headers` the message's fields under `RocketMQHeaders` names (KEYS, TAGS, TOPIC, MESSAGE_ID,
 * TRANSACTION_ID, FLAG; for a stored message also QUEUE_ID, BORN_TIMESTAMP, BORN_HOST, SYS_FLAG) plus
 * every property by its own name, and `raw` the client's `Message` / `MessageExt`.
 */
export class RocketMQMessage<T = unknown> extends GenericMessage<T> {
  constructor(
    payload: T,
    headers: Readonly<Record<string, unknown>>,
    /** The client's message: a `Message` in `executeLocalTransaction`, the stored `MessageExt` in `checkLocalTransaction`. */
    readonly raw: Message,
  ) {
    super(payload, headers);
  }

  /** Wraps a client message; the payload is JSON when the body parses, the string otherwise. */
  static of(raw: Message): RocketMQMessage {
    const text = raw.body.toString('utf8');
    let payload: unknown = text;
    try {
      payload = JSON.parse(text);
    } catch {
      // not JSON: the string
    }
    const headers: Record<string, unknown> = { ...raw.properties };
    headers[RocketMQHeaders.TOPIC] = raw instanceof MessageExt ? (raw.getProperty(MessageConst.PROPERTY_REAL_TOPIC) ?? raw.topic) : raw.topic;
    if (raw.keys !== undefined) headers[RocketMQHeaders.KEYS] = raw.keys;
    if (raw.tags !== undefined) headers[RocketMQHeaders.TAGS] = raw.tags;
    headers[RocketMQHeaders.FLAG] = raw.flag;
    const transactionId = raw.transactionId ?? raw.getProperty(MessageConst.PROPERTY_TRANSACTION_ID);
    if (transactionId !== undefined) headers[RocketMQHeaders.TRANSACTION_ID] = transactionId;
    const msgId = raw instanceof MessageExt ? raw.msgId : raw.getProperty(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
    if (msgId !== undefined) headers[RocketMQHeaders.MESSAGE_ID] = msgId;
    if (raw instanceof MessageExt) {
      headers[RocketMQHeaders.QUEUE_ID] = raw.getProperty(MessageConst.PROPERTY_REAL_QUEUE_ID) !== undefined ? Number(raw.getProperty(MessageConst.PROPERTY_REAL_QUEUE_ID)) : raw.queueId;
      headers[RocketMQHeaders.BORN_TIMESTAMP] = raw.bornTimestamp;
      headers[RocketMQHeaders.BORN_HOST] = raw.bornHost;
      headers[RocketMQHeaders.SYS_FLAG] = raw.sysFlag;
    }
    return new RocketMQMessage(payload, headers, raw);
  }

  /** The body as sent. */
  get body(): Buffer {
    return this.raw.body;
  }

  /** The transaction id the producer gave this message (TRANSACTION_ID). */
  get transactionId(): string | undefined {
    return this.headers[RocketMQHeaders.TRANSACTION_ID] as string | undefined;
  }

  /** The message id users see (UNIQ_KEY), the one consumers get as `msgId`. */
  get msgId(): string | undefined {
    return this.headers[RocketMQHeaders.MESSAGE_ID] as string | undefined;
  }

  /** The topic the message is for (the real topic, not the internal half-message topic). */
  get topic(): string {
    return this.headers[RocketMQHeaders.TOPIC] as string;
  }

  get keys(): string | undefined {
    return this.raw.keys;
  }

  get tags(): string | undefined {
    return this.raw.tags;
  }

  /** A header or property by name. */
  getHeader<V = unknown>(name: string): V | undefined {
    return this.headers[name] as V | undefined;
  }

  /** A property (user or system) of the raw message. */
  getProperty(name: string): string | undefined {
    return this.raw.getProperty(name);
  }
}
