import { NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR } from './message-const.js';

/** Serializes properties as RocketMQ stores them: name \u0001 value, pairs joined by \u0002. */
export function messageProperties2String(properties: Record<string, string>): string {
  let out = '';
  for (const name in properties) {
    const value = properties[name];
    if (value === undefined || value === null) continue;
    if (out.length > 0) out += PROPERTY_SEPARATOR;
    out += name + NAME_VALUE_SEPARATOR + value;
  }
  return out;
}

/** Parses a properties string; tolerates the trailing separator some writers add. */
export function string2messageProperties(text: string): Record<string, string> {
  const properties: Record<string, string> = {};
  if (!text) return properties;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(PROPERTY_SEPARATOR, start);
    if (end < 0) end = text.length;
    const sep = text.indexOf(NAME_VALUE_SEPARATOR, start);
    if (sep > start && sep < end) properties[text.substring(start, sep)] = text.substring(sep + 1, end);
    start = end + 1;
  }
  return properties;
}

/**
 * One property of a properties string without parsing the rest (the per-message paths need only
 * UNIQ_KEY or KEYS); undefined when absent. Same answer as string2messageProperties(text)[name].
 */
export function messageProperty(text: string, name: string): string | undefined {
  let found: string | undefined;
  let from = 0;
  for (;;) {
    const at = text.indexOf(name, from);
    if (at < 0) return found;
    const sep = at + name.length;
    if ((at === 0 || text.charCodeAt(at - 1) === 2) && text.charCodeAt(sep) === 1) {
      let end = text.indexOf(PROPERTY_SEPARATOR, sep + 1);
      if (end < 0) end = text.length;
      // A repeated name keeps the last value, as the full parse does.
      found = text.substring(sep + 1, end);
      from = end;
    } else {
      from = at + 1;
    }
  }
}
