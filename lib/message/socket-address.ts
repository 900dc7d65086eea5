import * as net from 'node:net';

/** An address as RocketMQ stores it in a record: IP bytes (4 for IPv4, 16 for IPv6) and a port. */
export interface SocketAddressBytes {
  ip: Buffer;
  port: number;
}

const cache = new Map<string, SocketAddressBytes>();

/** Parses "host:port" (or "[v6]:port") into bytes; a non-IP host is stored as 127.0.0.1. */
export function parseSocketAddress(address: string): SocketAddressBytes {
  const cached = cache.get(address);
  if (cached) return cached;
  let host = address;
  let port = 0;
  const colon = address.lastIndexOf(':');
  if (colon > 0) {
    host = address.substring(0, colon);
    port = Number.parseInt(address.substring(colon + 1), 10) || 0;
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.substring(1, host.length - 1);
  let ip: Buffer;
  if (net.isIPv4(host)) {
    ip = Buffer.from(host.split('.').map((p) => Number.parseInt(p, 10)));
  } else if (net.isIPv6(host)) {
    ip = ipv6ToBytes(host);
  } else {
    ip = Buffer.from([127, 0, 0, 1]);
  }
  const parsed = { ip, port };
  if (cache.size < 1024) cache.set(address, parsed);
  return parsed;
}

export function formatSocketAddress(ip: Buffer, port: number): string {
  if (ip.length === 4) return `${ip[0]}.${ip[1]}.${ip[2]}.${ip[3]}:${port}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(ip.readUInt16BE(i).toString(16));
  return `[${groups.join(':')}]:${port}`;
}

function ipv6ToBytes(host: string): Buffer {
  const out = Buffer.alloc(16);
  const [head, tail] = host.includes('::') ? host.split('::') : [host, undefined];
  const headParts = head ? head.split(':').filter(Boolean) : [];
  const tailParts = tail ? tail.split(':').filter(Boolean) : [];
  headParts.forEach((p, i) => out.writeUInt16BE(Number.parseInt(p, 16), i * 2));
  tailParts.forEach((p, i) => out.writeUInt16BE(Number.parseInt(p, 16), 16 - (tailParts.length - i) * 2));
  return out;
}
