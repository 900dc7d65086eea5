import * as os from 'node:os';
import { parseSocketAddress } from './socket-address.js';

/** Hex of each store host's IP and port: the fixed half of its offset message ids. */
const hostPrefixes = new Map<string, string>();

/**
 * The broker's offset message id (MessageDecoder.createMessageId): store host IP, port and CommitLog
 * offset, as uppercase hex. 32 digits for IPv4. Runs per stored and per consumed message, hence the
 * cached host half and the offset written from its two 32-bit halves rather than through BigInt.
 */
export function createOffsetMessageId(storeHost: string, commitLogOffset: number): string {
  let prefix = hostPrefixes.get(storeHost);
  if (prefix === undefined) {
    const { ip, port } = parseSocketAddress(storeHost);
    const buf = Buffer.allocUnsafe(ip.length + 4);
    ip.copy(buf, 0);
    buf.writeInt32BE(port, ip.length);
    prefix = buf.toString('hex').toUpperCase();
    if (hostPrefixes.size < 1024) hostPrefixes.set(storeHost, prefix);
  }
  return prefix + hex8(Math.floor(commitLogOffset / 0x100000000)) + hex8(commitLogOffset >>> 0);
}

/** Two uppercase hex digits per byte value. */
const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).toUpperCase().padStart(2, '0'));

function hex8(value: number): string {
  return HEX_BYTE[(value >>> 24) & 0xff] + HEX_BYTE[(value >>> 16) & 0xff] + HEX_BYTE[(value >>> 8) & 0xff] + HEX_BYTE[value & 0xff];
}

/** Reads an offset message id back into the broker address and CommitLog offset it names. */
export function decodeOffsetMessageId(msgId: string): { address: string; commitLogOffset: number } {
  if (!/^[0-9A-Fa-f]+$/.test(msgId) || (msgId.length !== 32 && msgId.length !== 56)) {
    throw new Error(`"${msgId}" is not an offset message id (32 or 56 hex digits)`);
  }
  const buf = Buffer.from(msgId, 'hex');
  const ipLen = buf.length === 16 ? 4 : 16;
  const ip = buf.subarray(0, ipLen);
  const port = buf.readInt32BE(ipLen);
  const commitLogOffset = Number(buf.readBigInt64BE(ipLen + 4));
  const host = ipLen === 4 ? Array.from(ip).join('.') : `[${ip.toString('hex').match(/.{4}/g)!.join(':')}]`;
  return { address: `${host}:${port}`, commitLogOffset };
}

/**
 * Generates producer-side unique message ids (UNIQ_KEY) in the layout of MessageClientIDSetter:
 * IP (4) + pid (2) + instance hash (4) + milliseconds since the start of the month (4) + counter (2).
 */
export class UniqueMessageIdGenerator {
  private readonly prefix: string;
  private startOfMonth = 0;
  private nextStartOfMonth = 0;
  private counter = 0;

  constructor(ip: Buffer = localIPv4(), pid = process.pid, instanceHash = (Math.random() * 0x7fffffff) | 0) {
    const fixed = Buffer.alloc(10);
    ip.subarray(0, 4).copy(fixed, 0);
    fixed.writeUInt16BE(pid & 0xffff, 4);
    fixed.writeInt32BE(instanceHash, 6);
    this.prefix = fixed.toString('hex').toUpperCase();
  }

  next(): string {
    const now = Date.now();
    if (now >= this.nextStartOfMonth) this.computeMonth(now);
    const elapsed = (now - this.startOfMonth) >>> 0;
    this.counter = (this.counter + 1) & 0xffff;
    return this.prefix + hex8(elapsed) + HEX_BYTE[this.counter >>> 8] + HEX_BYTE[this.counter & 0xff];
  }

  private computeMonth(now: number): void {
    const d = new Date(now);
    this.startOfMonth = new Date(d.getFullYear(), d.getMonth(), 1).getTime();
    this.nextStartOfMonth = new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
  }
}

/** The first non-internal IPv4 address of this host, 127.0.0.1 when there is none. */
export function localIPv4(): Buffer {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.family === 'IPv4' && !info.internal) return Buffer.from(info.address.split('.').map(Number));
    }
  }
  return Buffer.from([127, 0, 0, 1]);
}
