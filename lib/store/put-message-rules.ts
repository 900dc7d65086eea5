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

/** A batch's records, checked and sized, ready to append in order. */
export interface PreparedBatch {
  inputs: MessageRecordInput[];
  sizes: number[];
}

/**
 * Checks and sizes every message of a batch before anything is written, so an illegal message rejects the
 * whole batch; messages of one ConsumeQueue get consecutive queue offsets. `placeFrom` places the records
 * back to back from that offset (a CommitLog without segment ends); otherwise the CommitLog places each on
 * append.
 */
export function prepareBatch(
  batch: MessageExtBrokerInner[],
  running: boolean,
  storeTimestamp: number,
  maxMessageSize: number,
  consumeQueueOf: (msg: MessageExtBrokerInner) => { readonly maxOffset: number },
  sizeOf: (input: MessageRecordInput) => number | string,
  placeFrom?: number,
): PreparedBatch | PutMessageResult {
  if (batch.length === 0) return putMessageFailure(PutMessageStatus.MESSAGE_ILLEGAL, 'the batch holds no message');
  for (const msg of batch) {
    const rejected = checkPutMessage(msg, running, maxMessageSize);
    if (rejected) return rejected;
  }
  const inputs: MessageRecordInput[] = new Array(batch.length);
  const sizes: number[] = new Array(batch.length);
  const pending = new Map<object, number>();
  let phyOffset = placeFrom ?? 0;
  for (let i = 0; i < batch.length; i++) {
    const msg = batch[i];
    let queueOffset = 0;
    if (isDispatchedToConsumeQueue(msg.sysFlag)) {
      const cq = consumeQueueOf(msg);
      queueOffset = pending.get(cq) ?? cq.maxOffset;
      pending.set(cq, queueOffset + 1);
    }
    const input = recordInput(msg, queueOffset, phyOffset, storeTimestamp);
    const size = sizeOf(input);
    if (typeof size === 'string') return putMessageFailure(PutMessageStatus.MESSAGE_ILLEGAL, size);
    inputs[i] = input;
    sizes[i] = size;
    if (placeFrom !== undefined) phyOffset += size;
  }
  return { inputs, sizes };
}
