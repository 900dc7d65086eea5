/**
 * Compiles a plain ACL white-list pattern (RemoteAddressStrategyFactory) into a test on a peer IP:
 * `*` or `*.*.*.*` (everyone), an exact address, segments with `*` or `a-b` ranges (`192.168.0.*`,
 * `192.168.1-10.*`), a comma list (`10.0.0.1,10.0.0.2`) and the brace form (`192.168.1.{1,2,3}`).
 * An empty pattern matches nobody.
 */
export function compileRemoteAddressPattern(pattern: string | undefined): (ip: string) => boolean {
  const text = (pattern ?? '').trim();
  if (text === '') return () => false;
  if (text === '*' || text === '*.*.*.*') return () => true;
  const alternatives = expandBraces(text).map(compileOne);
  return (ip) => alternatives.some((matches) => matches(ip));
}

function expandBraces(text: string): string[] {
  const open = text.indexOf('{');
  if (open >= 0 && text.endsWith('}')) {
    const prefix = text.slice(0, open);
    return text
      .slice(open + 1, -1)
      .split(',')
      .map((part) => prefix + part.trim());
  }
  return text.split(',').map((part) => part.trim()).filter((part) => part !== '');
}

function compileOne(entry: string): (ip: string) => boolean {
  if (!entry.includes('*') && !entry.includes('-')) return (ip) => ip === entry;
  const segments = entry.split('.');
  // "192.168.*" means the remaining segments are free as well.
  while (segments.length < 4 && segments[segments.length - 1] === '*') segments.push('*');
  if (segments.length !== 4) return () => false;
  const tests = segments.map(compileSegment);
  return (ip) => {
    const parts = ip.split('.');
    if (parts.length !== 4) return false;
    return tests.every((test, i) => test(parts[i]));
  };
}

function compileSegment(segment: string): (part: string) => boolean {
  if (segment === '*') return () => true;
  const dash = segment.indexOf('-');
  if (dash > 0) {
    const low = Number(segment.slice(0, dash));
    const high = Number(segment.slice(dash + 1));
    return (part) => {
      const value = Number(part);
      return part !== '' && Number.isInteger(value) && value >= low && value <= high;
    };
  }
  return (part) => part === segment;
}
