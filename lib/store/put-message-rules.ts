import { MessageSysFlag, getTransactionValue } from '../message/index.js';
import { MessageExtBrokerInner, PutMessageResult } from './message-store.js';
import { PutMessageStatus } from './put-message-status.js';

/** Fixed part of a record with IPv4 hosts, plus the length fields of body, topic and properties. */
export const RECORD_OVERHEAD = 84 + 4 + 1 + 2;

/** A put that stored nothing. */
export function putMessageFailure(status: PutMessageStatus, remark: string): PutMessageResult {
  return { status, wroteOffset: -1, wroteBytes: 0, msgId: '', logicsOffset: -1, storeTimestamp: 0, msgNum: 0, remark };
}

/** Why a put must be refused before anything is encoded, or undefined when it may go ahead. */
export function checkPutMessage(msg: MessageExtBrokerInner, running: boolean, maxMessageSize: number): PutMessageResult | undefined {
  if (!running) return putMessageFailure(PutMessageStatus.SERVICE_NOT_AVAILABLE, 'the message store is not running');
  // Cheap guard before encoding, so a huge body is refused without being copied.
  if (msg.body.length + RECORD_OVERHEAD > maxMessageSize) {
    return putMessageFailure(
      PutMessageStatus.MESSAGE_ILLEGAL,
      `message size ${msg.body.length + RECORD_OVERHEAD} bytes exceeds the maximum message size ${maxMessageSize} bytes`,
    );
  }
  return undefined;
}

/** Prepared and rolled-back transaction messages are stored but never get a ConsumeQueue entry, so no consumer sees them. */
export function isDispatchedToConsumeQueue(sysFlag: number): boolean {
  const tran = getTransactionValue(sysFlag);
  return tran !== MessageSysFlag.TRANSACTION_PREPARED_TYPE && tran !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
}
