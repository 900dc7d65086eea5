/**
 * A payload with headers, as Spring's `Message<T>`: what `MessageBuilder` builds and
 * `RocketMQTemplate.send` takes. The converter turns the payload into the body and the headers into
 * keys, tags, delay level and user properties.
 */
export class GenericMessage<T = unknown> {
  constructor(
    readonly payload: T,
    readonly headers: Readonly<Record<string, unknown>> = {},
  ) {
    Object.freeze(this.headers);
  }
}

/** Builds a `GenericMessage`: `MessageBuilder.withPayload(order).setHeader(RocketMQHeaders.KEYS, id).build()`. */
export class MessageBuilder<T> {
  private readonly headers: Record<string, unknown> = {};

  private constructor(private readonly payload: T) {}

  static withPayload<T>(payload: T): MessageBuilder<T> {
    if (payload === undefined || payload === null) {
      throw new TypeError('MessageBuilder.withPayload: the payload must not be null or undefined');
    }
    return new MessageBuilder(payload);
  }

  /** Starts from another message: same payload, a copy of its headers. */
  static fromMessage<T>(message: GenericMessage<T>): MessageBuilder<T> {
    return new MessageBuilder(message.payload).copyHeaders(message.headers);
  }

  /** Sets a header; `undefined` or `null` removes it. */
  setHeader(name: string, value: unknown): this {
    if (value === undefined || value === null) delete this.headers[name];
    else this.headers[name] = value;
    return this;
  }

  /** Sets a header unless it is already set. */
  setHeaderIfAbsent(name: string, value: unknown): this {
    if (!(name in this.headers)) this.setHeader(name, value);
    return this;
  }

  copyHeaders(headers: Readonly<Record<string, unknown>>): this {
    for (const [name, value] of Object.entries(headers)) this.setHeader(name, value);
    return this;
  }

  removeHeader(name: string): this {
    delete this.headers[name];
    return this;
  }

  build(): GenericMessage<T> {
    return new GenericMessage(this.payload, { ...this.headers });
  }
}
