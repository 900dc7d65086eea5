/** What MessageStore.queryMessage found (QueryMessageResult). */
export interface QueryMessageResult {
  /** The stored records, newest first, as views on the store's memory. */
  messages: Buffer[];
  bufferTotalSize: number;
  /** Store time of the newest message indexed (QUERY_MESSAGE's indexLastUpdateTimestamp). */
  indexLastUpdateTimestamp: number;
  /** CommitLog offset of the newest message indexed (indexLastUpdatePhyoffset). */
  indexLastUpdatePhyoffset: number;
}

/** Where one ConsumeQueue entry points: what the schedule service reads without decoding the record. */
export interface ConsumeQueueEntry {
  phyOffset: number;
  size: number;
  /** The tag hash, or for SCHEDULE_TOPIC_XXXX the delivery timestamp. */
  tagsCode: number;
}
