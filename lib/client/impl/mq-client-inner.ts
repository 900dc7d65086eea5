import { MessageQueue } from '../../message/index.js';
import { TopicPublishInfo } from '../route/topic-publish-info.js';
import { SubscriptionData } from './subscription-data.js';

/** What a client instance needs from each producer it serves (MQProducerInner). */
export interface MQProducerInner {
  readonly groupName: string;
  publishTopics(): string[];
  updateTopicPublishInfo(topic: string, info: TopicPublishInfo): void;
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
}
