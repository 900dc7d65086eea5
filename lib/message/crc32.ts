import * as zlib from 'node:zlib';

/** RocketMQ's body CRC: CRC-32 of the body with the sign bit cleared (UtilAll.crc32). */
export function bodyCrc32(body: Uint8Array): number {
  return zlib.crc32(body) & 0x7fffffff;
}
