import {
  decodeMessageRecord,
  MESSAGE_MAGIC_CODE_V2,
  MessageExt,
  MessageSysFlag,
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
