import { RemotingCommand } from '../remoting-command.js';
import { languageFromCode } from './language-code.js';
import { RemotingFrameError } from './remoting-frame-error.js';

// Strings without these characters can be quoted as they are, which is the common case for header values.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

// Below this length a loop over the characters beats the regular expression.
const SHORT_TEXT = 32;

function needsEscape(value: string): boolean {
  const n = value.length;
  if (n > SHORT_TEXT) return NEEDS_ESCAPE.test(value);
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

function quote(value: string): string {
  return needsEscape(value) ? JSON.stringify(value) : '"' + value + '"';
}

/**
 * Writes the JSON header the way fastjson does for RemotingCommand: fields in name order (code, extFields,
 * flag, language, opaque, remark, serializeTypeCurrentRPC, version), null fields left out. Hand-built
 * because this runs once per frame on the hot path.
 */
export function encodeJsonHeader(cmd: RemotingCommand): string {
  let ext = '';
  const fields = cmd.extFields;
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined || value === null) continue;
    ext += (ext === '' ? '' : ',') + quote(key) + ':' + quote(String(value));
  }
  let text = '{"code":' + (cmd.code | 0);
  if (ext !== '') text += ',"extFields":{' + ext + '}';
  text += ',"flag":' + (cmd.flag | 0) + ',"language":' + quote(cmd.language) + ',"opaque":' + (cmd.opaque | 0);
  if (cmd.remark !== undefined && cmd.remark !== null) text += ',"remark":' + quote(cmd.remark);
  return text + ',"serializeTypeCurrentRPC":"JSON","version":' + (cmd.version | 0) + '}';
}

/**
 * Reads a JSON header. Lenient like fastjson: ext values that arrive as numbers, booleans or objects become
 * strings, numeric fields may arrive as numeric strings, and missing fields keep their defaults.
 */
export function decodeJsonHeader(frame: Buffer, start: number, end: number): RemotingCommand {
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame.toString('utf8', start, end));
  } catch (err) {
    throw new RemotingFrameError(`invalid JSON header: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RemotingFrameError('invalid JSON header: not an object');
  }
  const header = parsed as Record<string, unknown>;
  const cmd = new RemotingCommand(intOf(header, 'code'), extFieldsOf(header.extFields));
  cmd.flag = intOf(header, 'flag');
  cmd.opaque = intOf(header, 'opaque');
  if (header.version !== undefined && header.version !== null) cmd.version = intOf(header, 'version');
  const language = header.language;
  if (typeof language === 'string') cmd.language = language;
  else if (typeof language === 'number') cmd.language = languageFromCode(language);
  if (header.remark !== undefined && header.remark !== null) cmd.remark = String(header.remark);
  return cmd;
}

function intOf(header: Record<string, unknown>, name: string): number {
  const raw = header[name];
  if (raw === undefined || raw === null) return 0;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isInteger(value)) throw new RemotingFrameError(`invalid JSON header: ${name} is not an integer`);
  return value;
}

function extFieldsOf(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new RemotingFrameError('invalid JSON header: extFields is not an object');
  const fields = raw as Record<string, unknown>;
  // Clients that follow fastjson send strings only; JSON.parse's own object then serves as it is.
  for (const key in fields) if (typeof fields[key] !== 'string') return copyAsStrings(fields);
  return fields as Record<string, string>;
}

function copyAsStrings(fields: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined || value === null) continue;
    out[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return out;
}
