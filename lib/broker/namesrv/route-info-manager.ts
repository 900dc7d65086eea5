import { Logger } from '@nestjs/common';
import { PermName, RemotingChannel } from '../../remoting/index.js';
import { TopicConfig } from '../topic-config.js';
import { TopicConfigSerializeWrapper } from '../topic-config-manager.js';
import { isRetryOrDlqTopic, isSystemTopic, TopicValidator, validateTopic } from '../topic-validator.js';
import { NamesrvConfig } from './namesrv-config.js';
import { BrokerData, ClusterInfo, QueueData, TopicRouteData } from './route-data.js';

interface BrokerLiveInfo {
  lastUpdateTimestamp: number;
  dataVersion: { timestamp: number; counter: number } | undefined;
  channel: RemotingChannel | undefined;
  haServerAddr: string;
  clusterName: string;
  brokerName: string;
  brokerId: number;
}

export interface RegisterBrokerInput {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  haServerAddr: string;
  topicConfigWrapper: TopicConfigSerializeWrapper | undefined;
  channel: RemotingChannel | undefined;
}

/**
 * The NameServer's routing tables (RouteInfoManager): which broker groups hold which topic queues, the
 * addresses of each group, clusters, and when each broker last registered.
 */
export class RouteInfoManager {
  private readonly logger = new Logger(RouteInfoManager.name);
  private readonly topicQueueTable = new Map<string, Map<string, QueueData>>();
  private readonly brokerAddrTable = new Map<string, BrokerData>();
  private readonly clusterAddrTable = new Map<string, Set<string>>();
  private readonly brokerLiveTable = new Map<string, BrokerLiveInfo>();

  constructor(private readonly config: NamesrvConfig) {}

  /** Records a broker and, for a master, its topics; answers the master and HA addresses. */
  registerBroker(input: RegisterBrokerInput): { masterAddr: string | undefined; haServerAddr: string | undefined } {
    const { clusterName, brokerAddr, brokerName, brokerId } = input;
    let names = this.clusterAddrTable.get(clusterName);
    if (!names) this.clusterAddrTable.set(clusterName, (names = new Set()));
    names.add(brokerName);

    let brokerData = this.brokerAddrTable.get(brokerName);
    if (!brokerData) {
      brokerData = { brokerAddrs: {}, brokerName, cluster: clusterName, enableActingMaster: false };
      this.brokerAddrTable.set(brokerName, brokerData);
    }
    // One address holds one role: a slave promoted under the same address replaces its old id.
    for (const [id, addr] of Object.entries(brokerData.brokerAddrs)) {
      if (addr === brokerAddr && Number(id) !== brokerId) delete brokerData.brokerAddrs[id];
    }
    const isNew = brokerData.brokerAddrs[String(brokerId)] !== brokerAddr;
    brokerData.brokerAddrs[String(brokerId)] = brokerAddr;

    if (brokerId === 0 && input.topicConfigWrapper) {
      this.replaceTopicsOfBroker(brokerName, input.topicConfigWrapper.topicConfigTable ?? {});
    }
    this.brokerLiveTable.set(brokerAddr, {
      lastUpdateTimestamp: Date.now(),
      dataVersion: input.topicConfigWrapper?.dataVersion,
      channel: input.channel,
      haServerAddr: input.haServerAddr,
      clusterName,
      brokerName,
      brokerId,
    });
    if (isNew) this.logger.log(`new broker registered, ${brokerAddr} (${clusterName}/${brokerName}/${brokerId})`);
    if (brokerId === 0) return { masterAddr: undefined, haServerAddr: undefined };
    const masterAddr = brokerData.brokerAddrs['0'];
    return { masterAddr, haServerAddr: masterAddr ? this.brokerLiveTable.get(masterAddr)?.haServerAddr : undefined };
  }

  unregisterBroker(clusterName: string, brokerAddr: string, brokerName: string, brokerId: number): void {
    this.brokerLiveTable.delete(brokerAddr);
    const brokerData = this.brokerAddrTable.get(brokerName);
    if (brokerData && brokerData.brokerAddrs[String(brokerId)] === brokerAddr) {
      delete brokerData.brokerAddrs[String(brokerId)];
      this.logger.log(`broker ${brokerAddr} (${clusterName}/${brokerName}/${brokerId}) unregistered`);
    }
    if (brokerData && Object.keys(brokerData.brokerAddrs).length === 0) {
      this.brokerAddrTable.delete(brokerName);
      const names = this.clusterAddrTable.get(clusterName);
      names?.delete(brokerName);
      if (names && names.size === 0) this.clusterAddrTable.delete(clusterName);
      this.removeTopicsOfBroker(brokerName);
    }
  }

  /** The broker whose connection closed leaves the routes at once. */
  onChannelDestroy(channel: RemotingChannel): void {
    for (const [addr, live] of [...this.brokerLiveTable]) {
      if (live.channel === channel) this.unregisterBroker(live.clusterName, addr, live.brokerName, live.brokerId);
    }
  }

  /** Removes brokers that have not registered for brokerChannelExpiredTime. */
  scanNotActiveBroker(now = Date.now()): void {
    for (const [addr, live] of [...this.brokerLiveTable]) {
      if (now - live.lastUpdateTimestamp > this.config.brokerChannelExpiredTime) {
        this.logger.warn(`broker ${addr} expired, not registered for ${now - live.lastUpdateTimestamp} ms`);
        live.channel?.close();
        this.unregisterBroker(live.clusterName, addr, live.brokerName, live.brokerId);
      }
    }
  }

  /** The route of a topic; a synthesized one for unknown topics when autoCreateTopicRoutes is on. */
  pickupTopicRouteData(topic: string): TopicRouteData | undefined {
    const queues = this.topicQueueTable.get(topic);
    if (queues && queues.size > 0) return this.buildRoute([...queues.values()]);
    if (!this.config.autoCreateTopicRoutes || !this.canSynthesize(topic)) return undefined;
    const keyQueues = this.topicQueueTable.get(TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC);
    if (!keyQueues || keyQueues.size === 0) return undefined;
    const n = this.config.defaultTopicQueueNums;
    return this.buildRoute(
      [...keyQueues.values()].map((q) => ({
        brokerName: q.brokerName,
        perm: PermName.PERM_READ | PermName.PERM_WRITE,
        readQueueNums: n,
        topicSysFlag: 0,
        writeQueueNums: n,
      })),
    );
  }

  getAllClusterInfo(): ClusterInfo {
    const brokerAddrTable: Record<string, BrokerData> = {};
    for (const [name, data] of this.brokerAddrTable) brokerAddrTable[name] = data;
    const clusterAddrTable: Record<string, string[]> = {};
    for (const [cluster, names] of this.clusterAddrTable) clusterAddrTable[cluster] = [...names];
    return { brokerAddrTable, clusterAddrTable };
  }

  getAllTopicList(): string[] {
    return [...this.topicQueueTable.keys()];
  }

  private canSynthesize(topic: string): boolean {
    return !validateTopic(topic) && !isSystemTopic(topic) && !isRetryOrDlqTopic(topic);
  }

  private buildRoute(queueDatas: QueueData[]): TopicRouteData | undefined {
    const brokerDatas: BrokerData[] = [];
    for (const q of queueDatas) {
      const data = this.brokerAddrTable.get(q.brokerName);
      if (data) brokerDatas.push({ ...data, brokerAddrs: { ...data.brokerAddrs } });
    }
    if (brokerDatas.length === 0) return undefined;
    return { brokerDatas, filterServerTable: {}, queueDatas: queueDatas.map((q) => ({ ...q })) };
  }

  private replaceTopicsOfBroker(brokerName: string, table: Record<string, TopicConfig>): void {
    for (const [topic, queues] of [...this.topicQueueTable]) {
      if (!(topic in table) && queues.delete(brokerName) && queues.size === 0) this.topicQueueTable.delete(topic);
    }
    for (const [topic, tc] of Object.entries(table)) {
      let queues = this.topicQueueTable.get(topic);
      if (!queues) this.topicQueueTable.set(topic, (queues = new Map()));
      queues.set(brokerName, {
        brokerName,
        perm: tc.perm,
        readQueueNums: tc.readQueueNums,
        topicSysFlag: tc.topicSysFlag ?? 0,
        writeQueueNums: tc.writeQueueNums,
      });
    }
  }

  private removeTopicsOfBroker(brokerName: string): void {
    for (const [topic, queues] of [...this.topicQueueTable]) {
      if (queues.delete(brokerName) && queues.size === 0) this.topicQueueTable.delete(topic);
    }
  }
}
