import { Sql92Expression } from '../../filter/index.js';
import { MessageFilter, readStoredProperties } from '../../store/index.js';
import { isTagType, SUB_ALL, SubscriptionData } from './subscription-data.js';

/**
 * The store-side filter of a pull (ExpressionMessageFilter). Tag subscriptions pass a message when the
 * subscription is `*` or its tag hash is in the code set; clients check the tag string again, so a hash
 * collision only costs a wasted transfer. SQL92 subscriptions pass everything on the ConsumeQueue and
 * evaluate the expression on the record's properties; tag filters get no CommitLog check at all, so they
 * never parse properties.
 */
export class ExpressionMessageFilter implements MessageFilter {
  private readonly matchAll: boolean;
  private readonly codes: ReadonlySet<number>;
  readonly isMatchedByCommitLog?: (record: Buffer) => boolean;

  constructor(
    readonly subscriptionData: SubscriptionData | undefined,
    sql92?: Sql92Expression,
  ) {
    this.matchAll =
      !subscriptionData ||
      subscriptionData.classFilterMode ||
      !isTagType(subscriptionData.expressionType) ||
      subscriptionData.subString === SUB_ALL ||
      subscriptionData.subString === '';
    this.codes = new Set(subscriptionData?.codeSet ?? []);
    if (sql92 && subscriptionData && !subscriptionData.classFilterMode && !isTagType(subscriptionData.expressionType)) {
      this.isMatchedByCommitLog = (record) => sql92.evaluate(readStoredProperties(record));
    }
  }

  isMatchedByConsumeQueue(tagsCode: number): boolean {
    return this.matchAll || this.codes.has(tagsCode);
  }
}
