import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { BundledRocketMQ, parseBrokerConf, resolveBrokerOptions, RocketMQBrokerConfigError } from '../../../lib/broker/index.js';

/** A 2m-2s-sync master broker.conf as the seeds publish it, with both spellings and the seed's typo. */
const MASTER_CONF = `
# cluster
brokerClusterName=rocketmq-cluster
brokerName=broker-a
brokerId=0
namesrvAddr=h1:9876;h2:9876
brokerIP1=192.168.0.2 #comment after the value
defaultTopicQueueNums=4
autoCreateTopicEnable=true
autoCreateSubscriptionGroup=true
listenPort=10911
deleteWhen=04
fileReservedTime=120
mapedFileSizeCommitLog=1073741824
mappedFileSizeConsumeQueue=300000
destroyMapedFileIntervalForcibly=120000
redelateHangedFileInterval=120000
diskMaxUsedSpaceRatio=88
storePathRootDir=/opt/module/rocketmq/store/broker-a
storePathCommitLog=/opt/module/rocketmq/store/broker-a/commitlog
storePathConsumeQueue=/opt/module/rocketmq/store/broker-a/consumequeue
storePathIndex=/opt/module/rocketmq/store/broker-a/index
storeCheckpoint=/opt/module/rocketmq/store/checkpoint
abortFile=/opt/module/rocketmq/store/abort
maxMessageSize=65536
flushCommitLogLeastPages=4
flushConsumeQueueLeastPages=2
flushCommitLogThoroughInterval=10000
flushConsumeQueueThoroughInterval=60000
brokerRole=SYNC_MASTER
flushDiskType=SYNC_FLUSH
checkTransactionMessageEnable=false
sendMessageThreadPoolNums=128
pullMessageThreadPoolNums=128
messageDelayLevel=1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h
transactionCheckMax=15
transactionCheckInterval=60000
transactionMsgTimeout=6000
slaveReadEnable=false
enablePropertyFilter=true
`;

function configError(run: () => unknown): RocketMQBrokerConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof RocketMQBrokerConfigError) return err;
    throw err;
  }
  throw new Error('expected a RocketMQBrokerConfigError');
}

describe('broker.conf keys, spellings and the store/broker split', () => {
  it('parses key=value lines, comments and trailing "#" comments', () => {
    const conf = parseBrokerConf('# c\n! also c\n\nbrokerName = broker-b\nlistenPort: 10921\nbrokerIP1=10.0.0.1 # note\nmessageDelayLevel=1s 2s\r\n');
    expect(conf).toEqual({ brokerName: 'broker-b', listenPort: '10921', brokerIP1: '10.0.0.1', messageDelayLevel: '1s 2s' });
    expect(configError(() => parseBrokerConf('=novalue')).key).toBe('line 1');
  });

  it('accepts every key of the seeds broker.conf, converts strings and splits broker from store keys', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const resolved = resolveBrokerOptions({ ...parseBrokerConf(MASTER_CONF), store: 'file' });
      expect(resolved.store).toBe('file');
      expect(resolved.brokerConfig).toMatchObject({
        brokerClusterName: 'rocketmq-cluster',
        brokerName: 'broker-a',
        brokerId: 0,
        namesrvAddr: 'h1:9876;h2:9876',
        brokerIP1: '192.168.0.2',
        defaultTopicQueueNums: 4,
        autoCreateTopicEnable: true,
        listenPort: 10911,
        maxMessageSize: 65536,
        transactionCheckMax: 15,
        transactionCheckInterval: 60000,
        transactionTimeOut: 6000,
        enablePropertyFilter: true,
      });
      expect(resolved.storeConfig).toEqual({
        storePathRootDir: '/opt/module/rocketmq/store/broker-a',
        storePathCommitLog: '/opt/module/rocketmq/store/broker-a/commitlog',
        storePathConsumeQueue: '/opt/module/rocketmq/store/broker-a/consumequeue',
        storePathIndex: '/opt/module/rocketmq/store/broker-a/index',
        storeCheckpoint: '/opt/module/rocketmq/store/checkpoint',
        abortFile: '/opt/module/rocketmq/store/abort',
        deleteWhen: '04',
        fileReservedTime: 120,
        mappedFileSizeCommitLog: 1073741824,
        mappedFileSizeConsumeQueue: 300000,
        destroyMapedFileIntervalForcibly: 120000,
        diskMaxUsedSpaceRatio: 88,
        maxMessageSize: 65536,
        // The broker's delay levels, so recovery can recompute when parked delayed messages fall due.
        messageDelayLevel: '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h',
        flushCommitLogLeastPages: 4,
        flushConsumeQueueLeastPages: 2,
        flushCommitLogThoroughInterval: 10000,
        flushConsumeQueueThoroughInterval: 60000,
        flushDiskType: 'SYNC_FLUSH',
      });
      // The seed's typo is accepted, and the operator is told the right name.
      expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/redelateHangedFileInterval.*redeleteHangedFileInterval/);
    } finally {
      warn.mockRestore();
    }
  });

  it('both spellings of the mapped-file keys; the canonical one wins when both are given', () => {
    expect(resolveBrokerOptions({ mapedFileSizeConsumeQueue: 6000 }).storeConfig.mappedFileSizeConsumeQueue).toBe(6000);
    expect(resolveBrokerOptions({ destroyMappedFileIntervalForcibly: '5000' }).storeConfig.destroyMapedFileIntervalForcibly).toBe(5000);
    const both = resolveBrokerOptions({ mapedFileSizeCommitLog: 8192, mappedFileSizeCommitLog: 16384 });
    expect(both.storeConfig.mappedFileSizeCommitLog).toBe(16384);
    const bothReversed = resolveBrokerOptions({ mappedFileSizeCommitLog: 16384, mapedFileSizeCommitLog: 8192 });
    expect(bothReversed.storeConfig.mappedFileSizeCommitLog).toBe(16384);
    expect(resolveBrokerOptions({ transactionMsgTimeout: '3000' }).brokerConfig.transactionTimeOut).toBe(3000);
  });

  it('defaults: memory store, root .rocketmq under the working directory', () => {
    const resolved = resolveBrokerOptions({});
    expect(resolved.store).toBe('memory');
    expect(resolved.storeConfig.storePathRootDir).toBe(join(process.cwd(), '.rocketmq'));
    expect(resolved.brokerConfig.flushConsumerOffsetInterval).toBe(5000);
  });

  it('an unknown key is refused, naming it and the closest known key', () => {
    const typo = configError(() => resolveBrokerOptions(parseBrokerConf('flushDiskTyp=SYNC_FLUSH')));
    expect(typo.key).toBe('broker.flushDiskTyp');
    expect(typo.message).toContain('did you mean "flushDiskType"');
    const typo2 = configError(() => new BundledRocketMQ({ broker: { storePathRootDr: '/tmp/x' } as never }));
    expect(typo2.message).toContain('"storePathRootDir"');
    expect(configError(() => resolveBrokerOptions({ zzzzzzzzzzzzzzzzzzzzzzzzzzzz: 1 })).message).not.toContain('did you mean');
  });

  it('bad values name the key and what it expects', () => {
    expect(configError(() => resolveBrokerOptions({ listenPort: 'abc' })).message).toContain('broker.listenPort" must be an integer');
    expect(configError(() => resolveBrokerOptions({ autoCreateTopicEnable: 'yes' })).message).toContain('must be a boolean');
    expect(configError(() => resolveBrokerOptions({ flushDiskType: 'SOMETIMES' })).message).toContain('ASYNC_FLUSH, SYNC_FLUSH');
    expect(configError(() => resolveBrokerOptions({ deleteWhen: '4am' })).key).toBe('broker.deleteWhen');
    expect(configError(() => resolveBrokerOptions({ mappedFileSizeCommitLog: 100 })).message).toContain('>= 4096');
    expect(configError(() => resolveBrokerOptions({ store: 'disk' })).key).toBe('broker.store');
  });

  it('brokerRole: a master role is accepted, SLAVE is refused with a named error', () => {
    expect(resolveBrokerOptions({ brokerRole: 'ASYNC_MASTER' }).store).toBe('memory');
    expect(resolveBrokerOptions({ brokerRole: 'SYNC_MASTER', sendMessageThreadPoolNums: 128, checkTransactionMessageEnable: 'false' }).store).toBe('memory');
    const slave = configError(() => resolveBrokerOptions({ brokerRole: 'SLAVE' }));
    expect(slave.key).toBe('broker.brokerRole');
    expect(slave.message).toContain('SLAVE');
    expect(configError(() => resolveBrokerOptions({ brokerRole: 'LEADER' })).message).toContain('ASYNC_MASTER, SYNC_MASTER, SLAVE');
  });
});
