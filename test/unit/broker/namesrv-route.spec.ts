import { afterEach, describe, expect, it } from '@jest/globals';
import { RemotingCommand, RequestCode, ResponseCode } from '../../../lib/remoting/index.js';
import { NamesrvController } from '../../../lib/broker/index.js';
import { sendV2, startBundled } from './broker-test-kit.js';

const route = (topic: string) => RemotingCommand.createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });

describe('NameServer routes', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('routes TBW102 to the broker that registered it', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const response = await kit.client.invoke('127.0.0.1:9876', route('TBW102'), 3000);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(JSON.parse(response.body!.toString())).toEqual({
      brokerDatas: [{ brokerAddrs: { '0': '127.0.0.1:10911' }, brokerName: 'broker-a', cluster: 'DefaultCluster', enableActingMaster: false }],
      filterServerTable: {},
      queueDatas: [{ brokerName: 'broker-a', perm: 7, readQueueNums: 4, topicSysFlag: 0, writeQueueNums: 4 }],
    });
  });

  it('synthesizes a 4-queue route for an unknown valid topic, and none for system or invalid ones', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const response = await kit.client.invoke('127.0.0.1:9876', route('NotYetSent'), 3000);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const data = JSON.parse(response.body!.toString());
    expect(data.queueDatas).toEqual([{ brokerName: 'broker-a', perm: 6, readQueueNums: 4, topicSysFlag: 0, writeQueueNums: 4 }]);
    for (const topic of ['SCHEDULE_TOPIC_XXXX', 'bad topic!', '%RETRY%nobody']) {
      const missing = await kit.client.invoke('127.0.0.1:9876', route(topic), 3000);
      expect(missing.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
      expect(missing.remark).toBe(`No topic route info in name server for the topic: ${topic}`);
    }
  });

  it('answers TOPIC_NOT_EXIST for unknown topics when autoCreateTopicRoutes is off', () => {
    const namesrv = new NamesrvController({ autoCreateTopicRoutes: false });
    namesrv.routeInfoManager.registerBroker({
      clusterName: 'DefaultCluster',
      brokerAddr: '127.0.0.1:10911',
      brokerName: 'broker-a',
      brokerId: 0,
      haServerAddr: '',
      channel: undefined,
      topicConfigWrapper: {
        topicConfigTable: {
          TBW102: { topicName: 'TBW102', readQueueNums: 4, writeQueueNums: 4, perm: 7, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false },
        },
        dataVersion: { timestamp: 1, counter: 1 },
      },
    });
    expect(namesrv.routeInfoManager.pickupTopicRouteData('TBW102')).toBeDefined();
    expect(namesrv.routeInfoManager.pickupTopicRouteData('Other')).toBeUndefined();
  });

  it('publishes the route of an auto-created topic by the time the send is answered', async () => {
    const kit = await startBundled({ broker: { defaultTopicQueueNums: 2 } });
    stop = kit.stop;
    const sent = await kit.client.invoke('127.0.0.1:10911', sendV2('AutoTopic', 'x'), 3000);
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    const response = await kit.client.invoke('127.0.0.1:9876', route('AutoTopic'), 3000);
    expect(JSON.parse(response.body!.toString()).queueDatas[0]).toMatchObject({ perm: 6, readQueueNums: 2, writeQueueNums: 2 });
    const list = await kit.client.invoke('127.0.0.1:9876', RemotingCommand.createRequest(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER), 3000);
    expect(JSON.parse(list.body!.toString()).topicList).toEqual(expect.arrayContaining(['TBW102', 'AutoTopic']));
    const cluster = await kit.client.invoke('127.0.0.1:9876', RemotingCommand.createRequest(RequestCode.GET_BROKER_CLUSTER_INFO), 3000);
    expect(JSON.parse(cluster.body!.toString())).toEqual({
      brokerAddrTable: { 'broker-a': { brokerAddrs: { '0': '127.0.0.1:10911' }, brokerName: 'broker-a', cluster: 'DefaultCluster', enableActingMaster: false } },
      clusterAddrTable: { DefaultCluster: ['broker-a'] },
    });
  });

  it('drops the broker from routes when it shuts down', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    kit.mq.brokerController.shutdown();
    await new Promise((r) => setImmediate(r));
    expect(kit.mq.namesrvController.routeInfoManager.pickupTopicRouteData('TBW102')).toBeUndefined();
  });

  it('answers unknown request codes with REQUEST_CODE_NOT_SUPPORTED', async () => {
    const kit = await startBundled();
    stop = kit.stop;
    const response = await kit.client.invoke('127.0.0.1:10911', RemotingCommand.createRequest(9999), 3000);
    expect(response.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
  });
});
