/** Languages a remoting header names (LanguageCode). */
export type LanguageCode = 'JAVA' | 'CPP' | 'DOTNET' | 'PYTHON' | 'GO' | 'OTHER' | string;

/** MQVersion ordinal this client reports: V5_3_3. */
export const CURRENT_VERSION = 479;

const RPC_TYPE = 0x1;
const RPC_ONEWAY = 0x2;

/**
 * A remoting request or response (RemotingCommand). Header fields travel as `extFields` strings, exactly
 * as the Java client's custom headers do, so in-process and TCP carry the same command.
 */
export class RemotingCommand {
  code: number;
  language: LanguageCode = 'JAVA';
  version = CURRENT_VERSION;
  opaque = 0;
  flag = 0;
  remark?: string;
  extFields: Record<string, string>;
  body?: Buffer;

  constructor(code: number, extFields: Record<string, string> = {}, body?: Buffer) {
    this.code = code;
    this.extFields = extFields;
    this.body = body;
  }

  static createRequest(code: number, header: Record<string, unknown> = {}, body?: Buffer): RemotingCommand {
    return new RemotingCommand(code, toExtFields(header), body);
  }

  static createResponse(code: number, remark?: string, header?: Record<string, unknown>): RemotingCommand {
    const cmd = new RemotingCommand(code, header ? toExtFields(header) : {});
    cmd.markResponse();
    if (remark !== undefined) cmd.remark = remark;
    return cmd;
  }

  isResponse(): boolean {
    return (this.flag & RPC_TYPE) !== 0;
  }

  isOneway(): boolean {
    return (this.flag & RPC_ONEWAY) !== 0;
  }

  markResponse(): this {
    this.flag |= RPC_TYPE;
    return this;
  }

  markOneway(): this {
    this.flag |= RPC_ONEWAY;
    return this;
  }

  /** A header field as a string, or undefined. */
  field(name: string): string | undefined {
    return this.extFields[name];
  }

  /** A header field as an integer; `fallback` when absent or not a number. */
  intField(name: string, fallback = 0): number {
    const v = this.extFields[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    return Number.isFinite(n) ? n : fallback;
  }

  boolField(name: string, fallback = false): boolean {
    const v = this.extFields[name];
    return v === undefined ? fallback : v === 'true';
  }
}

/** Turns a header object into string ext fields, skipping null and undefined as Java does. */
export function toExtFields(header: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in header) {
    const v = header[key];
    if (v !== undefined && v !== null) out[key] = String(v);
  }
  return out;
}
