import { Logger } from '@nestjs/common';
import { RemotingClient, RemotingCommand, RequestCode, ResponseCode } from '../remoting/index.js';
import { TopicConfigSerializeWrapper } from './topic-config-manager.js';

/** REGISTER_BROKER's header fields (RegisterBrokerRequestHeader). */
export interface RegisterBrokerHeader {
  brokerName: string;
  brokerAddr: string;
  clusterName: string;
  haServerAddr: string;
  brokerId: number;
}

/** Registration timeout, as RocketMQ's registerBrokerAll uses. */
const REGISTER_TIMEOUT_MILLIS = 6000;

/**
 * The broker's calls to NameServers (BrokerOuterAPI), over any RemotingClient: in-process today, TCP when
 * the broker registers into a remote NameServer.
 */
export class BrokerOuterAPI {
  private readonly logger = new Logger(BrokerOuterAPI.name);

  constructor(private readonly remotingClient: RemotingClient) {}

  /** Registers with every NameServer in `namesrvAddr` (`;`-separated); failures are logged, not thrown. */
  async registerBrokerAll(
    namesrvAddr: string,
    header: RegisterBrokerHeader,
    topicConfigWrapper: TopicConfigSerializeWrapper,
  ): Promise<boolean> {
    const body = Buffer.from(JSON.stringify({ topicConfigSerializeWrapper: topicConfigWrapper, filterServerList: [] }), 'utf8');
    const results = await Promise.all(
      splitAddresses(namesrvAddr).map(async (address) => {
        const request = RemotingCommand.createRequest(
          RequestCode.REGISTER_BROKER,
          { ...header, compressed: false, bodyCrc32: 0 },
          body,
        );
        try {
          const response = await this.remotingClient.invoke(address, request, REGISTER_TIMEOUT_MILLIS);
          if (response.code !== ResponseCode.SUCCESS) {
            this.logger.warn(`register broker to name server ${address} failed: ${response.code} ${response.remark ?? ''}`);
            return false;
          }
          return true;
        } catch (err) {
          this.logger.warn(`register broker to name server ${address} failed: ${err instanceof Error ? err.message : String(err)}`);
          return false;
        }
      }),
    );
    return results.every(Boolean);
  }

  unregisterBrokerAll(namesrvAddr: string, header: Omit<RegisterBrokerHeader, 'haServerAddr'>): void {
    for (const address of splitAddresses(namesrvAddr)) {
      try {
        this.remotingClient.invokeOneway(address, RemotingCommand.createRequest(RequestCode.UNREGISTER_BROKER, header));
      } catch {
        // The NameServer is gone already; it drops the broker when the connection closes or expires.
      }
    }
  }

  shutdown(): void {
    this.remotingClient.shutdown();
  }
}

function splitAddresses(namesrvAddr: string): string[] {
  return namesrvAddr
    .split(';')
    .map((a) => a.trim())
    .filter(Boolean);
}
