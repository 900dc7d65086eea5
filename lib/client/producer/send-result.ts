import { MessageQueue } from '../../message/index.js';

/** How far a message got when the broker acknowledged it (SendStatus). */
export enum SendStatus {
  SEND_OK = 'SEND_OK',
  FLUSH_DISK_TIMEOUT = 'FLUSH_DISK_TIMEOUT',
  FLUSH_SLAVE_TIMEOUT = 'FLUSH_SLAVE_TIMEOUT',
  SLAVE_NOT_AVAILABLE = 'SLAVE_NOT_AVAILABLE',
}

/** What a send returns (SendResult). */
export interface SendResult {
  sendStatus: SendStatus;
  /** The producer's unique id (UNIQ_KEY); the one consumers see as msgId. */
  msgId: string;
  /** The broker's offset message id: store host and CommitLog offset. */
  offsetMsgId: string;
  messageQueue: MessageQueue;
  queueOffset: number;
  transactionId?: string;
  regionId?: string;
  traceOn?: boolean;
}
