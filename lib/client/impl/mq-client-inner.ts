import { MessageExt, MessageQueue } from '../../message/index.js';
import { TopicPublishInfo } from '../route/topic-publish-info.js';
import { SubscriptionData } from './subscription-data.js';

/** What a client instance needs from each producer it serves (MQProducerInner). */
export interface MQProducerInner {
  readonly groupName: string;
  publishTopics(): string[];
  updateTopicPublishInfo(topic: string, info: TopicPublishInfo): void;
  /** A broker asks for the outcome of a transaction still undecided (CHECK_TRANSACTION_STATE). */
  checkTransactionState?(brokerAddr: string, msg: MessageExt, header: Record<string, string>): void;
}

/** What a client instance needs from each consumer it serves (MQConsumerInner). */
export interface MQConsumerInner {
  readonly groupName: string;
  readonly messageModel: string;
  readonly consumeFromWhere: string;
  readonly consumeType: 'CONSUME_ACTIVELY' | 'CONSUME_PASSIVELY';
  subscriptions(): SubscriptionData[];
  updateTopicSubscribeInfo(topic: string, mqs: MessageQueue[]): void;
  doRebalance(): Promise<void>;
  persistConsumerOffset(): Promise<void>;
  /** A broker moved the group's offsets (RESET_CONSUMER_CLIENT_OFFSET): drop cached messages and restart there. */
  resetOffset?(topic: string, offsets: Array<{ mq: MessageQueue; offset: number }>): Promise<void>;
}
