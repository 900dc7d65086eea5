import type { MessageExt } from '../../message/index.js';

/**
 * What a listener knows about the message it handles (the second `onMessage` argument, or `@Ctx()`).
 * Also registered as the request of request-scoped listeners (`@Inject(REQUEST)`).
 */
export class RocketMQContext {
  /** The id users see (the producer's UNIQ_KEY), the same across retries. */
  readonly msgId: string;
  /** The broker's id: store host and CommitLog offset. */
  readonly offsetMsgId: string;
  /** The topic as sent (the real topic for a retried message). */
  readonly topic: string;
  readonly tags?: string;
  readonly keys?: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly brokerName: string;
  /** How many times this message was delivered before: 0 on the first delivery. */
  readonly reconsumeTimes: number;
  /** Every property, system (TAGS, KEYS, UNIQ_KEY, ...) and user ones. */
  readonly properties: Readonly<Record<string, string>>;
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  readonly bornHost: string;
  readonly storeHost: string;

  constructor(
    /** The raw message. */
    readonly message: MessageExt,
    /** The listener's consumer group. */
    readonly consumerGroup: string,
  ) {
    this.msgId = message.msgId;
    this.offsetMsgId = message.offsetMsgId;
    this.topic = message.getProperty('RETRY_TOPIC') ?? message.topic;
    this.tags = message.tags;
    this.keys = message.keys;
    this.queueId = message.queueId;
    this.queueOffset = message.queueOffset;
    this.brokerName = message.brokerName;
    this.reconsumeTimes = message.reconsumeTimes;
    this.properties = message.properties;
    this.bornTimestamp = message.bornTimestamp;
    this.storeTimestamp = message.storeTimestamp;
    this.bornHost = message.bornHost;
    this.storeHost = message.storeHost;
  }

  /** One property (user properties included). */
  getProperty(name: string): string | undefined {
    return this.message.getProperty(name);
  }

  /** The body as it came, before conversion. */
  get body(): Buffer {
    return this.message.body;
  }
}
