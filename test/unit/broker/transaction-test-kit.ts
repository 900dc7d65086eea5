import {
  decodeMessageRecords,
  decodeOffsetMessageId,
  MessageExt,
} from '../../../lib/message/index.js';
import {
  InProcessRemotingClient,
  RemotingCommand,
  RequestCode,
} from '../../../lib/remoting/index.js';
import { props, pull, uniqKey } from './broker-test-kit.js';

export const BROKER = '127.0.0.1:10911';

/** The first phase of a transaction, as the Java producer sends it: PREPARED sysFlag, TRAN_MSG and PGROUP. */
export function sendHalf(
  topic: string,
  body: string,
  group: string,
  options: { queueId?: number; properties?: Record<string, string> } = {},
): RemotingCommand {
  return RemotingCommand.createRequest(
    RequestCode.SEND_MESSAGE_V2,
    {
      a: group,
      b: topic,
      c: 'TBW102',
      d: 4,
      e: options.queueId ?? 0,
      f: 0x4,
      g: Date.now(),
      h: 0,
      i: props({ UNIQ_KEY: uniqKey(), WAIT: 'true', TAGS: 'TagT', TRAN_MSG: 'true', PGROUP: group, ...(options.properties ?? {}) }),
      j: 0,
      k: false,
      m: false,
    },
    Buffer.from(body),
  );
}

/** END_TRANSACTION naming the half message as the send answer described it. */
export function endTransaction(
  group: string,
  half: { queueOffset: string | number; commitLogOffset: number; uniqKey: string },
  commitOrRollback: 0 | 8 | 12,
  fromTransactionCheck = false,
): RemotingCommand {
  return RemotingCommand.createRequest(RequestCode.END_TRANSACTION, {
    producerGroup: group,
    tranStateTableOffset: half.queueOffset,
    commitLogOffset: half.commitLogOffset,
    commitOrRollback,
    fromTransactionCheck,
    msgId: half.uniqKey,
    transactionId: half.uniqKey,
  });
}

/** What END_TRANSACTION needs from a send answer. */
export function halfOf(response: RemotingCommand): { queueOffset: string; commitLogOffset: number; uniqKey: string } {
  return {
    queueOffset: response.extFields.queueOffset,
    commitLogOffset: decodeOffsetMessageId(response.extFields.msgId).commitLogOffset,
    uniqKey: response.extFields.transactionId,
  };
}

/** What END_TRANSACTION needs from a CHECK_TRANSACTION_STATE request. */
export function halfOfCheck(check: RemotingCommand): { queueOffset: string; commitLogOffset: number; uniqKey: string } {
  return {
    queueOffset: check.extFields.tranStateTableOffset,
    commitLogOffset: Number(check.extFields.commitLogOffset),
    uniqKey: check.extFields.transactionId,
  };
}

export function producerHeartbeat(clientID: string, group: string): RemotingCommand {
  return RemotingCommand.createRequest(
    RequestCode.HEART_BEAT,
    {},
    Buffer.from(JSON.stringify({ clientID, producerDataSet: [{ groupName: group }], consumerDataSet: [] })),
  );
}

/** Registers a CHECK_TRANSACTION_STATE observer on the client; returns what arrives. */
export function collectChecks(client: InProcessRemotingClient): RemotingCommand[] {
  const received: RemotingCommand[] = [];
  client.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, {
    processRequest: (_channel, request) => {
      received.push(request);
      return null;
    },
  });
  return received;
}

/** Every message currently visible in the queue (a non-suspending pull from offset 0). */
export async function pullAll(client: InProcessRemotingClient, topic: string, queueId = 0): Promise<MessageExt[]> {
  const response = await client.invoke(BROKER, pull(topic, queueId, 0), 3000);
  return response.body ? decodeMessageRecords(response.body) : [];
}

export async function waitFor(condition: () => boolean, timeoutMillis = 2000, stepMillis = 10): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMillis} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMillis));
  }
}

export function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}
