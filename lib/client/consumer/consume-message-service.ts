import { MessageExt, MessageQueue } from '../../message/index.js';
import { ProcessQueue } from './process-queue.js';

/** Hands pulled messages to the listener (ConsumeMessageService). */
export interface ConsumeMessageService {
  submitConsumeRequest(msgs: MessageExt[], pq: ProcessQueue, mq: MessageQueue): void;
  /** Waits for handlers still running, at most `timeoutMillis`; true if all finished. */
  shutdown(timeoutMillis: number): Promise<boolean>;
}

/** What the consume services need from their push consumer. */
export interface ConsumeHost {
  readonly groupName: string;
  readonly isBroadcasting: boolean;
  readonly running: boolean;
  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void;
  /** CONSUMER_SEND_MSG_BACK; resolves false when the broker could not take the message back. */
  sendMessageBack(msg: MessageExt, delayLevel: number, mq: MessageQueue): Promise<boolean>;
  /** The configured retry limit; -1 keeps RocketMQ's default for the consume mode. */
  readonly maxReconsumeTimes: number;
  /** Orderly clustering consumers consume a queue only while the broker holds its lock for them. */
  readonly lockQueuesOnBroker?: boolean;
}
