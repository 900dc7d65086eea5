import {
  InProcessRemotingClient,
  RemotingCommand,
  RequestCode,
} from '../../../lib/remoting/index.js';
import { BundledRocketMQ, BundledRocketMQOptions } from '../../../lib/broker/index.js';

/** A started bundled runtime plus a raw remoting client bound to its registry. */
export async function startBundled(
  options: BundledRocketMQOptions = {},
  clientAddress = '127.0.0.1:50001',
): Promise<{ mq: BundledRocketMQ; client: InProcessRemotingClient; stop: () => Promise<void> }> {
  const mq = new BundledRocketMQ(options);
  await mq.start();
  const client = new InProcessRemotingClient(mq.registry, clientAddress);
  return {
    mq,
    client,
    stop: async () => {
      client.shutdown();
      await mq.shutdown();
    },
  };
}

export function props(entries: Record<string, string>): string {
  return Object.entries(entries)
    .map(([k, v]) => `${k}\u0001${v}`)
    .join('\u0002');
}

let uniq = 0;
export function uniqKey(): string {
  return (0x7f000001).toString(16).toUpperCase().padStart(8, '0') + (++uniq).toString(16).toUpperCase().padStart(24, '0');
}

/** SEND_MESSAGE_V2 with one-letter header names, as the Java client sends it. */
export function sendV2(topic: string, body: string | Buffer, options: { queueId?: number; tags?: string; properties?: Record<string, string> } = {}): RemotingCommand {
  const properties: Record<string, string> = { UNIQ_KEY: uniqKey(), WAIT: 'true', ...(options.properties ?? {}) };
  if (options.tags) properties.TAGS = options.tags;
  return RemotingCommand.createRequest(
    RequestCode.SEND_MESSAGE_V2,
    {
      a: 'PID_TEST',
      b: topic,
      c: 'TBW102',
      d: 4,
      e: options.queueId ?? 0,
      f: 0,
      g: Date.now(),
      h: 0,
      i: props(properties),
      j: 0,
      k: false,
      m: false,
    },
    Buffer.isBuffer(body) ? body : Buffer.from(body),
  );
}

export function pull(
  topic: string,
  queueId: number,
  queueOffset: number,
  options: { group?: string; subscription?: string; sysFlag?: number; suspendTimeoutMillis?: number; commitOffset?: number; maxMsgNums?: number } = {},
): RemotingCommand {
  return RemotingCommand.createRequest(RequestCode.PULL_MESSAGE, {
    consumerGroup: options.group ?? 'CID_TEST',
    topic,
    queueId,
    queueOffset,
    maxMsgNums: options.maxMsgNums ?? 32,
    sysFlag: options.sysFlag ?? 0x4,
    commitOffset: options.commitOffset ?? 0,
    suspendTimeoutMillis: options.suspendTimeoutMillis ?? 15000,
    subscription: options.subscription ?? '*',
    subVersion: 0,
    expressionType: 'TAG',
  });
}

export function heartbeat(clientID: string, group: string, topic: string, subString = '*'): RemotingCommand {
  const body = {
    clientID,
    consumerDataSet: [
      {
        groupName: group,
        consumeType: 'CONSUME_PASSIVELY',
        messageModel: 'CLUSTERING',
        consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
        subscriptionDataSet: [
          { topic, subString, classFilterMode: false, tagsSet: subString === '*' ? [] : subString.split('||').map((s) => s.trim()), codeSet: [], subVersion: Date.now() },
        ],
        unitMode: false,
      },
    ],
    producerDataSet: [{ groupName: 'PID_TEST' }],
  };
  return RemotingCommand.createRequest(RequestCode.HEART_BEAT, {}, Buffer.from(JSON.stringify(body)));
}
