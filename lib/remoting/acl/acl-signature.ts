import { createHmac } from 'node:crypto';
import { RemotingCommand } from '../remoting-command.js';

/** Ext field names AclClientRPCHook uses (SessionCredentials). */
export const ACL_ACCESS_KEY = 'AccessKey';
export const ACL_SECRET_KEY = 'SecretKey';
export const ACL_SIGNATURE = 'Signature';
export const ACL_SECURITY_TOKEN = 'SecurityToken';

/**
 * The HMAC of what AclUtils.combineRequestContent produces: the values of `fields` (never the keys) in Java
 * `String.compareTo` key order, i.e. UTF-16 code-unit order, which is also the default JS sort, UTF-8
 * encoded and followed by the raw body. `skip` names the keys left out (Signature always).
 */
export function calculateSignature(
  fields: Record<string, string>,
  body: Buffer | undefined,
  secretKey: string,
  skip?: (key: string) => boolean,
): string {
  const keys = Object.keys(fields).sort();
  let content = '';
  for (const key of keys) {
    if (key === ACL_SIGNATURE || (skip && skip(key))) continue;
    const value = fields[key];
    if (value !== undefined && value !== null) content += value;
  }
  const hmac = createHmac('sha1', Buffer.from(secretKey, 'utf8')).update(content, 'utf8');
  if (body && body.length > 0) hmac.update(body);
  return hmac.digest('base64');
}

/**
 * Signs a request as AclClientRPCHook.doBeforeRequest does: AccessKey (and SecurityToken) join the ext
 * fields, the signature covers every ext field except Signature plus the body, and lands in `Signature`.
 */
export function signRemotingCommand(cmd: RemotingCommand, accessKey: string, secretKey: string, securityToken?: string): void {
  const fields = cmd.extFields;
  fields[ACL_ACCESS_KEY] = accessKey;
  if (securityToken !== undefined) fields[ACL_SECURITY_TOKEN] = securityToken;
  fields[ACL_SIGNATURE] = calculateSignature(fields, cmd.body, secretKey);
}
