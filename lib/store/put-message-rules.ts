import { MessageRecordInput, MessageSysFlag, getTransactionValue, messageRecordSize } from '../message/index.js';
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

/** What the stored record of `msg` holds, placed at `phyOffset` and `queueOffset`. */
export function recordInput(msg: MessageExtBrokerInner, queueOffset: number, phyOffset: number, storeTimestamp: number): MessageRecordInput {
  return {
    topic: msg.topic,
    queueId: msg.queueId,
    flag: msg.flag,
    queueOffset,
    commitLogOffset: phyOffset,
    sysFlag: msg.sysFlag,
    bornTimestamp: msg.bornTimestamp,
    bornHost: msg.bornHost,
    storeTimestamp,
    storeHost: msg.storeHost,
    reconsumeTimes: msg.reconsumeTimes,
    preparedTransactionOffset: msg.preparedTransactionOffset,
    body: msg.body,
    propertiesString: msg.propertiesString,
  };
}

/** The size of the record `input` describes, or why it cannot be stored. */
export function recordSize(input: MessageRecordInput, maxMessageSize: number): number | string {
  let size: number;
  try {
    size = messageRecordSize(input);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  if (size > maxMessageSize) return `message size ${size} bytes exceeds the maximum message size ${maxMessageSize} bytes`;
  return size;
}
