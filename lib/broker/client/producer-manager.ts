import { RemotingChannel } from '../../remoting/index.js';
import { ClientChannelInfo } from './client-channel-info.js';

/** Live producer groups (ProducerManager): the channels the broker can call back (transaction checks). */
export class ProducerManager {
  private readonly groupChannelTable = new Map<string, Map<RemotingChannel, ClientChannelInfo>>();
  /** Rotates transaction check-backs over a group's instances, as RocketMQ's positiveAtomicCounter does. */
  private channelCounter = 0;

  registerProducer(group: string, info: ClientChannelInfo): void {
    let channels = this.groupChannelTable.get(group);
    if (!channels) this.groupChannelTable.set(group, (channels = new Map()));
    const existing = channels.get(info.channel);
    if (existing) existing.lastUpdateTimestamp = info.lastUpdateTimestamp;
    else channels.set(info.channel, info);
  }

  unregisterProducer(group: string, channel: RemotingChannel): void {
    const channels = this.groupChannelTable.get(group);
    if (!channels) return;
    channels.delete(channel);
    if (channels.size === 0) this.groupChannelTable.delete(group);
  }

  doChannelCloseEvent(channel: RemotingChannel): void {
    for (const group of [...this.groupChannelTable.keys()]) this.unregisterProducer(group, channel);
  }

  scanNotActiveChannel(expiredMillis: number, now = Date.now()): void {
    for (const [group, channels] of [...this.groupChannelTable]) {
      for (const [channel, info] of [...channels]) {
        if (now - info.lastUpdateTimestamp > expiredMillis) channels.delete(channel);
      }
      if (channels.size === 0) this.groupChannelTable.delete(group);
    }
  }

  /**
   * An open channel of the group, for calls back to a producer (any instance of the group may answer a
   * transaction check); successive calls rotate over the group's channels. Undefined when none is connected.
   */
  getAvailableChannel(group: string): RemotingChannel | undefined {
    const channels = this.groupChannelTable.get(group);
    if (!channels || channels.size === 0) return undefined;
    const list = [...channels.keys()];
    this.channelCounter = (this.channelCounter + 1) & 0x7fffffff;
    for (let n = 0; n < list.length; n++) {
      const channel = list[(this.channelCounter + n) % list.length];
      if (!channel.closed) return channel;
    }
    return undefined;
  }

  /** The open channel of the producer whose client id is `clientId` (request-reply pushes the reply there). */
  findChannel(clientId: string): RemotingChannel | undefined {
    for (const channels of this.groupChannelTable.values()) {
      for (const [channel, info] of channels) if (info.clientId === clientId && !channel.closed) return channel;
    }
    return undefined;
  }

  getGroupChannels(group: string): ReadonlyMap<RemotingChannel, ClientChannelInfo> | undefined {
    return this.groupChannelTable.get(group);
  }
}
