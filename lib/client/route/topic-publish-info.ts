import { MessageQueue } from '../../message/index.js';
import { PermName } from '../../remoting/index.js';
import { TopicRouteData } from './topic-route-data.js';

/** The writable queues of a topic, in the order a producer rotates through them (TopicPublishInfo). */
export class TopicPublishInfo {
  readonly messageQueues: MessageQueue[] = [];
  /** Whether the route came from the auto-create key topic because the topic has none yet. */
  usesDefaultTopicRoute = false;
  private sendWhichQueue = Math.floor(Math.random() * 1024);

  constructor(
    readonly route: TopicRouteData,
    topic: string,
    maxQueuesPerBroker = Number.MAX_SAFE_INTEGER,
  ) {
    if (route.orderTopicConf) {
      for (const item of route.orderTopicConf.split(';')) {
        const [brokerName, nums] = item.split(':');
        for (let i = 0; i < Number(nums); i++) this.messageQueues.push({ topic, brokerName, queueId: i });
      }
      return;
    }
    const queueDatas = [...route.queueDatas].sort((a, b) => (a.brokerName < b.brokerName ? -1 : 1));
    for (const qd of queueDatas) {
      if (!(qd.perm & PermName.PERM_WRITE)) continue;
      if (!route.brokerDatas.some((b) => b.brokerName === qd.brokerName && b.brokerAddrs['0'])) continue;
      const count = Math.min(qd.writeQueueNums, maxQueuesPerBroker);
      for (let i = 0; i < count; i++) this.messageQueues.push({ topic, brokerName: qd.brokerName, queueId: i });
    }
  }

  ok(): boolean {
    return this.messageQueues.length > 0;
  }

  /** Round robin over all queues, avoiding the broker that just failed when another one exists. */
  selectOneMessageQueue(lastBrokerName?: string): MessageQueue {
    const n = this.messageQueues.length;
    if (lastBrokerName) {
      for (let i = 0; i < n; i++) {
        const mq = this.messageQueues[this.nextIndex() % n];
        if (mq.brokerName !== lastBrokerName) return mq;
      }
    }
    return this.messageQueues[this.nextIndex() % n];
  }

  private nextIndex(): number {
    this.sendWhichQueue = (this.sendWhichQueue + 1) & 0x7fffffff;
    return this.sendWhichQueue;
  }
}
