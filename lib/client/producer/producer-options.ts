/** Producer settings with Apache RocketMQ's defaults (DefaultMQProducer). */
export interface ProducerOptions {
  /** Producers of one app sending one kind of message share a group. */
  producerGroup: string;
  /** Total time a send may take, retries included, in ms. @default 3000 */
  sendMsgTimeout?: number;
  /** Extra attempts for a failed sync send, each on another queue. @default 2 */
  retryTimesWhenSendFailed?: number;
  /** Extra attempts for a failed async send. @default 2 */
  retryTimesWhenSendAsyncFailed?: number;
  /** Also retry when the broker stored the message but answered a status other than SEND_OK. @default false */
  retryAnotherBrokerWhenNotStoreOK?: boolean;
  /** Largest body accepted, in bytes. @default 4194304 */
  maxMessageSize?: number;
  /** Bodies larger than this are zlib-compressed; consumers inflate them. @default 4096 */
  compressMsgBodyOverHowmuch?: number;
  /** Queue count of topics the broker creates on first send. @default 4 */
  defaultTopicQueueNums?: number;
  /** The topic whose route stands in for a topic that does not exist yet. @default 'TBW102' */
  createTopicKey?: string;
}

export const PRODUCER_DEFAULTS = {
  sendMsgTimeout: 3000,
  retryTimesWhenSendFailed: 2,
  retryTimesWhenSendAsyncFailed: 2,
  retryAnotherBrokerWhenNotStoreOK: false,
  maxMessageSize: 4 * 1024 * 1024,
  compressMsgBodyOverHowmuch: 4096,
  defaultTopicQueueNums: 4,
  createTopicKey: 'TBW102',
} as const;
