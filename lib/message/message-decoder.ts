import * as zlib from 'node:zlib';
import { bodyCrc32 } from './crc32.js';
import {
  MESSAGE_MAGIC_CODE,
  MESSAGE_MAGIC_CODE_V2,
  MessageConst,
  MessageSysFlag,
} from './message-const.js';
import { createOffsetMessageId } from './message-id.js';
import { MessageExt } from './message-ext.js';
import { messageProperties2String, string2messageProperties } from './message-properties.js';
import { formatSocketAddress, parseSocketAddress } from './socket-address.js';
import { Message } from './message.js';

/** Byte positions of the fixed fields of a stored message (MessageDecoder), IPv4 hosts. */
export const MessageRecordLayout = {
  TOTAL_SIZE: 0,
  MAGIC_CODE: 4,
  BODY_CRC: 8,
  QUEUE_ID: 12,
  FLAG: 16,
  QUEUE_OFFSET: 20,
  PHYSICAL_OFFSET: 28,
  SYS_FLAG: 36,
  BORN_TIMESTAMP: 40,
  BORN_HOST: 48,
} as const;

/** What the broker knows about a message when it writes the record. */
export interface MessageRecordInput {
  topic: string;
  queueId: number;
  flag: number;
  queueOffset: number;
  commitLogOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: string;
  storeTimestamp: number;
  storeHost: string;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  body: Buffer;
  propertiesString: string;
}

/**
 * Bytes the stored record of `m` takes (V1 magic, 1-byte topic length). Throws a RangeError for a topic or
 * properties too long for the layout, so a caller checks every message of a batch before writing any.
 */
export function messageRecordSize(m: MessageRecordInput): number {
  const topicLen = Buffer.byteLength(m.topic, 'utf8');
  const propsLen = Buffer.byteLength(m.propertiesString, 'utf8');
  if (topicLen > 127) throw new RangeError(`topic "${m.topic}" is longer than 127 bytes`);
  if (propsLen > 32767) throw new RangeError(`message properties take ${propsLen} bytes, more than 32767`);
  const bornIpLen = parseSocketAddress(m.bornHost).ip.length;
  const storeIpLen = parseSocketAddress(m.storeHost).ip.length;
  return 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + (bornIpLen + 4) + 8 + (storeIpLen + 4) + 4 + 8 + 4 + m.body.length + 1 + topicLen + 2 + propsLen;
}

/**
 * Writes the stored record of `m` at `pos` of `buf`, which has `size` (from messageRecordSize) bytes free
 * there: the stores encode straight into their CommitLog buffer, with no record-sized allocation per message.
 */
export function writeMessageRecord(m: MessageRecordInput, size: number, buf: Buffer, pos: number): void {
  const bornHost = parseSocketAddress(m.bornHost);
  const storeHost = parseSocketAddress(m.storeHost);
  let sysFlag = m.sysFlag & ~(MessageSysFlag.BORNHOST_V6_FLAG | MessageSysFlag.STOREHOSTADDRESS_V6_FLAG);
  if (bornHost.ip.length === 16) sysFlag |= MessageSysFlag.BORNHOST_V6_FLAG;
  if (storeHost.ip.length === 16) sysFlag |= MessageSysFlag.STOREHOSTADDRESS_V6_FLAG;
  let p = pos;
  p = buf.writeInt32BE(size, p);
  p = buf.writeInt32BE(MESSAGE_MAGIC_CODE, p);
  p = buf.writeInt32BE(bodyCrc32(m.body), p);
  p = buf.writeInt32BE(m.queueId, p);
  p = buf.writeInt32BE(m.flag, p);
  p = writeLong(buf, m.queueOffset, p);
  p = writeLong(buf, m.commitLogOffset, p);
  p = buf.writeInt32BE(sysFlag, p);
  p = writeLong(buf, m.bornTimestamp, p);
  p += bornHost.ip.copy(buf, p);
  p = buf.writeInt32BE(bornHost.port, p);
  p = writeLong(buf, m.storeTimestamp, p);
  p += storeHost.ip.copy(buf, p);
  p = buf.writeInt32BE(storeHost.port, p);
  p = buf.writeInt32BE(m.reconsumeTimes, p);
  p = writeLong(buf, m.preparedTransactionOffset, p);
  p = buf.writeInt32BE(m.body.length, p);
  p += m.body.copy(buf, p);
  // Lengths are written after their strings: Buffer.write says how many bytes it wrote.
  const topicLen = buf.write(m.topic, p + 1, 'utf8');
  buf[p] = topicLen;
  p += 1 + topicLen;
  const propsLen = buf.write(m.propertiesString, p + 2, 'utf8');
  buf.writeInt16BE(propsLen, p);
}

/**
 * Encodes a message in RocketMQ's stored layout (V1 magic, 1-byte topic length): the same bytes sit in
 * the CommitLog, in a pull response body and in a VIEW_MESSAGE_BY_ID answer.
 */
export function encodeMessageRecord(m: MessageRecordInput): Buffer {
  const size = messageRecordSize(m);
  const buf = Buffer.allocUnsafe(size);
  writeMessageRecord(m, size, buf, 0);
  return buf;
}

/** Writes a non-negative safe integer as a big-endian int64 without going through BigInt. */
export function writeLong(buf: Buffer, value: number, offset: number): number {
  const high = Math.floor(value / 0x100000000);
  buf.writeInt32BE(high | 0, offset);
  buf.writeUInt32BE(value >>> 0, offset + 4);
  return offset + 8;
}

export function readLong(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * 0x100000000 + buf.readUInt32BE(offset + 4);
}

export interface DecodeOptions {
  /** Read the body (inflating a compressed one). @default true */
  readBody?: boolean;
  /**
   * Copy the body out of `buf`, so a message never pins a store segment. A consumer decoding a pull
   * response it owns alone turns this off and saves a copy per message. @default true
   */
  copyBody?: boolean;
}

/** Decodes one stored record starting at `offset`. */
export function decodeMessageRecord(buf: Buffer, offset = 0, options: DecodeOptions = {}): MessageExt {
  const msg = new MessageExt();
  let p = offset;
  msg.storeSize = buf.readInt32BE(p);
  p += 4;
  const magic = buf.readInt32BE(p);
  p += 4;
  if (magic !== MESSAGE_MAGIC_CODE && magic !== MESSAGE_MAGIC_CODE_V2) {
    throw new Error(`bad message magic code ${magic} at offset ${offset}`);
  }
  msg.bodyCRC = buf.readInt32BE(p);
  p += 4;
  msg.queueId = buf.readInt32BE(p);
  p += 4;
  msg.flag = buf.readInt32BE(p);
  p += 4;
  msg.queueOffset = readLong(buf, p);
  p += 8;
  msg.commitLogOffset = readLong(buf, p);
  p += 8;
  msg.sysFlag = buf.readInt32BE(p);
  p += 4;
  msg.bornTimestamp = readLong(buf, p);
  p += 8;
  const bornIpLen = msg.sysFlag & MessageSysFlag.BORNHOST_V6_FLAG ? 16 : 4;
  msg.bornHost = readSocketAddress(buf, p, bornIpLen);
  p += bornIpLen + 4;
  msg.storeTimestamp = readLong(buf, p);
  p += 8;
  const storeIpLen = msg.sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG ? 16 : 4;
  msg.storeHost = readSocketAddress(buf, p, storeIpLen);
  p += storeIpLen + 4;
  msg.reconsumeTimes = buf.readInt32BE(p);
  p += 4;
  msg.preparedTransactionOffset = readLong(buf, p);
  p += 8;
  const bodyLen = buf.readInt32BE(p);
  p += 4;
  if (options.readBody !== false) {
    let body = options.copyBody === false ? buf.subarray(p, p + bodyLen) : Buffer.from(buf.subarray(p, p + bodyLen));
    if (msg.sysFlag & MessageSysFlag.COMPRESSED_FLAG) body = zlib.inflateSync(body);
    msg.body = body;
  }
  p += bodyLen;
  let topicLen: number;
  if (magic === MESSAGE_MAGIC_CODE_V2) {
    topicLen = buf.readInt16BE(p);
    p += 2;
  } else {
    topicLen = buf.readUInt8(p);
    p += 1;
  }
  msg.topic = buf.toString('utf8', p, p + topicLen);
  p += topicLen;
  const propsLen = buf.readInt16BE(p);
  p += 2;
  if (propsLen > 0) msg.properties = string2messageProperties(buf.toString('utf8', p, p + propsLen));
  msg.offsetMsgId = createOffsetMessageId(msg.storeHost, msg.commitLogOffset);
  if (msg.properties[MessageConst.PROPERTY_TRANSACTION_PREPARED] === 'true') {
    msg.transactionId = msg.properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX];
  }
  return msg;
}

/** "ip:port" of each IPv4 address seen, keyed by its 6 bytes as a number: every record names two hosts. */
const ipv4Addresses = new Map<number, string>();

function readSocketAddress(buf: Buffer, p: number, ipLen: number): string {
  const port = buf.readInt32BE(p + ipLen);
  // IPv6 and out-of-range ports are rare enough to be formatted every time.
  if (ipLen !== 4 || port >>> 16 !== 0) return formatSocketAddress(buf.subarray(p, p + ipLen), port);
  const key = buf.readUInt32BE(p) * 0x10000 + port;
  let address = ipv4Addresses.get(key);
  if (address === undefined) {
    address = formatSocketAddress(buf.subarray(p, p + 4), port);
    if (ipv4Addresses.size < 4096) ipv4Addresses.set(key, address);
  }
  return address;
}

/** Decodes the concatenated records of a pull or query response body. */
export function decodeMessageRecords(buf: Buffer, options: DecodeOptions = {}): MessageExt[] {
  const out: MessageExt[] = [];
  let p = 0;
  while (p + 4 <= buf.length) {
    const size = buf.readInt32BE(p);
    if (size <= 0 || p + size > buf.length) break;
    out.push(decodeMessageRecord(buf, p, options));
    p += size;
  }
  return out;
}

/**
 * Encodes the messages of a SEND_BATCH_MESSAGE body (MessageDecoder.encodeMessages):
 * totalSize, magic 0, bodyCRC 0, flag, body, properties, per message.
 */
export function encodeBatchMessages(messages: Message[]): Buffer {
  // Sized first and written once: a batch is the throughput path, so no per-message buffers and concat.
  const props = messages.map((m) => messageProperties2String(m.properties));
  let total = 0;
  for (let i = 0; i < messages.length; i++) total += 22 + messages[i].body.length + Buffer.byteLength(props[i], 'utf8');
  const buf = Buffer.allocUnsafe(total);
  let p = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const propsLen = Buffer.byteLength(props[i], 'utf8');
    p = buf.writeInt32BE(22 + m.body.length + propsLen, p);
    p = buf.writeInt32BE(0, p);
    p = buf.writeInt32BE(0, p);
    p = buf.writeInt32BE(m.flag, p);
    p = buf.writeInt32BE(m.body.length, p);
    p += m.body.copy(buf, p);
    p = buf.writeInt16BE(propsLen, p);
    p += buf.write(props[i], p, 'utf8');
  }
  return buf;
}

/** One message of a batch body, as the broker reads it. */
export interface BatchMessageEntry {
  flag: number;
  body: Buffer;
  propertiesString: string;
}

export function decodeBatchMessages(buf: Buffer): BatchMessageEntry[] {
  const out: BatchMessageEntry[] = [];
  let p = 0;
  while (p < buf.length) {
    if (p + 20 > buf.length) throw new Error('truncated batch message body');
    const size = buf.readInt32BE(p);
    if (size < 22 || p + size > buf.length) throw new Error(`bad batch message size ${size} at ${p}`);
    const flag = buf.readInt32BE(p + 12);
    const bodyLen = buf.readInt32BE(p + 16);
    const bodyStart = p + 20;
    const body = buf.subarray(bodyStart, bodyStart + bodyLen);
    const propsLen = buf.readInt16BE(bodyStart + bodyLen);
    const propsStart = bodyStart + bodyLen + 2;
    out.push({ flag, body, propertiesString: buf.toString('utf8', propsStart, propsStart + propsLen) });
    p += size;
  }
  return out;
}
