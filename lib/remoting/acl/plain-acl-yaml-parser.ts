import { PlainAclAccount, PlainAclConfig } from './plain-acl-validator.js';

/**
 * Reads the YAML subset plain_acl.yml uses: top-level keys, lists of scalars (`globalWhiteRemoteAddresses`,
 * `topicPerms`, `groupPerms`) and a list of flat account maps, with `#` comments and optional quotes.
 * Anchors, flow collections and multi-line scalars are not supported; a real YAML library can feed
 * PlainAclValidator directly when they are needed.
 */
export function parsePlainAclYaml(text: string): PlainAclConfig {
  const config: PlainAclConfig = { accounts: [], globalWhiteRemoteAddresses: [] };
  let section: 'globalWhiteRemoteAddresses' | 'accounts' | undefined;
  let account: Record<string, unknown> | undefined;
  let accountIndent = -1;
  let listKey: string | undefined;
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = stripComment(rawLine);
    if (line.trim() === '') return;
    const indent = line.length - line.trimStart().length;
    const content = line.trim();
    const fail = (why: string): never => {
      throw new Error(`plain_acl.yml line ${index + 1}: ${why}`);
    };
    if (indent === 0) {
      const [key, value] = splitKey(content) ?? fail(`expected "key:" but found "${content}"`);
      listKey = undefined;
      account = undefined;
      if (key === 'globalWhiteRemoteAddresses' || key === 'accounts') section = key;
      else section = undefined; // other top-level keys (dataVersion...) do not matter here
      if (section === 'globalWhiteRemoteAddresses' && value !== '') config.globalWhiteRemoteAddresses!.push(scalar(value));
      return;
    }
    if (section === 'globalWhiteRemoteAddresses') {
      if (!content.startsWith('-')) fail('expected a "- address" entry');
      const value = scalar(content.slice(1).trim());
      if (value !== '') config.globalWhiteRemoteAddresses!.push(value);
      return;
    }
    if (section !== 'accounts') return;
    if (content.startsWith('-') && (account === undefined || indent <= accountIndent)) {
      account = {};
      accountIndent = indent;
      listKey = undefined;
      config.accounts.push(account as unknown as PlainAclAccount);
      const rest = content.slice(1).trim();
      if (rest === '') return;
      const [key, value] = splitKey(rest) ?? fail(`expected "key: value" but found "${rest}"`);
      assign(account, key, value);
      listKey = value === '' ? key : undefined;
      return;
    }
    if (!account) return fail('account field outside an account entry');
    if (content.startsWith('-') && listKey) {
      const list = (account[listKey] as string[] | undefined) ?? [];
      list.push(scalar(content.slice(1).trim()));
      account[listKey] = list;
      return;
    }
    const [key, value] = splitKey(content) ?? fail(`expected "key: value" but found "${content}"`);
    assign(account, key, value);
    listKey = value === '' ? key : undefined;
  });
  return config;
}

function assign(account: Record<string, unknown>, key: string, value: string): void {
  if (key === 'admin') account.admin = scalar(value).toLowerCase() === 'true';
  else if (value !== '') account[key] = scalar(value);
}

function splitKey(content: string): [string, string] | undefined {
  const colon = content.indexOf(':');
  if (colon <= 0) return undefined;
  return [content.slice(0, colon).trim(), content.slice(colon + 1).trim()];
}

function stripComment(line: string): string {
  // A '#' starts a comment only at the line start or after whitespace, so "a#b" values survive.
  const match = /(^|\s)#/.exec(line);
  return match ? line.slice(0, match.index) : line;
}

function scalar(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1);
  return v;
}
