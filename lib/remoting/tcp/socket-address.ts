import { Socket } from 'node:net';

/** The peer of a socket as "ip:port", with IPv4-mapped IPv6 addresses shown as plain IPv4. */
export function peerAddressOf(socket: Socket): string {
  return formatAddress(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0);
}

export function formatAddress(host: string, port: number): string {
  const plain = host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host;
  return plain.includes(':') ? `[${plain}]:${port}` : `${plain}:${port}`;
}

/** Splits "host:port" (or "[v6]:port") as RocketMQ addresses are written. */
export function parseAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`invalid remoting address "${address}", expected host:port`);
  }
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port };
}

/** The IP part of "ip:port" or "[v6]:port", which is what white-list patterns match. */
export function hostOf(address: string): string {
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  const colon = address.indexOf(':');
  // No colon is a bare host; more than one is a bare IPv6 address.
  return colon < 0 || address.indexOf(':', colon + 1) >= 0 ? address : address.slice(0, colon);
}
