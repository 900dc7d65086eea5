/** Settings every MessageStore honours (the RocketMQ MessageStoreConfig subset that applies to it). */
export interface MessageStoreConfig {
  /**
   * Largest stored record (header, body, topic and properties) accepted, in bytes.
   * @default 4194304
   */
  maxMessageSize: number;
  /**
   * Bytes of ConsumeQueue entries (20 bytes each) one getMessage may scan past the requested offset, so a
   * long run of messages the filter rejects never blocks a pull. At least maxMsgNums entries are scanned.
   * @default 16000
   */
  maxFilterMessageSize: number;
  /**
   * Most bytes returned by one getMessage when the data is in memory.
   * @default 262144
   */
  maxTransferBytesOnMessageInMemory: number;
  /**
   * Most messages returned by one getMessage when the data is in memory.
   * @default 32
   */
  maxTransferCountOnMessageInMemory: number;
}

export const DEFAULT_MESSAGE_STORE_CONFIG: Readonly<MessageStoreConfig> = Object.freeze({
  maxMessageSize: 4 * 1024 * 1024,
  maxFilterMessageSize: 16000,
  maxTransferBytesOnMessageInMemory: 256 * 1024,
  maxTransferCountOnMessageInMemory: 32,
});

/** Size of one ConsumeQueue entry on disk: commitLogOffset (8) + size (4) + tagsCode (8). */
export const CQ_STORE_UNIT_SIZE = 20;
