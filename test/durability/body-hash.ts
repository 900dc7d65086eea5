import { createHash } from 'node:crypto';

/** A digest of a message body, to tell an intact body from a damaged one after recovery. */
export function bodyHash(body: Buffer): string {
  return createHash('sha1').update(body).digest('hex');
}
