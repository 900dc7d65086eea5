import { SubscriptionData } from './subscription-data.js';

/** One consumer group's entry in a heartbeat (ConsumerData). */
export interface ConsumerData {
  groupName: string;
  consumeType: 'CONSUME_ACTIVELY' | 'CONSUME_PASSIVELY' | 'CONSUME_POP';
  messageModel: string;
  consumeFromWhere: string;
  subscriptionDataSet: SubscriptionData[];
  unitMode: boolean;
}

/** The HEART_BEAT body (HeartbeatData). */
export interface HeartbeatData {
  clientID: string;
  producerDataSet: Array<{ groupName: string }>;
  consumerDataSet: ConsumerData[];
}
