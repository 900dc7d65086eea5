import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundledRocketMQ, resolveBrokerOptions, RocketMQBrokerConfigError } from '../../lib/broker/index.js';
import {
  ClientConfig,
  ConsumeConcurrentlyStatus,
  ConsumeFromWhere,
  DefaultMQProducer,
  DefaultMQPushConsumer,
  MQClientManager,
} from '../../lib/client/index.js';
import { Message, MessageExt } from '../../lib/message/index.js';
import { startBrokerProcess, waitFor } from './multiprocess-kit.js';

jest.setTimeout(60_000);

const ACCOUNT = { accessKey: 'RocketMQ', secretKey: '12345678', defaultTopicPerm: 'PUB|SUB', defaultGroupPerm: 'PUB|SUB' };

const PLAIN_ACL_YML = `globalWhiteRemoteAddresses:
  - 10.10.103.*
accounts:
  - accessKey: RocketMQ
    secretKey: 12345678
    whiteRemoteAddress:
    admin: false
    defaultTopicPerm: PUB|SUB
    defaultGroupPerm: PUB|SUB
`;

/** Each client its own manager, so no two share an instance (or credentials). */
function aclScenarios(nameServer: () => string, topicPrefix: string): void {
  const managers: MQClientManager[] = [];
  const config = (keys: Partial<ClientConfig> = {}): ClientConfig => ({ namesrvAddr: nameServer(), ...keys });
  const producer = (group: string, keys?: Partial<ClientConfig>) => {
    const manager = new MQClientManager();
    managers.push(manager);
    return new DefaultMQProducer({ producerGroup: group, retryTimesWhenSendFailed: 1, sendMsgTimeout: 3000 }, config(keys), manager);
  };

  afterAll(async () => {
    for (const m of managers) await m.shutdown();
  });

  it('refuses an unsigned send with NO_PERMISSION (16)', async () => {
    const p = producer('PG_ACL_UNSIGNED');
    await p.start();
    const error = await p.send(new Message(`${topicPrefix}Topic`, 'unsigned')).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/code 16 \(NO_PERMISSION\)/);
    expect(error!.message).toMatch(/No accessKey is configured/);
    await p.shutdown();
  });

  it('refuses a send signed with the wrong secret', async () => {
    const p = producer('PG_ACL_WRONG', { accessKey: 'RocketMQ', secretKey: 'not-the-secret' });
    await p.start();
    const error = await p.send(new Message(`${topicPrefix}Topic`, 'wrong')).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/code 16 \(NO_PERMISSION\)/);
    expect(error?.message).toMatch(/Check signature failed for accessKey=RocketMQ/);
    await p.shutdown();
  });

  it('serves signed clients afterwards: a signed producer sends and a signed consumer consumes', async () => {
    const topic = `${topicPrefix}Topic`;
    const p = producer('PG_ACL_SIGNED', { accessKey: 'RocketMQ', secretKey: '12345678' });
    await p.start();
    const sent: string[] = [];
    for (let i = 0; i < 8; i++) {
      const result = await p.send(new Message(topic, `signed-${i}`));
      expect(result.sendStatus).toBe('SEND_OK');
      sent.push(`signed-${i}`);
    }
    const manager = new MQClientManager();
    managers.push(manager);
    const consumer = new DefaultMQPushConsumer(
      { consumerGroup: `GID_${topicPrefix}`, consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET },
      config({ accessKey: 'RocketMQ', secretKey: '12345678' }),
      manager,
    );
    const got: MessageExt[] = [];
    consumer.subscribe(topic, '*');
    consumer.registerMessageListener({
      consumeMessage: (msgs) => {
        got.push(...msgs);
        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
      },
    });
    await consumer.start();
    await waitFor(() => new Set(got.map((m) => m.body.toString())).size >= sent.length, 20_000, 'the signed consumer to get every message');
    expect([...new Set(got.map((m) => m.body.toString()))].sort()).toEqual([...sent].sort());
    await consumer.shutdown();
    await p.shutdown();
  });
}

describe('ACL on a bundled broker serving TCP (plainAclConfig)', () => {
  let bundled: BundledRocketMQ;
  beforeAll(async () => {
    bundled = new BundledRocketMQ({
      nameServerAddress: '127.0.0.1:39876',
      broker: { store: 'memory', listen: 0, listenPort: 0, aclEnable: true, plainAclConfig: { accounts: [ACCOUNT] } },
    });
    await bundled.start();
  });
  afterAll(async () => {
    await bundled?.shutdown();
  });
  aclScenarios(() => bundled.listenAddresses!.nameServer, 'AclBundled');
});

describe('ACL on the standalone broker (broker.conf aclEnable=true, plainAclFile)', () => {
  let broker: Awaited<ReturnType<typeof startBrokerProcess>> | undefined;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rmq-acl-'));
    const aclFile = join(dir, 'plain_acl.yml');
    writeFileSync(aclFile, PLAIN_ACL_YML);
    const conf = join(dir, 'broker.conf');
    writeFileSync(conf, `brokerName=broker-acl\naclEnable=true\nplainAclFile=${aclFile}\n`);
    broker = await startBrokerProcess(['-c', conf]);
    expect(broker.child.output.join('\n')).toMatch(/ACL on \(1 account\(s\)\)/);
  });
  afterAll(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  aclScenarios(() => broker!.nameServer!, 'AclStandalone');
});

describe('ACL broker options', () => {
  it('needs the accounts when aclEnable is true, and refuses both sources at once', () => {
    expect(() => resolveBrokerOptions({ aclEnable: 'true' })).toThrow(RocketMQBrokerConfigError);
    expect(() => resolveBrokerOptions({ aclEnable: true })).toThrow(/plainAclFile.*plainAclConfig/);
    expect(() => resolveBrokerOptions({ aclEnable: true, plainAclFile: '/x.yml', plainAclConfig: { accounts: [] } })).toThrow(/exclude each other/);
    expect(() => resolveBrokerOptions({ aclEnable: true, plainAclFile: '/nonexistent/plain_acl.yml' })).toThrow(/cannot read the plain ACL file/);
    expect(() => resolveBrokerOptions({ aclEnable: true, plainAclConfig: { accounts: [{ accessKey: 'a' }] } })).toThrow(/invalid plain ACL config/);
    expect(resolveBrokerOptions({ aclEnable: true, plainAclConfig: { accounts: [ACCOUNT] } }).aclConfig?.accounts).toHaveLength(1);
    expect(resolveBrokerOptions({ aclEnable: 'false', plainAclConfig: { accounts: [ACCOUNT] } }).aclConfig).toBeUndefined();
  });
});
