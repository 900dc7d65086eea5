/** A topic's queues on one broker (QueueData). */
export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag?: number;
}

/** A broker group's addresses by broker id, 0 being the master (BrokerData). */
export interface BrokerData {
  cluster: string;
  brokerName: string;
  brokerAddrs: Record<string, string>;
  enableActingMaster?: boolean;
}

/** What GET_ROUTEINFO_BY_TOPIC answers (TopicRouteData). */
export interface TopicRouteData {
  orderTopicConf?: string;
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
  filterServerTable?: Record<string, string[]>;
}

/**
 * Parses a route body. NameServers before 4.9.4 write broker ids as unquoted numeric keys
 * (`{0:"host:port"}`), which JSON.parse rejects, so those keys are quoted first.
 */
export function parseTopicRouteData(body: Buffer | undefined): TopicRouteData {
  const text = body ? body.toString('utf8') : '{}';
  let raw: Partial<TopicRouteData>;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = JSON.parse(text.replace(/([{,]\s*)(-?\d+)\s*:/g, '$1"$2":'));
  }
  return {
    orderTopicConf: raw.orderTopicConf,
    queueDatas: raw.queueDatas ?? [],
    brokerDatas: raw.brokerDatas ?? [],
    filterServerTable: raw.filterServerTable ?? {},
  };
}

export function masterAddress(broker: BrokerData): string | undefined {
  return broker.brokerAddrs['0'];
}

/** Whether two routes name the same queues and brokers, so a refresh can skip rebuilding. */
export function sameRoute(a: TopicRouteData | undefined, b: TopicRouteData): boolean {
  if (!a) return false;
  const key = (r: TopicRouteData) =>
    JSON.stringify([
      [...r.queueDatas].sort((x, y) => (x.brokerName < y.brokerName ? -1 : 1)),
      [...r.brokerDatas].sort((x, y) => (x.brokerName < y.brokerName ? -1 : 1)),
      r.orderTopicConf ?? '',
    ]);
  return key(a) === key(b);
}
