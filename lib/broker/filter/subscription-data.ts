import { javaStringHashCode } from '../../message/index.js';

/** A consumer's subscription to one topic (SubscriptionData), as carried by heartbeats. */
export interface SubscriptionData {
  topic: string;
  subString: string;
  classFilterMode: boolean;
  tagsSet: string[];
  codeSet: number[];
  subVersion: number;
  expressionType: string;
}

export const SUB_ALL = '*';
export const ExpressionType = { TAG: 'TAG', SQL92: 'SQL92' } as const;

export function isTagType(expressionType: string | undefined): boolean {
  return !expressionType || expressionType === ExpressionType.TAG;
}

/**
 * Builds a subscription from a tag expression (FilterAPI.build): `*` or empty subscribes to everything,
 * otherwise tags split on `||`, each with its Java hash code.
 */
export function buildSubscriptionData(topic: string, subString: string | undefined, expressionType?: string): SubscriptionData {
  const data: SubscriptionData = {
    topic,
    subString: subString ?? SUB_ALL,
    classFilterMode: false,
    tagsSet: [],
    codeSet: [],
    subVersion: Date.now(),
    expressionType: expressionType || ExpressionType.TAG,
  };
  if (!isTagType(expressionType)) return data;
  if (!subString || subString.trim() === '' || subString.trim() === SUB_ALL) {
    data.subString = SUB_ALL;
    return data;
  }
  for (const part of subString.split('||')) {
    const tag = part.trim();
    if (tag.length > 0 && !data.tagsSet.includes(tag)) {
      data.tagsSet.push(tag);
      data.codeSet.push(javaStringHashCode(tag));
    }
  }
  return data;
}

/** Reads a subscription from heartbeat JSON, tolerating missing fields and recomputing codes if absent. */
export function normalizeSubscriptionData(raw: Partial<SubscriptionData> & { topic: string }): SubscriptionData {
  const expressionType = raw.expressionType || ExpressionType.TAG;
  const tagsSet = Array.isArray(raw.tagsSet) ? raw.tagsSet.map(String) : [];
  let codeSet = Array.isArray(raw.codeSet) ? raw.codeSet.map(Number) : [];
  if (codeSet.length === 0 && tagsSet.length > 0) codeSet = tagsSet.map(javaStringHashCode);
  if (tagsSet.length === 0 && isTagType(expressionType) && raw.subString && raw.subString.trim() !== SUB_ALL) {
    const built = buildSubscriptionData(raw.topic, raw.subString, expressionType);
    return { ...built, subVersion: Number(raw.subVersion) || built.subVersion, classFilterMode: !!raw.classFilterMode };
  }
  return {
    topic: raw.topic,
    subString: raw.subString ?? SUB_ALL,
    classFilterMode: !!raw.classFilterMode,
    tagsSet,
    codeSet,
    subVersion: Number(raw.subVersion) || 0,
    expressionType,
  };
}
