/**
 * Decides on the store side which messages a pull returns. The ConsumeQueue check sees only the tag hash
 * code, so it is cheap; the CommitLog check sees the whole record (SQL92 on properties needs it).
 */
export interface MessageFilter {
  isMatchedByConsumeQueue(tagsCode: number): boolean;
  /** Optional second pass over the stored record; absent means "matched". */
  isMatchedByCommitLog?(record: Buffer): boolean;
}
