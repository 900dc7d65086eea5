/** A topic's queues on one broker group (QueueData). */
export interface QueueData {
  brokerName: string;
  perm: number;
  readQueueNums: number;
  topicSysFlag: number;
  writeQueueNums: number;
}

/** A broker group's addresses by broker id, "0" being the master (BrokerData). */
export interface BrokerData {
  brokerAddrs: Record<string, string>;
  brokerName: string;
  cluster: string;
  enableActingMaster: boolean;
}

/** GET_ROUTEINFO_BY_TOPIC's body (TopicRouteData), keys in the sorted order Java's JSON writer uses. */
export interface TopicRouteData {
  brokerDatas: BrokerData[];
  filterServerTable: Record<string, string[]>;
  queueDatas: QueueData[];
}

/** GET_BROKER_CLUSTER_INFO's body (ClusterInfo). */
export interface ClusterInfo {
  brokerAddrTable: Record<string, BrokerData>;
  clusterAddrTable: Record<string, string[]>;
}
