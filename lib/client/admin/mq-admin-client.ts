import { MessageExt, MessageQueue, decodeMessageRecords, decodeOffsetMessageId } from '../../message/index.js';
import { RemotingCommand, RequestCode, ResponseCode } from '../../remoting/index.js';
import { ClientConfig, withNamespace } from '../client-config.js';
import { MQClientInstance, parseResetOffsetBody } from '../impl/mq-client-instance.js';
import { MQClientInstanceProvider } from '../mq-client-manager.js';
import { MQBrokerError, MQClientError } from '../mq-client.error.js';

/**
 * The admin operations an application needs (a slice of DefaultMQAdminExt): query messages by key, by
 * unique id and by offset id, and move a group's offsets back to a point in time.
 */
export class MQAdminClient {
  private instance?: MQClientInstance;

  constructor(
    private readonly clientConfig: ClientConfig,
    private readonly manager: MQClientInstanceProvider,
  ) {}

  async start(): Promise<void> {
    this.instance = this.manager.getOrCreateInstance(this.clientConfig);
  }

  async shutdown(): Promise<void> {
    this.instance = undefined;
  }

  /** Messages of `topic` whose KEYS contain `key`, newest last (queryMsgByKey). */
  async queryMessageByKey(topic: string, key: string, maxNum = 32, begin = 0, end = Number.MAX_SAFE_INTEGER): Promise<MessageExt[]> {
    const found = await this.queryMessage(topic, key, maxNum, begin, end, false);
    return found.filter((m) => (m.keys ?? '').split(' ').includes(key));
  }

  /** The message whose unique id (UNIQ_KEY, the msgId users see) is `msgId` (queryMsgByUniqueKey). */
  async queryMessageByUniqKey(topic: string, msgId: string): Promise<MessageExt | undefined> {
    const found = await this.queryMessage(topic, msgId, 32, 0, Number.MAX_SAFE_INTEGER, true);
    return found.filter((m) => m.msgId === msgId).sort((a, b) => a.storeTimestamp - b.storeTimestamp)[0];
  }

  /** The message an offset message id names (queryMsgById / VIEW_MESSAGE_BY_ID). */
  async viewMessage(offsetMsgId: string): Promise<MessageExt> {
    const { address, commitLogOffset } = decodeOffsetMessageId(offsetMsgId);
    const instance = this.started();
    const request = RemotingCommand.createRequest(RequestCode.VIEW_MESSAGE_BY_ID, { offset: commitLogOffset });
    const response = await instance.api.remoting.invoke(address, request, instance.timeout);
    if (response.code !== ResponseCode.SUCCESS || !response.body) {
      throw new MQBrokerError(response.code, response.remark ?? `no message at offset id ${offsetMsgId}`, address);
    }
    const [msg] = decodeMessageRecords(response.body);
    if (!msg) throw new MQClientError(`no message at offset id ${offsetMsgId}`);
    return msg;
  }

  /**
   * Moves the group's offsets on every queue of `topic` to the first message stored at or after
   * `timestamp` (resetOffsetByTime); running members of the group jump there at once.
   */
  async resetOffsetByTime(group: string, topic: string, timestamp: number): Promise<Array<{ queue: MessageQueue; offset: number }>> {
    const instance = this.started();
    const t = withNamespace(topic, this.clientConfig.namespace);
    const g = withNamespace(group, this.clientConfig.namespace);
    await instance.updateTopicRoute(t);
    const out: Array<{ queue: MessageQueue; offset: number }> = [];
    for (const addr of this.brokersOf(t)) {
      const request = RemotingCommand.createRequest(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
        topic: t,
        group: g,
        timestamp,
        isForce: true,
      });
      const response = await instance.api.remoting.invoke(addr, request, instance.timeout);
      if (response.code !== ResponseCode.SUCCESS) throw new MQBrokerError(response.code, response.remark, addr);
      if (response.body) for (const { mq, offset } of parseResetOffsetBody(response.body)) out.push({ queue: mq, offset });
    }
    return out;
  }

  private async queryMessage(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
    uniqueKey: boolean,
  ): Promise<MessageExt[]> {
    const instance = this.started();
    const t = withNamespace(topic, this.clientConfig.namespace);
    await instance.updateTopicRoute(t);
    const results = await Promise.all(
      this.brokersOf(t).map(async (addr) => {
        const request = RemotingCommand.createRequest(RequestCode.QUERY_MESSAGE, {
          topic: t,
          key,
          maxNum,
          beginTimestamp: begin,
          endTimestamp: end,
        });
        if (uniqueKey) request.extFields._UNIQUE_KEY_QUERY = 'true';
        const response = await instance.api.remoting.invoke(addr, request, instance.timeout);
        if (response.code === ResponseCode.QUERY_NOT_FOUND) return [];
        if (response.code !== ResponseCode.SUCCESS) throw new MQBrokerError(response.code, response.remark, addr);
        return response.body ? decodeMessageRecords(response.body) : [];
      }),
    );
    return results.flat();
  }

  private brokersOf(topic: string): string[] {
    const route = this.started().getRoute(topic);
    if (!route) throw new MQClientError(`topic ${topic} has no route: it does not exist`);
    return route.brokerDatas.map((b) => b.brokerAddrs['0']).filter((a): a is string => !!a);
  }

  private started(): MQClientInstance {
    if (!this.instance) throw new MQClientError('the admin client is not started');
    return this.instance;
  }
}
