import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGE_MAGIC_CODE, MESSAGE_MAGIC_CODE_V2 } from '../../lib/message/index.js';

/** Where one CommitLog record sits on disk. */
export interface RecordLocation {
  file: string;
  /** Position in the file. */
  position: number;
  /** Absolute CommitLog offset (file start + position). */
  phyOffset: number;
  size: number;
}

/**
 * The last well-formed record of a CommitLog directory, found by walking the segment files the way
 * recovery does (size + magic code, a blank record ends a segment). For tests that damage it.
 */
export function findLastRecord(commitLogDir: string): RecordLocation | undefined {
  let last: RecordLocation | undefined;
  for (const name of readdirSync(commitLogDir).filter((n) => /^\d{20}$/.test(n)).sort()) {
    const file = join(commitLogDir, name);
    const data = readFileSync(file);
    let position = 0;
    while (position + 8 <= data.length) {
      const size = data.readInt32BE(position);
      const magic = data.readInt32BE(position + 4);
      if ((magic === MESSAGE_MAGIC_CODE || magic === MESSAGE_MAGIC_CODE_V2) && size > 0 && position + size <= data.length) {
        last = { file, position, phyOffset: Number(name) + position, size };
        position += size;
      } else {
        // A blank record (BLANK_MAGIC_CODE) or the unwritten rest ends the segment.
        break;
      }
    }
  }
  return last;
}

/** Offset of the body inside a record with IPv4 hosts: the fixed fields, then BODYLENGTH (4). */
export const IPV4_RECORD_BODY_AT = 88;

/** The CommitLog offset an offset message id names (its last 8 bytes, hex). */
export function phyOffsetOfOffsetMsgId(offsetMsgId: string): number {
  return Number.parseInt(offsetMsgId.slice(-16), 16);
}
