import { afterEach, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import {
  PlainAclValidator,
  RemotingCommand,
  RequestCode,
  RequestDispatcher,
  ResponseCode,
  TcpRemotingClient,
  TcpRemotingServer,
  compileRemoteAddressPattern,
  parsePlainAclYaml,
  signRemotingCommand,
} from '../../../lib/remoting/index.js';

const ACCOUNTS = {
  accounts: [
    {
      accessKey: 'RocketMQ',
      secretKey: '12345678',
      defaultTopicPerm: 'DENY',
      defaultGroupPerm: 'SUB',
      topicPerms: ['topicA=DENY', 'topicB=PUB|SUB', 'topicC=SUB', 'topicP=PUB'],
      groupPerms: ['groupA=DENY'],
    },
    { accessKey: 'admin', secretKey: 'adminSecret', admin: true },
    { accessKey: 'lan', secretKey: 'lanSecret', whiteRemoteAddress: '127.0.0.*' },
  ],
};

describe('ACL 1.0 signature', () => {
  it('matches an independently computed HmacSHA1 over the sorted values and the body', () => {
    const cmd = RemotingCommand.createRequest(RequestCode.SEND_MESSAGE_V2, { b: 'topicB', a: 'pg', e: 1 }, Buffer.from('body'));
    signRemotingCommand(cmd, 'RocketMQ', '12345678');
    // Keys sorted: AccessKey, a, b, e -> values "RocketMQ" "pg" "topicB" "1", then the body bytes.
    const content = 'RocketMQpgtopicB1body';
    const expected = createHmac('sha1', '12345678').update(content).digest('base64');
    expect(cmd.extFields.AccessKey).toBe('RocketMQ');
    expect(cmd.extFields.Signature).toBe(expected);
    expect(expected).toBe(createHmac('sha1', '12345678').update(Buffer.from(content, 'utf8')).digest('base64'));
  });

  it('sorts keys in Java String order (upper case before lower case) and ignores an old Signature', () => {
    const cmd = RemotingCommand.createRequest(11, { topic: 'T', Zeta: 'z', consumerGroup: 'g', Signature: 'stale' });
    signRemotingCommand(cmd, 'ak', 'sk');
    const expected = createHmac('sha1', 'sk').update('akzgT').digest('base64');
    expect(cmd.extFields.Signature).toBe(expected);
  });
});

describe('PlainAclValidator', () => {
  const acl = new PlainAclValidator(ACCOUNTS);
  const remote = '10.1.2.3:50000';
  const signed = (code: number, fields: Record<string, unknown>, ak = 'RocketMQ', sk = '12345678') => {
    const cmd = RemotingCommand.createRequest(code, fields);
    signRemotingCommand(cmd, ak, sk);
    return cmd;
  };

  it('rejects missing, unknown and wrongly signed requests with a reason', () => {
    expect(acl.validate(RemotingCommand.createRequest(10, { topic: 'topicB' }), remote)).toBe('No accessKey is configured');
    expect(acl.validate(signed(10, { topic: 'topicB' }, 'nobody', 'x'), remote)).toBe('No acl config for nobody');
    expect(acl.validate(signed(10, { topic: 'topicB' }, 'RocketMQ', 'wrong'), remote)).toMatch(/Check signature failed/);
    const tampered = signed(10, { topic: 'topicB' });
    tampered.extFields.topic = 'topicA';
    expect(acl.validate(tampered, remote)).toMatch(/Check signature failed/);
  });

  it('applies topic PUB/SUB/DENY rules to SEND and PULL', () => {
    expect(acl.validate(signed(10, { topic: 'topicB' }), remote)).toBeUndefined();
    expect(acl.validate(signed(310, { a: 'pg', b: 'topicP' }), remote)).toBeUndefined();
    expect(acl.validate(signed(310, { a: 'pg', b: 'topicC' }), remote)).toMatch(/No permission for topicC/);
    expect(acl.validate(signed(10, { topic: 'topicA' }), remote)).toMatch(/No permission for topicA/);
    expect(acl.validate(signed(10, { topic: 'other' }), remote)).toMatch(/No default permission for other/);
    expect(acl.validate(signed(11, { topic: 'topicC', consumerGroup: 'g1' }), remote)).toBeUndefined();
    expect(acl.validate(signed(11, { topic: 'topicP', consumerGroup: 'g1' }), remote)).toMatch(/No permission for topicP/);
    expect(acl.validate(signed(11, { topic: 'topicB', consumerGroup: 'groupA' }), remote)).toMatch(/%RETRY%groupA/);
    expect(acl.validate(signed(17, { topic: 'x' }), remote)).toMatch(/Need admin permission/);
  });

  it('lets admin accounts do everything', () => {
    expect(acl.validate(signed(10, { topic: 'topicA' }, 'admin', 'adminSecret'), remote)).toBeUndefined();
    expect(acl.validate(signed(17, { topic: 'x' }, 'admin', 'adminSecret'), remote)).toBeUndefined();
  });

  it('checks heartbeat subscriptions', () => {
    const body = Buffer.from(JSON.stringify({ consumerDataSet: [{ groupName: 'g', subscriptionDataSet: [{ topic: 'topicA' }] }] }));
    const cmd = RemotingCommand.createRequest(34, {}, body);
    signRemotingCommand(cmd, 'RocketMQ', '12345678');
    expect(acl.validate(cmd, remote)).toMatch(/topicA/);
  });

  it('skips checks for white-listed addresses', () => {
    const white = new PlainAclValidator({ ...ACCOUNTS, globalWhiteRemoteAddresses: ['192.168.0.*'] });
    expect(white.validate(RemotingCommand.createRequest(10, { topic: 'topicA' }), '192.168.0.77:1234')).toBeUndefined();
    expect(white.validate(RemotingCommand.createRequest(10, { topic: 'topicA' }), '192.168.1.77:1234')).toBeDefined();
    const lan = RemotingCommand.createRequest(10, { topic: 'anything', AccessKey: 'lan' });
    expect(acl.validate(lan, '127.0.0.1:4000')).toBeUndefined();
    expect(acl.validate(lan, '10.0.0.1:4000')).toMatch(/Check signature failed/);
  });

  it('compiles white-list patterns', () => {
    expect(compileRemoteAddressPattern('*')('8.8.8.8')).toBe(true);
    expect(compileRemoteAddressPattern('127.0.0.1')('127.0.0.1')).toBe(true);
    expect(compileRemoteAddressPattern('127.0.0.1')('127.0.0.2')).toBe(false);
    expect(compileRemoteAddressPattern('192.168.0.*')('192.168.0.9')).toBe(true);
    expect(compileRemoteAddressPattern('192.168.0.*')('192.168.1.9')).toBe(false);
    expect(compileRemoteAddressPattern('10.0.1-5.*')('10.0.3.1')).toBe(true);
    expect(compileRemoteAddressPattern('10.0.1-5.*')('10.0.6.1')).toBe(false);
    expect(compileRemoteAddressPattern('10.0.0.{1,2}')('10.0.0.2')).toBe(true);
    expect(compileRemoteAddressPattern('10.0.0.{1,2}')('10.0.0.3')).toBe(false);
    expect(compileRemoteAddressPattern('')('10.0.0.3')).toBe(false);
  });
});

describe('ACL over TCP', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('refuses with NO_PERMISSION and keeps the connection usable', async () => {
    const dispatcher = new RequestDispatcher();
    dispatcher.registerProcessor(RequestCode.SEND_MESSAGE, {
      processRequest: () => RemotingCommand.createResponse(ResponseCode.SUCCESS),
    });
    const server = new TcpRemotingServer(dispatcher, { aclValidator: new PlainAclValidator(ACCOUNTS) });
    await server.listen();
    cleanups.push(() => server.close());

    const unsigned = new TcpRemotingClient();
    cleanups.push(() => unsigned.shutdown());
    const refused = await unsigned.invoke(server.address, RemotingCommand.createRequest(10, { topic: 'topicB' }), 3000);
    expect(refused.code).toBe(ResponseCode.NO_PERMISSION);
    expect(refused.remark).toBe('No accessKey is configured');

    // Same connection: sign by hand with a wrong key, then correctly.
    const wrong = RemotingCommand.createRequest(10, { topic: 'topicB' });
    signRemotingCommand(wrong, 'RocketMQ', 'nope');
    expect((await unsigned.invoke(server.address, wrong, 3000)).code).toBe(ResponseCode.NO_PERMISSION);
    const good = RemotingCommand.createRequest(10, { topic: 'topicB' }, Buffer.from('x'));
    signRemotingCommand(good, 'RocketMQ', '12345678');
    expect((await unsigned.invoke(server.address, good, 3000)).code).toBe(ResponseCode.SUCCESS);
    expect(server.connectionCount).toBe(1);

    for (const serializeType of ['JSON', 'ROCKETMQ'] as const) {
      const client = new TcpRemotingClient({ accessKey: 'RocketMQ', secretKey: '12345678', serializeType });
      cleanups.push(() => client.shutdown());
      const ok = await client.invoke(server.address, RemotingCommand.createRequest(10, { topic: 'topicB' }, Buffer.from('b')), 3000);
      expect(ok.code).toBe(ResponseCode.SUCCESS);
      const denied = await client.invoke(server.address, RemotingCommand.createRequest(10, { topic: 'topicA' }), 3000);
      expect(denied.code).toBe(ResponseCode.NO_PERMISSION);
      expect(denied.remark).toMatch(/No permission for topicA/);
    }
  });
});

describe('parsePlainAclYaml', () => {
  it('reads the plain_acl.yml sample layout', () => {
    const config = parsePlainAclYaml(`
globalWhiteRemoteAddresses:
  - 10.10.103.*
  - 192.168.0.*

accounts:
  - accessKey: RocketMQ
    secretKey: 12345678
    whiteRemoteAddress:
    admin: false
    defaultTopicPerm: DENY
    defaultGroupPerm: SUB
    topicPerms:
      - topicA=DENY
      - topicB=PUB|SUB
    groupPerms:
      # the group should convert to retry topic
      - groupA=DENY

  - accessKey: "rocketmq2"
    secretKey: 12345678
    whiteRemoteAddress: 192.168.1.*
    # if it is admin, it could access all resources
    admin: true
`);
    expect(config.globalWhiteRemoteAddresses).toEqual(['10.10.103.*', '192.168.0.*']);
    expect(config.accounts).toEqual([
      {
        accessKey: 'RocketMQ',
        secretKey: '12345678',
        admin: false,
        defaultTopicPerm: 'DENY',
        defaultGroupPerm: 'SUB',
        topicPerms: ['topicA=DENY', 'topicB=PUB|SUB'],
        groupPerms: ['groupA=DENY'],
      },
      { accessKey: 'rocketmq2', secretKey: '12345678', whiteRemoteAddress: '192.168.1.*', admin: true },
    ]);
    expect(() => new PlainAclValidator(config)).not.toThrow();
  });
});
