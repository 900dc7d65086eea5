import { RemotingCommand } from '../remoting-command.js';
import { hostOf } from '../tcp/socket-address.js';
import { ACL_ACCESS_KEY, ACL_SIGNATURE, calculateSignature } from './acl-signature.js';
import { AclPermission, hasAclPermission, parseAclPermission } from './acl-permission.js';
import { AclValidator } from './acl-validator.js';
import { compileRemoteAddressPattern } from './remote-address-matcher.js';

/** One account of plain_acl.yml. */
export interface PlainAclAccount {
  accessKey: string;
  secretKey: string;
  /** Everything is allowed, admin request codes included. */
  admin?: boolean;
  /** Requests from matching addresses skip the signature and permission checks (still need the AccessKey). */
  whiteRemoteAddress?: string;
  /** Permission on topics not in topicPerms. @default 'DENY' */
  defaultTopicPerm?: string;
  /** Permission on groups not in groupPerms. @default 'DENY' */
  defaultGroupPerm?: string;
  /** `topic=PUB|SUB|PUB|SUB|DENY` entries. */
  topicPerms?: string[];
  /** `group=PUB|SUB|PUB|SUB|DENY` entries. */
  groupPerms?: string[];
}

export interface PlainAclConfig {
  accounts: PlainAclAccount[];
  /** Requests from matching addresses are not checked at all. */
  globalWhiteRemoteAddresses?: string[];
}

const RETRY_PREFIX = '%RETRY%';
/** Not signed by 4.9.3 and older clients for QUERY_MESSAGE by unique key (MixAll.UNIQUE_MSG_QUERY_FLAG). */
const UNIQUE_MSG_QUERY_FLAG = '_UNIQUE_KEY_QUERY';

/** Codes only admin accounts may send (Permission.ADMIN_CODE). */
const ADMIN_CODES: ReadonlySet<number> = new Set([
  17, // UPDATE_AND_CREATE_TOPIC
  25, // UPDATE_BROKER_CONFIG
  215, // DELETE_TOPIC_IN_BROKER
  200, // UPDATE_AND_CREATE_SUBSCRIPTIONGROUP
  207, // DELETE_SUBSCRIPTIONGROUP
]);

interface CompiledAccount {
  secretKey: string;
  admin: boolean;
  white: (ip: string) => boolean;
  defaultTopicPerm: number;
  defaultGroupPerm: number;
  /** Topic names, and groups as their retry topic, to permission bits. */
  resourcePerms: Map<string, number>;
}

/**
 * RocketMQ 4.x plain ACL (PlainAccessValidator + PlainPermissionManager): global white list, then the
 * AccessKey's account, its own white list, the HmacSHA1 signature over the sorted ext field values and
 * the body, then topic and group permissions for the codes that carry them. Groups are checked as their
 * `%RETRY%group` resource, as Java does.
 */
export class PlainAclValidator implements AclValidator {
  private readonly globalWhite: Array<(ip: string) => boolean>;
  private readonly accounts = new Map<string, CompiledAccount>();

  constructor(config: PlainAclConfig) {
    this.globalWhite = (config.globalWhiteRemoteAddresses ?? []).map(compileRemoteAddressPattern);
    for (const account of config.accounts ?? []) {
      if (!account.accessKey || !account.secretKey) throw new Error('plain ACL account needs accessKey and secretKey');
      const resourcePerms = new Map<string, number>();
      for (const entry of account.topicPerms ?? []) {
        const [name, perm] = splitPerm(entry);
        resourcePerms.set(name, perm);
      }
      for (const entry of account.groupPerms ?? []) {
        const [name, perm] = splitPerm(entry);
        resourcePerms.set(RETRY_PREFIX + name, perm);
      }
      this.accounts.set(account.accessKey, {
        secretKey: account.secretKey,
        admin: account.admin === true,
        white: compileRemoteAddressPattern(account.whiteRemoteAddress),
        defaultTopicPerm: parseAclPermission(account.defaultTopicPerm),
        defaultGroupPerm: parseAclPermission(account.defaultGroupPerm),
        resourcePerms,
      });
    }
  }

  validate(request: RemotingCommand, remoteAddress: string): string | undefined {
    const ip = hostOf(remoteAddress);
    if (this.globalWhite.some((matches) => matches(ip))) return undefined;
    const fields = request.extFields;
    const accessKey = fields[ACL_ACCESS_KEY];
    if (!accessKey) return 'No accessKey is configured';
    const account = this.accounts.get(accessKey);
    if (!account) return `No acl config for ${accessKey}`;
    if (account.white(ip)) return undefined;
    const signature = fields[ACL_SIGNATURE];
    if (!signature || !this.signatureMatches(request, account.secretKey, signature)) {
      return `Check signature failed for accessKey=${accessKey}`;
    }
    if (account.admin) return undefined;
    if (ADMIN_CODES.has(request.code)) return `Need admin permission for request code=${request.code}, accessKey:${accessKey}`;
    for (const [resource, needed] of resourcesOf(request)) {
      if (!resource) continue;
      const isGroup = resource.startsWith(RETRY_PREFIX);
      const owned =
        account.resourcePerms.get(resource) ?? (isGroup ? account.defaultGroupPerm : account.defaultTopicPerm);
      if (!hasAclPermission(needed, owned)) {
        const kind = account.resourcePerms.has(resource) ? 'No permission' : 'No default permission';
        return `${kind} for ${resource}, accessKey:${accessKey}`;
      }
    }
    return undefined;
  }

  private signatureMatches(request: RemotingCommand, secretKey: string, signature: string): boolean {
    const fields = request.extFields;
    // Old clients leave the unique-key flag out of what they sign, newer ones include it: accept either.
    if (calculateSignature(fields, request.body, secretKey) === signature) return true;
    return (
      fields[UNIQUE_MSG_QUERY_FLAG] !== undefined &&
      calculateSignature(fields, request.body, secretKey, (key) => key === UNIQUE_MSG_QUERY_FLAG) === signature
    );
  }
}

function splitPerm(entry: string): [string, number] {
  const eq = entry.indexOf('=');
  if (eq <= 0) throw new Error(`plain ACL permission "${entry}" is not name=PERM`);
  return [entry.slice(0, eq).trim(), parseAclPermission(entry.slice(eq + 1))];
}

function retryTopic(group: string | undefined): string | undefined {
  return group ? RETRY_PREFIX + group : undefined;
}

/** The resources a request touches and the permission each needs (PlainAccessValidator.parse). */
function resourcesOf(request: RemotingCommand): Array<[string | undefined, number]> {
  const f = request.extFields;
  const { PUB, SUB } = AclPermission;
  switch (request.code) {
    case 10: // SEND_MESSAGE
      return f.topic?.startsWith(RETRY_PREFIX) ? [[retryTopic(f.group ?? f.producerGroup), SUB]] : [[f.topic, PUB]];
    case 310: // SEND_MESSAGE_V2
    case 320: // SEND_BATCH_MESSAGE uses the V2 header
      return f.b?.startsWith(RETRY_PREFIX) ? [[retryTopic(f.a), SUB]] : [[f.b, PUB]];
    case 36: // CONSUMER_SEND_MSG_BACK
      return [[retryTopic(f.group), SUB]];
    case 11: // PULL_MESSAGE
    case 361: // LITE_PULL_MESSAGE
      return [
        [f.topic, SUB],
        [retryTopic(f.consumerGroup), SUB],
      ];
    case 12: // QUERY_MESSAGE
      return [[f.topic, SUB]];
    case 34: // HEART_BEAT
      return heartbeatResources(request.body);
    case 35: // UNREGISTER_CLIENT
    case 38: // GET_CONSUMER_LIST_BY_GROUP
      return [[retryTopic(f.consumerGroup), SUB]];
    case 15: // UPDATE_CONSUMER_OFFSET
      return [
        [retryTopic(f.consumerGroup), SUB],
        [f.topic, SUB],
      ];
    default:
      return [];
  }
}

function heartbeatResources(body: Buffer | undefined): Array<[string | undefined, number]> {
  if (!body || body.length === 0) return [];
  const data = JSON.parse(body.toString('utf8')) as {
    consumerDataSet?: Array<{ groupName?: string; subscriptionDataSet?: Array<{ topic?: string }> }>;
  };
  const out: Array<[string | undefined, number]> = [];
  for (const consumer of data.consumerDataSet ?? []) {
    out.push([retryTopic(consumer.groupName), AclPermission.SUB]);
    for (const subscription of consumer.subscriptionDataSet ?? []) out.push([subscription.topic, AclPermission.SUB]);
  }
  return out;
}
