import { RemotingChannel } from '../../remoting/index.js';

/** One client connection in a producer or consumer group (ClientChannelInfo). */
export interface ClientChannelInfo {
  channel: RemotingChannel;
  clientId: string;
  language: string;
  version: number;
  lastUpdateTimestamp: number;
}
