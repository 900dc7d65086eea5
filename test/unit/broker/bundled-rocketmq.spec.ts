import { describe, expect, it } from '@jest/globals';
import { BundledRocketMQ, RocketMQBrokerConfigError } from '../../../lib/broker/index.js';
import { decodeMessageRecords } from '../../../lib/message/index.js';
import { InProcessRemotingClient, ResponseCode } from '../../../lib/remoting/index.js';
import { pull, sendV2 } from './broker-test-kit.js';

describe('BundledRocketMQ', () => {
  it('starts and exposes its addresses', async () => {
    // How fast it starts is measured outside the test suite (a timed assertion flakes on a loaded machine).
    const mq = new BundledRocketMQ();
    await mq.start();
    expect(mq.nameServerAddress).toBe('127.0.0.1:9876');
    expect(mq.brokerAddress).toBe('127.0.0.1:10911');
    expect(mq.brokerController.brokerConfig).toMatchObject({ brokerClusterName: 'DefaultCluster', brokerName: 'broker-a', defaultTopicQueueNums: 4 });
    await mq.shutdown();
    await mq.shutdown();
  });

  it('keeps two instances in one process fully isolated', async () => {
    const a = new BundledRocketMQ();
    const b = new BundledRocketMQ({ broker: { brokerName: 'broker-b' } });
    await Promise.all([a.start(), b.start()]);
    const clientA = new InProcessRemotingClient(a.registry, '127.0.0.1:50001');
    const clientB = new InProcessRemotingClient(b.registry, '127.0.0.1:50001');
    await clientA.invoke(a.brokerAddress, sendV2('Iso', 'only-in-a'), 3000);
    const inA = await clientA.invoke(a.brokerAddress, pull('Iso', 0, 0), 3000);
    const inB = await clientB.invoke(b.brokerAddress, pull('Iso', 0, 0), 3000);
    expect(decodeMessageRecords(inA.body!).map((m) => m.body.toString())).toEqual(['only-in-a']);
    expect(inB.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(b.namesrvController.routeInfoManager.getAllTopicList()).not.toContain('Iso');
    clientA.shutdown();
    clientB.shutdown();
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  it('rejects unknown keys and bad values with RocketMQBrokerConfigError naming the key', () => {
    const attempt = (options: unknown) => {
      try {
        new BundledRocketMQ(options as never);
      } catch (err) {
        return err as RocketMQBrokerConfigError;
      }
      throw new Error('expected a config error');
    };
    const unknown = attempt({ broker: { listenPrt: 1 } });
    expect(unknown).toBeInstanceOf(RocketMQBrokerConfigError);
    expect(unknown.key).toBe('broker.listenPrt');
    expect(unknown.message).toContain('unknown broker option');
    const bad = attempt({ broker: { defaultTopicQueueNums: 0 } });
    expect(bad.key).toBe('broker.defaultTopicQueueNums');
    expect(bad.message).toContain('an integer from 1 to 1024');
    expect(attempt({ broker: { store: 'disk' } }).key).toBe('broker.store');
    expect(attempt({ nameServerAddress: 'nope' }).key).toBe('nameServerAddress');
    expect(attempt({ foo: 1 }).key).toBe('foo');
    expect(attempt({ broker: { longPollingEnable: 'yes' } }).message).toContain('must be a boolean');
  });
});
