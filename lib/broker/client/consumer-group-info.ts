import { RemotingChannel } from '../../remoting/index.js';
import { SubscriptionData } from '../filter/index.js';
import { ClientChannelInfo } from './client-channel-info.js';

/** Everything the broker knows about one consumer group (ConsumerGroupInfo). */
export class ConsumerGroupInfo {
  readonly channelInfoTable = new Map<RemotingChannel, ClientChannelInfo>();
  readonly subscriptionTable = new Map<string, SubscriptionData>();
  lastUpdateTimestamp = Date.now();

  constructor(
    readonly groupName: string,
    public consumeType: string,
    public messageModel: string,
    public consumeFromWhere: string,
  ) {}

  findSubscriptionData(topic: string): SubscriptionData | undefined {
    return this.subscriptionTable.get(topic);
  }

  getAllChannels(): RemotingChannel[] {
    return [...this.channelInfoTable.keys()];
  }

  getAllClientIds(): string[] {
    const ids: string[] = [];
    for (const info of this.channelInfoTable.values()) ids.push(info.clientId);
    return ids;
  }

  /** Adds or refreshes a client; true when it is new to the group. */
  updateChannel(info: ClientChannelInfo, consumeType: string, messageModel: string, consumeFromWhere: string): boolean {
    this.consumeType = consumeType;
    this.messageModel = messageModel;
    this.consumeFromWhere = consumeFromWhere;
    this.lastUpdateTimestamp = Date.now();
    const existing = this.channelInfoTable.get(info.channel);
    if (existing && existing.clientId === info.clientId) {
      existing.lastUpdateTimestamp = info.lastUpdateTimestamp;
      return false;
    }
    this.channelInfoTable.set(info.channel, info);
    return true;
  }

  /** Replaces the subscriptions with the heartbeat's; true when any topic or expression changed. */
  updateSubscription(subList: SubscriptionData[]): boolean {
    let updated = false;
    const topics = new Set<string>();
    for (const sub of subList) {
      topics.add(sub.topic);
      const old = this.subscriptionTable.get(sub.topic);
      if (!old) {
        this.subscriptionTable.set(sub.topic, sub);
        updated = true;
      } else if (sub.subVersion > old.subVersion) {
        if (old.subString !== sub.subString || old.expressionType !== sub.expressionType) updated = true;
        this.subscriptionTable.set(sub.topic, sub);
      }
    }
    for (const topic of [...this.subscriptionTable.keys()]) {
      if (!topics.has(topic)) {
        this.subscriptionTable.delete(topic);
        updated = true;
      }
    }
    this.lastUpdateTimestamp = Date.now();
    return updated;
  }

  /** Removes a client's channel; true when it was a member. */
  unregisterChannel(channel: RemotingChannel): boolean {
    return this.channelInfoTable.delete(channel);
  }
}
