/** Permission bits as plain ACL stores them (Permission.java). */
export const AclPermission = {
  DENY: 1,
  ANY: 1 << 1,
  PUB: 1 << 2,
  SUB: 1 << 3,
} as const;

/** Parses DENY, PUB, SUB, PUB|SUB (or SUB|PUB); anything else, absent included, is DENY as in Java. */
export function parseAclPermission(text: string | undefined): number {
  switch ((text ?? '').trim().toUpperCase()) {
    case 'PUB':
      return AclPermission.PUB;
    case 'SUB':
      return AclPermission.SUB;
    case 'PUB|SUB':
    case 'SUB|PUB':
      return AclPermission.PUB | AclPermission.SUB;
    default:
      return AclPermission.DENY;
  }
}

/** Permission.checkPermission: DENY wins, ANY needs PUB or SUB, otherwise the needed bits must be owned. */
export function hasAclPermission(needed: number, owned: number): boolean {
  if ((owned & AclPermission.DENY) !== 0) return false;
  if ((needed & AclPermission.ANY) !== 0) return (owned & (AclPermission.PUB | AclPermission.SUB)) !== 0;
  return (needed & owned) !== 0;
}
