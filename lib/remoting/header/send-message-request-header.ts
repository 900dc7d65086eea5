import { RequestCode } from '../request-code.js';
import { RemotingCommand } from '../remoting-command.js';

/** SEND_MESSAGE's header (SendMessageRequestHeader); SEND_MESSAGE_V2's one-letter names decode into it. */
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

/** Field names of SendMessageRequestHeaderV2, in the order a..n. */
const V2_NAMES = {
  producerGroup: 'a',
  topic: 'b',
  defaultTopic: 'c',
  defaultTopicQueueNums: 'd',
  queueId: 'e',
  sysFlag: 'f',
  bornTimestamp: 'g',
  flag: 'h',
  properties: 'i',
  reconsumeTimes: 'j',
  unitMode: 'k',
  maxReconsumeTimes: 'l',
  batch: 'm',
  brokerName: 'n',
} as const;

type FieldName = keyof typeof V2_NAMES;

/**
 * Reads the send header in either spelling. V2 (codes 310 and 320) is recognised by its `b` field, so a
 * client that sends long names with code 320 still works.
 */
export function decodeSendMessageRequestHeader(request: RemotingCommand, defaultQueueNums: number): SendMessageRequestHeader {
  const ext = request.extFields;
  const v2 = (request.code === RequestCode.SEND_MESSAGE_V2 || request.code === RequestCode.SEND_BATCH_MESSAGE) && ext.b !== undefined;
  const get = v2 ? (name: FieldName) => ext[V2_NAMES[name]] : (name: FieldName) => ext[name];
  const int = (name: FieldName, fallback: number): number => {
    const v = get(name);
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    return Number.isFinite(n) ? n : fallback;
  };
  const maxReconsume = get('maxReconsumeTimes');
  return {
    producerGroup: get('producerGroup') ?? '',
    topic: get('topic') ?? '',
    defaultTopic: get('defaultTopic') || 'TBW102',
    defaultTopicQueueNums: int('defaultTopicQueueNums', defaultQueueNums),
    queueId: int('queueId', -1),
    sysFlag: int('sysFlag', 0),
    bornTimestamp: int('bornTimestamp', Date.now()),
    flag: int('flag', 0),
    properties: get('properties') ?? '',
    reconsumeTimes: int('reconsumeTimes', 0),
    unitMode: get('unitMode') === 'true',
    batch: get('batch') === 'true' || request.code === RequestCode.SEND_BATCH_MESSAGE,
    maxReconsumeTimes: maxReconsume === undefined || maxReconsume === '' ? undefined : Number(maxReconsume),
    brokerName: get('brokerName'),
  };
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
  const ext: Record<string, string> = {};
  for (const name of Object.keys(V2_NAMES) as FieldName[]) {
    const value = h[name];
    if (value !== undefined) ext[V2_NAMES[name]] = String(value);
  }
  return new RemotingCommand(code, ext, body);
}
