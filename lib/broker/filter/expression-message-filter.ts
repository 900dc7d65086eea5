import { MessageFilter } from '../../store/index.js';
import { isTagType, SUB_ALL, SubscriptionData } from './subscription-data.js';

/**
 * The store-side tag filter of a pull (ExpressionMessageFilter): a message passes when the subscription
 * is `*`, or its tag hash is in the subscription's code set. Clients filter again on the tag string, so
 * a hash collision only costs a wasted transfer.
 */
export class ExpressionMessageFilter implements MessageFilter {
  private readonly matchAll: boolean;
  private readonly codes: ReadonlySet<number>;

  constructor(readonly subscriptionData: SubscriptionData | undefined) {
    this.matchAll =
      !subscriptionData ||
      subscriptionData.classFilterMode ||
      !isTagType(subscriptionData.expressionType) ||
      subscriptionData.subString === SUB_ALL ||
      subscriptionData.subString === '';
    this.codes = new Set(subscriptionData?.codeSet ?? []);
  }

  isMatchedByConsumeQueue(tagsCode: number): boolean {
    return this.matchAll || this.codes.has(tagsCode);
  }
}
