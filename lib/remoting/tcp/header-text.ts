/**
 * Header strings are short and nearly always ASCII. A native Buffer call costs ~70 ns whatever the length,
 * so below this many characters a plain loop over the characters is cheaper (measured on Node 20).
 */
const SHORT_TEXT = 24;

/**
 * Bytes `text` may take as UTF-8 at most: 3 per UTF-16 unit (a lone surrogate becomes U+FFFD, 3 bytes;
 * a pair is 2 units for 4 bytes), so a buffer this large never truncates a write.
 */
export function utf8Bound(text: string): number {
  return 3 * text.length;
}

/**
 * Writes `text` as UTF-8 at `at`, which must have utf8Bound(text) bytes of room, and returns the bytes
 * written.
 */
export function writeUtf8(target: Buffer, text: string, at: number): number {
  const n = text.length;
  if (n > SHORT_TEXT) return target.write(text, at, 'utf8');
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // Anything beyond ASCII takes the native encoder from the start of the string again.
    if (c >= 0x80) return target.write(text, at, 'utf8');
    target[at + i] = c;
  }
  return n;
}

/** Exact UTF-8 length; a loop for the short ASCII strings headers are made of, native otherwise. */
export function utf8Length(text: string): number {
  const n = text.length;
  if (n > SHORT_TEXT) return Buffer.byteLength(text, 'utf8');
  for (let i = 0; i < n; i++) if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text, 'utf8');
  return n;
}

/**
 * Reads the UTF-8 string at `source[start, end)`. `latin1` is `source[base, ...)` decoded as latin1, in
 * which an ASCII run is already the right string and only needs cutting out: one native decode per header
 * instead of one per field.
 */
export function readUtf8(source: Buffer, latin1: string, base: number, start: number, end: number): string {
  if (end - start === 1 && source[start] < 0x80) return String.fromCharCode(source[start]);
  for (let i = start; i < end; i++) if (source[i] >= 0x80) return source.toString('utf8', start, end);
  return latin1.substring(start - base, end - base);
}
