import { Logger } from '@nestjs/common';
import { RemotingChannel } from '../../remoting/index.js';
import { SubscriptionData } from '../filter/index.js';
import { ClientChannelInfo } from './client-channel-info.js';
import { ConsumerGroupInfo } from './consumer-group-info.js';

/** Called when a consumer group's members or subscriptions changed, with the channels to tell. */
export type ConsumerIdsChangeListener = (group: string, channels: RemotingChannel[]) => void;

/**
 * Live consumer groups (ConsumerManager): who is in each group, over which channel, subscribed to what.
 * Members leave on unregister, on channel close and when their heartbeats stop.
 */
export class ConsumerManager {
  private readonly logger = new Logger(ConsumerManager.name);
  private readonly consumerTable = new Map<string, ConsumerGroupInfo>();

  constructor(private readonly onIdsChanged: ConsumerIdsChangeListener = () => undefined) {}

  getConsumerGroupInfo(group: string): ConsumerGroupInfo | undefined {
    return this.consumerTable.get(group);
  }

  findSubscriptionData(group: string, topic: string): SubscriptionData | undefined {
    return this.consumerTable.get(group)?.findSubscriptionData(topic);
  }

  groups(): IterableIterator<string> {
    return this.consumerTable.keys();
  }

  /** Registers a heartbeat; returns true and notifies the group when a member or subscription changed. */
  registerConsumer(
    group: string,
    info: ClientChannelInfo,
    consumeType: string,
    messageModel: string,
    consumeFromWhere: string,
    subList: SubscriptionData[],
    notify: boolean,
  ): boolean {
    let groupInfo = this.consumerTable.get(group);
    if (!groupInfo) {
      groupInfo = new ConsumerGroupInfo(group, consumeType, messageModel, consumeFromWhere);
      this.consumerTable.set(group, groupInfo);
    }
    const newMember = groupInfo.updateChannel(info, consumeType, messageModel, consumeFromWhere);
    const newSubscription = groupInfo.updateSubscription(subList);
    if (newMember) this.logger.log(`consumer ${info.clientId} joined group ${group}`);
    const changed = newMember || newSubscription;
    if (changed && notify) this.onIdsChanged(group, groupInfo.getAllChannels());
    return changed;
  }

  unregisterConsumer(group: string, channel: RemotingChannel, notify: boolean): void {
    const groupInfo = this.consumerTable.get(group);
    if (!groupInfo || !groupInfo.unregisterChannel(channel)) return;
    this.afterRemoval(groupInfo, notify);
  }

  /** A client's connection closed: it leaves every group it was in. */
  doChannelCloseEvent(channel: RemotingChannel): void {
    for (const groupInfo of [...this.consumerTable.values()]) {
      if (groupInfo.unregisterChannel(channel)) this.afterRemoval(groupInfo, true);
    }
  }

  /** Drops members whose last heartbeat is older than `expiredMillis`; closes their channels. */
  scanNotActiveChannel(expiredMillis: number, now = Date.now()): void {
    for (const groupInfo of [...this.consumerTable.values()]) {
      let removed = false;
      for (const [channel, info] of [...groupInfo.channelInfoTable]) {
        if (now - info.lastUpdateTimestamp > expiredMillis) {
          this.logger.warn(`consumer ${info.clientId} of group ${groupInfo.groupName} expired, no heartbeat for ${now - info.lastUpdateTimestamp} ms`);
          groupInfo.unregisterChannel(channel);
          removed = true;
        }
      }
      if (removed) this.afterRemoval(groupInfo, true);
    }
  }

  private afterRemoval(groupInfo: ConsumerGroupInfo, notify: boolean): void {
    if (groupInfo.channelInfoTable.size === 0) {
      this.consumerTable.delete(groupInfo.groupName);
      return;
    }
    if (notify) this.onIdsChanged(groupInfo.groupName, groupInfo.getAllChannels());
  }
}
