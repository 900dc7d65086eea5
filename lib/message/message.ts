import { MessageConst } from './message-const.js';

/** The body of a message built without one; zero bytes, so sharing it is safe. */
export const EMPTY_BODY: Buffer = Buffer.alloc(0);

/**
 * A message as a producer builds it (org.apache.rocketmq.common.message.Message): a topic, a body and
 * string properties, among them the system ones (TAGS, KEYS, DELAY, UNIQ_KEY, ...).
 */
export class Message {
  topic: string;
  flag = 0;
  properties: Record<string, string>;
  body: Buffer;
  transactionId?: string;

  constructor(
    topic: string,
    body: Buffer | string = EMPTY_BODY,
    options?: { tags?: string; keys?: string | string[]; properties?: Record<string, string> },
  ) {
    this.topic = topic;
    this.body = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    // Built once per sent and per received message: no spread of an empty object.
    this.properties = options?.properties ? { ...options.properties } : {};
    if (options?.tags) this.tags = options.tags;
    if (options?.keys !== undefined) this.keys = options.keys;
  }

  get tags(): string | undefined {
    return this.properties[MessageConst.PROPERTY_TAGS];
  }

  set tags(tags: string | undefined) {
    this.setProperty(MessageConst.PROPERTY_TAGS, tags);
  }

  /** Business keys, space separated as RocketMQ stores them. */
  get keys(): string | undefined {
    return this.properties[MessageConst.PROPERTY_KEYS];
  }

  set keys(keys: string | string[] | undefined) {
    this.setProperty(MessageConst.PROPERTY_KEYS, Array.isArray(keys) ? keys.join(MessageConst.KEY_SEPARATOR) : keys);
  }

  get delayTimeLevel(): number {
    const level = this.properties[MessageConst.PROPERTY_DELAY_TIME_LEVEL];
    return level ? Number.parseInt(level, 10) : 0;
  }

  set delayTimeLevel(level: number) {
    this.setProperty(MessageConst.PROPERTY_DELAY_TIME_LEVEL, level > 0 ? String(level) : undefined);
  }

  /** RocketMQ 5 timer message: deliver this many seconds after the broker stores it (TIMER_DELAY_SEC). */
  get delayTimeSec(): number | undefined {
    return numberProperty(this.properties[MessageConst.PROPERTY_TIMER_DELAY_SEC]);
  }

  set delayTimeSec(seconds: number | undefined) {
    this.setProperty(MessageConst.PROPERTY_TIMER_DELAY_SEC, seconds === undefined ? undefined : String(seconds));
  }

  /** RocketMQ 5 timer message: deliver this many milliseconds after the broker stores it (TIMER_DELAY_MS). */
  get delayTimeMs(): number | undefined {
    return numberProperty(this.properties[MessageConst.PROPERTY_TIMER_DELAY_MS]);
  }

  set delayTimeMs(millis: number | undefined) {
    this.setProperty(MessageConst.PROPERTY_TIMER_DELAY_MS, millis === undefined ? undefined : String(millis));
  }

  /** RocketMQ 5 timer message: deliver at this epoch millisecond (TIMER_DELIVER_MS). */
  get deliverTimeMs(): number | undefined {
    return numberProperty(this.properties[MessageConst.PROPERTY_TIMER_DELIVER_MS]);
  }

  set deliverTimeMs(epochMillis: number | undefined) {
    this.setProperty(MessageConst.PROPERTY_TIMER_DELIVER_MS, epochMillis === undefined ? undefined : String(epochMillis));
  }

  get waitStoreMsgOK(): boolean {
    return this.properties[MessageConst.PROPERTY_WAIT_STORE_MSG_OK] !== 'false';
  }

  set waitStoreMsgOK(wait: boolean) {
    this.setProperty(MessageConst.PROPERTY_WAIT_STORE_MSG_OK, wait ? undefined : 'false');
  }

  getProperty(name: string): string | undefined {
    return this.properties[name];
  }

  /** Sets a property; undefined or null removes it. */
  setProperty(name: string, value: string | undefined | null): void {
    if (value === undefined || value === null) delete this.properties[name];
    else this.properties[name] = value;
  }

  /** A user property, the kind SQL92 subscriptions filter on. */
  putUserProperty(name: string, value: string | number | boolean): void {
    this.properties[name] = String(value);
  }
}

function numberProperty(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}
