import { RequestCode } from '../request-code.js';
import { RemotingCommand } from '../remoting-command.js';

/**
 * SEND_MESSAGE's header (SendMessageRequestHeader); SEND_MESSAGE_V2 (SendMessageRequestHeaderV2) carries the
 * same fields under the one-letter names a..n, in declaration order.
 */
export interface SendMessageRequestHeader {
  producerGroup: string;
  topic: string;
  defaultTopic: string;
  defaultTopicQueueNums: number;
  queueId: number;
  sysFlag: number;
  bornTimestamp: number;
  flag: number;
  properties: string;
  reconsumeTimes: number;
  unitMode: boolean;
  batch: boolean;
  maxReconsumeTimes?: number;
  brokerName?: string;
}

/**
 * Reads the send header in either spelling. V2 (codes 310 and 320) is recognised by its `b` field, so a
 * client that sends long names with code 320 still works. Runs once per sent message, hence the two
 * straight-line readers instead of a name table.
 */
export function decodeSendMessageRequestHeader(request: RemotingCommand, defaultQueueNums: number): SendMessageRequestHeader {
  const ext = request.extFields;
  const v2 = (request.code === RequestCode.SEND_MESSAGE_V2 || request.code === RequestCode.SEND_BATCH_MESSAGE) && ext.b !== undefined;
  const batchCode = request.code === RequestCode.SEND_BATCH_MESSAGE;
  if (v2) {
    return {
      producerGroup: ext.a ?? '',
      topic: ext.b ?? '',
      defaultTopic: ext.c || 'TBW102',
      defaultTopicQueueNums: intValue(ext.d, defaultQueueNums),
      queueId: intValue(ext.e, -1),
      sysFlag: intValue(ext.f, 0),
      bornTimestamp: intValue(ext.g, Date.now()),
      flag: intValue(ext.h, 0),
      properties: ext.i ?? '',
      reconsumeTimes: intValue(ext.j, 0),
      unitMode: ext.k === 'true',
      batch: ext.m === 'true' || batchCode,
      maxReconsumeTimes: optionalNumber(ext.l),
      brokerName: ext.n,
    };
  }
  return {
    producerGroup: ext.producerGroup ?? '',
    topic: ext.topic ?? '',
    defaultTopic: ext.defaultTopic || 'TBW102',
    defaultTopicQueueNums: intValue(ext.defaultTopicQueueNums, defaultQueueNums),
    queueId: intValue(ext.queueId, -1),
    sysFlag: intValue(ext.sysFlag, 0),
    bornTimestamp: intValue(ext.bornTimestamp, Date.now()),
    flag: intValue(ext.flag, 0),
    properties: ext.properties ?? '',
    reconsumeTimes: intValue(ext.reconsumeTimes, 0),
    unitMode: ext.unitMode === 'true',
    batch: ext.batch === 'true' || batchCode,
    maxReconsumeTimes: optionalNumber(ext.maxReconsumeTimes),
    brokerName: ext.brokerName,
  };
}

function intValue(v: string | undefined, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

function optionalNumber(v: string | undefined): number | undefined {
  return v === undefined || v === '' ? undefined : Number(v);
}

/**
 * Writes the header as the Java client does by default: SEND_MESSAGE_V2 with one-letter names, or
 * SEND_BATCH_MESSAGE for a batch.
 */
export function encodeSendMessageRequestV2(
  h: SendMessageRequestHeader,
  body: Buffer,
  code: number = h.batch ? RequestCode.SEND_BATCH_MESSAGE : RequestCode.SEND_MESSAGE_V2,
): RemotingCommand {
  // Field order a..n as SendMessageRequestHeaderV2 declares them.
  const ext: Record<string, string> = {
    a: h.producerGroup,
    b: h.topic,
    c: h.defaultTopic,
    d: String(h.defaultTopicQueueNums),
    e: String(h.queueId),
    f: String(h.sysFlag),
    g: String(h.bornTimestamp),
    h: String(h.flag),
    i: h.properties,
    j: String(h.reconsumeTimes),
    k: String(h.unitMode),
  };
  if (h.maxReconsumeTimes !== undefined) ext.l = String(h.maxReconsumeTimes);
  ext.m = String(h.batch);
  if (h.brokerName !== undefined) ext.n = h.brokerName;
  return new RemotingCommand(code, ext, body);
}
