import { javaStringHashCode } from '../../message/index.js';

export enum ExpressionType {
  TAG = 'TAG',
  SQL92 = 'SQL92',
}

export const SUB_ALL = '*';

/** A consumer's subscription to one topic, as heartbeats carry it (SubscriptionData). */
export interface SubscriptionData {
  topic: string;
  subString: string;
  expressionType: ExpressionType;
  tagsSet: string[];
  codeSet: number[];
  subVersion: number;
  classFilterMode: false;
}

/** Parses a tag expression (`*`, `a`, `a || b`) the way FilterAPI.buildSubscriptionData does. */
export function buildSubscriptionData(
  topic: string,
  expression: string | undefined,
  type: ExpressionType = ExpressionType.TAG,
): SubscriptionData {
  const subString = !expression || !expression.trim() ? SUB_ALL : expression.trim();
  const data: SubscriptionData = {
    topic,
    subString,
    expressionType: type,
    tagsSet: [],
    codeSet: [],
    subVersion: Date.now(),
    classFilterMode: false,
  };
  if (type === ExpressionType.TAG && subString !== SUB_ALL) {
    for (const tag of subString.split('||')) {
      const t = tag.trim();
      if (t && !data.tagsSet.includes(t)) {
        data.tagsSet.push(t);
        data.codeSet.push(javaStringHashCode(t));
      }
    }
  }
  return data;
}

/**
 * The exact tag check the client repeats after the broker's hash-code filter, since two tags may share
 * a hash code.
 */
export function tagMatches(sub: SubscriptionData, tags: string | undefined): boolean {
  if (sub.expressionType !== ExpressionType.TAG || sub.tagsSet.length === 0) return true;
  return tags !== undefined && sub.tagsSet.includes(tags);
}
