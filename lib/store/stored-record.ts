import {
  decodeMessageRecord,
  MESSAGE_MAGIC_CODE_V2,
  MessageConst,
  MessageExt,
  MessageRecordLayout,
  MessageSysFlag,
  readLong,
  string2messageProperties,
} from '../message/index.js';

/** Where the body length field sits in a stored record, which depends on the host widths (IPv4 or IPv6). */
function bodyLengthPosition(record: Buffer): number {
  const sysFlag = record.readInt32BE(36);
  const bornHost = sysFlag & MessageSysFlag.BORNHOST_V6_FLAG ? 20 : 8;
  const storeHost = sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG ? 20 : 8;
  return 48 + bornHost + 8 + storeHost + 4 + 8;
}

/**
 * Decodes a stored record with its body exactly as stored, compressed or not (lookMessageByOffset's
 * decode without decompression), so the broker can store it again under another topic with the same
 * sysFlag: retry, DLQ, delayed and timer delivery.
 */
export function decodeStoredMessage(record: Buffer): MessageExt {
  const msg = decodeMessageRecord(record, 0, { readBody: false });
  const p = bodyLengthPosition(record);
  const bodyLen = record.readInt32BE(p);
  msg.body = Buffer.from(record.subarray(p + 4, p + 4 + bodyLen));
  return msg;
}

/** The properties of a stored record, read without copying the body (what property filters look at). */
export function readStoredProperties(record: Buffer): Record<string, string> {
  let p = bodyLengthPosition(record);
  p += 4 + record.readInt32BE(p);
  const v2 = record.readInt32BE(4) === MESSAGE_MAGIC_CODE_V2;
  const topicLen = v2 ? record.readInt16BE(p) : record.readUInt8(p);
  p += (v2 ? 2 : 1) + topicLen;
  const propsLen = record.readInt16BE(p);
  return propsLen > 0 ? string2messageProperties(record.toString('utf8', p + 2, p + 2 + propsLen)) : {};
}

/** What dispatch and key lookups need from a stored record. */
export interface DispatchRequest {
  topic: string;
  queueId: number;
  queueOffset: number;
  sysFlag: number;
  storeTimestamp: number;
  propertiesString: string;
}

/** What dispatch needs from a stored record, read without copying the body. */
export function parseDispatchRequest(record: Buffer): DispatchRequest {
  const sysFlag = record.readInt32BE(MessageRecordLayout.SYS_FLAG);
  const bornWidth = sysFlag & MessageSysFlag.BORNHOST_V6_FLAG ? 20 : 8;
  const storeWidth = sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG ? 20 : 8;
  const storeTimestamp = readLong(record, MessageRecordLayout.BORN_HOST + bornWidth);
  let p = MessageRecordLayout.BORN_HOST + bornWidth + 8 + storeWidth + 4 + 8;
  p += 4 + record.readInt32BE(p);
  const v2 = record.readInt32BE(MessageRecordLayout.MAGIC_CODE) === MESSAGE_MAGIC_CODE_V2;
  const topicLen = v2 ? record.readInt16BE(p) : record.readUInt8(p);
  p += v2 ? 2 : 1;
  const topic = record.toString('utf8', p, p + topicLen);
  p += topicLen;
  const propsLen = record.readInt16BE(p);
  return {
    topic,
    queueId: record.readInt32BE(MessageRecordLayout.QUEUE_ID),
    queueOffset: readLong(record, MessageRecordLayout.QUEUE_OFFSET),
    sysFlag,
    storeTimestamp,
    propertiesString: propsLen > 0 ? record.toString('utf8', p + 2, p + 2 + propsLen) : '',
  };
}

/** Whether a record found through the index really is `topic` with `key` stored within [begin, end]. */
export function recordMatchesKey(record: Buffer, topic: string, key: string, begin: number, end: number): boolean {
  let req: DispatchRequest;
  try {
    req = parseDispatchRequest(record);
  } catch {
    return false;
  }
  if (req.topic !== topic || req.storeTimestamp < begin || req.storeTimestamp > end) return false;
  const properties = string2messageProperties(req.propertiesString);
  if (properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX] === key) return true;
  const keys = properties[MessageConst.PROPERTY_KEYS];
  return !!keys && keys.split(MessageConst.KEY_SEPARATOR).includes(key);
}
