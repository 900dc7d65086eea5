import { Logger } from '@nestjs/common';
import { MessageConst, MessageExt } from '../../message/index.js';
import { ResponseCode } from '../../remoting/index.js';
import { MessageExtBrokerInner, PutMessageResult } from '../../store/index.js';
import { isPutOk, TransactionalMessageBridge } from './transactional-message-bridge.js';
import { TransactionalMessageCheckListener } from './transactional-message-check-listener.js';
import {
  getImmunityTime,
  parseIntProperty,
  TransactionalMessageUtil,
} from './transactional-message-util.js';

const { HALF_TOPIC, OP_TOPIC } = TransactionalMessageUtil;

/** One check round gives up after this long, as RocketMQ's MAX_PROCESS_TIME_LIMIT; the next round resumes. */
const MAX_PROCESS_TIME_LIMIT = 60000;
/** Op messages read per store call. */
const OP_MSG_PULL_NUMS = 32;
/** Half messages handled between two yields to the event loop, so a long backlog never stalls the broker. */
const YIELD_EVERY = 256;
/**
 * Decided transactions (producer group + UNIQ_KEY) remembered to recognise copies of a decided half message
 * (re-appended for a check, or a retried send) and repeated END_TRANSACTIONs for offsets the check already
 * passed. Oldest first out.
 */
const DECIDED_TRANSACTION_CACHE_SIZE = 100000;

/** What looking up a half message for END_TRANSACTION found (OperationResult). */
export interface OperationResult {
  prepareMessage?: MessageExt;
  responseCode: number;
  responseRemark?: string;
}

/** Tallies of one check round, for logs and tests. */
export interface TransactionCheckRound {
  checked: number;
  discarded: number;
  deferred: number;
  halfOffset: number;
}

/**
 * The half/op queue bookkeeping of transactional messages (TransactionalMessageService): half messages are
 * decided by op records (tag `d`, body = the half queue offset), and the check walks the half queue from
 * its progress, skipping decided messages and re-appending undecided old ones before asking their
 * producers, so the progress can always move forward.
 */
export class TransactionalMessageService {
  private readonly logger = new Logger(TransactionalMessageService.name);
  /** Half queue offset → op queue offset of its op record, for offsets not yet behind the check progress. */
  private readonly removeMap = new Map<number, number>();
  /** Next op queue offset to read into removeMap; -1 until first read from the saved progress. */
  private opReadOffset = -1;
  private readonly decidedTransactions = new Set<string>();
  private checking = false;
  private stopped = false;

  constructor(private readonly bridge: TransactionalMessageBridge) {}

  /** Rewrites a prepared message in place into a half message (see TransactionalMessageBridge). */
  prepareMessage(msgInner: MessageExtBrokerInner, properties: Record<string, string>): void {
    this.bridge.parseHalfMessageInner(msgInner, properties);
  }

  commitMessage(commitLogOffset: number): OperationResult {
    return this.getHalfMessageByOffset(commitLogOffset);
  }

  rollbackMessage(commitLogOffset: number): OperationResult {
    return this.getHalfMessageByOffset(commitLogOffset);
  }

  /**
   * Whether the transaction of this half message is already decided: an op record names its offset, or
   * another half record of the same transaction was committed, rolled back or discarded.
   */
  isDecided(msgExt: MessageExt): boolean {
    this.fillOpRemoveMap();
    return this.removeMap.has(msgExt.queueOffset) || this.isDecidedTransaction(msgExt);
  }

  /**
   * Marks the half message decided with an op record; false when the record could not be written. A
   * Promise only when the store waits for the disk (SYNC_FLUSH).
   */
  deletePrepareMessage(msgExt: MessageExt): boolean | Promise<boolean> {
    const result = this.bridge.writeOp(msgExt.queueOffset);
    return result instanceof Promise ? result.then((r) => this.opWritten(msgExt, r)) : this.opWritten(msgExt, result);
  }

  private opWritten(msgExt: MessageExt, result: PutMessageResult): boolean {
    if (!isPutOk(result)) return false;
    if (!this.removeMap.has(msgExt.queueOffset)) this.removeMap.set(msgExt.queueOffset, result.logicsOffset);
    this.rememberDecided(msgExt);
    return true;
  }

  /** Ends a running check round at its next step. */
  shutdown(): void {
    this.stopped = true;
  }

  /**
   * One check round over the half queue. Stops at the first message stored after the round began or still
   * younger than its timeout, after MAX_PROCESS_TIME_LIMIT, or at the end of the queue; saves the progress.
   * Overlapping calls are ignored.
   */
  async check(transactionTimeout: number, transactionCheckMax: number, listener: TransactionalMessageCheckListener): Promise<TransactionCheckRound | undefined> {
    if (this.checking || this.stopped || !this.bridge.hasTopic(HALF_TOPIC)) return undefined;
    this.checking = true;
    try {
      return await this.doCheck(transactionTimeout, transactionCheckMax, listener);
    } finally {
      this.checking = false;
    }
  }

  private async doCheck(
    transactionTimeout: number,
    transactionCheckMax: number,
    listener: TransactionalMessageCheckListener,
  ): Promise<TransactionCheckRound> {
    const startTime = Date.now();
    const halfOffset = this.bridge.fetchConsumeOffset(HALF_TOPIC);
    const round: TransactionCheckRound = { checked: 0, discarded: 0, deferred: 0, halfOffset };
    const groupsWithoutProducer = new Set<string>();
    this.fillOpRemoveMap();
    let i = halfOffset;
    let steps = 0;
    while (!this.stopped) {
      if (Date.now() - startTime > MAX_PROCESS_TIME_LIMIT) {
        this.logger.log(`transaction check reached its time limit of ${MAX_PROCESS_TIME_LIMIT} ms at half offset ${i}`);
        break;
      }
      if (++steps % YIELD_EVERY === 0) {
        this.saveProgress(i);
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.stopped) break;
        this.fillOpRemoveMap();
      }
      if (this.removeMap.delete(i)) {
        i++;
        continue;
      }
      const msgExt = this.bridge.getHalfMessage(i);
      if (!msgExt) {
        const min = this.bridge.minHalfOffset();
        if (i < min) {
          i = min;
          continue;
        }
        break;
      }
      if (this.isDecidedTransaction(msgExt)) {
        // A copy of a decided transaction: record it so a restart does not check it again.
        if (!(await this.deletePrepareMessage(msgExt))) break;
        i++;
        continue;
      }
      const properties = msgExt.properties;
      const checkTimes = parseIntProperty(properties[MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES], -1);
      if (checkTimes >= 0 && checkTimes >= transactionCheckMax) {
        if (!(await listener.resolveDiscardMsg(msgExt)) || !(await this.deletePrepareMessage(msgExt))) break;
        round.discarded++;
        i++;
        continue;
      }
      if (msgExt.storeTimestamp >= startTime) break;
      const age = Date.now() - msgExt.bornTimestamp;
      const immunityText = properties[MessageConst.PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS];
      if (immunityText !== undefined) {
        if (age <= getImmunityTime(immunityText, transactionTimeout)) {
          // Still immune: move it behind so younger messages with the plain timeout are not held up.
          const preparedOffset = properties[MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET] ?? String(msgExt.queueOffset);
          if (!(await this.putBackHalfMsgQueue(msgExt, { ...properties, [MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET]: preparedOffset }))) break;
          round.deferred++;
          i++;
          continue;
        }
      } else if (age >= 0 && age <= transactionTimeout) {
        break;
      }
      const channel = listener.selectProducerChannel(msgExt);
      if (!channel) {
        // Nobody can answer: keep it for a later round without spending one of its checks.
        groupsWithoutProducer.add(properties[MessageConst.PROPERTY_PRODUCER_GROUP] ?? '');
        if (!(await this.putBackHalfMsgQueue(msgExt, properties))) break;
        round.deferred++;
        i++;
        continue;
      }
      const counted = { ...properties, [MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES]: String(checkTimes >= 0 ? checkTimes + 1 : 1) };
      if (!(await this.putBackHalfMsgQueue(msgExt, counted))) break;
      listener.resolveHalfMsg(msgExt, channel);
      round.checked++;
      i++;
    }
    this.saveProgress(i);
    round.halfOffset = i;
    if (groupsWithoutProducer.size > 0) {
      this.logger.warn(`transaction check skipped: no live producer of group(s) ${[...groupsWithoutProducer].join(', ')}`);
    }
    return round;
  }

  /** Re-appends the half message with `properties`; on success `msgExt` describes the new record. */
  private async putBackHalfMsgQueue(msgExt: MessageExt, properties: Record<string, string>): Promise<boolean> {
    const result = await this.bridge.putMessage(this.bridge.renewHalfMessageInner(msgExt, properties));
    if (!isPutOk(result)) return false;
    msgExt.properties = properties;
    msgExt.queueOffset = result.logicsOffset;
    msgExt.commitLogOffset = result.wroteOffset;
    msgExt.offsetMsgId = result.msgId;
    msgExt.storeTimestamp = result.storeTimestamp;
    return true;
  }

  /** Saves the half progress and the op progress: the oldest op still naming a half offset at or past it. */
  private saveProgress(halfOffset: number): void {
    for (const offset of [...this.removeMap.keys()]) if (offset < halfOffset) this.removeMap.delete(offset);
    if (halfOffset !== this.bridge.fetchConsumeOffset(HALF_TOPIC)) this.bridge.updateConsumeOffset(HALF_TOPIC, halfOffset);
    let opOffset = this.opReadOffset;
    for (const value of this.removeMap.values()) if (value < opOffset) opOffset = value;
    if (opOffset >= 0 && opOffset !== this.bridge.fetchConsumeOffset(OP_TOPIC)) this.bridge.updateConsumeOffset(OP_TOPIC, opOffset);
  }

  /** Reads op records written since the last read into removeMap (those behind the half progress are done). */
  private fillOpRemoveMap(): void {
    if (!this.bridge.hasTopic(OP_TOPIC)) return;
    if (this.opReadOffset < 0) this.opReadOffset = this.bridge.fetchConsumeOffset(OP_TOPIC);
    const halfProgress = this.bridge.fetchConsumeOffset(HALF_TOPIC);
    const maxOffset = this.bridge.maxOpOffset();
    while (this.opReadOffset < maxOffset) {
      const batch = this.bridge.getOpMessages(this.opReadOffset, OP_MSG_PULL_NUMS);
      for (const op of batch.messages) {
        if (op.properties[MessageConst.PROPERTY_TAGS] !== TransactionalMessageUtil.REMOVE_TAG) continue;
        for (const part of op.body.toString('utf8').split(TransactionalMessageUtil.OFFSET_SEPARATOR)) {
          const halfQueueOffset = parseIntProperty(part);
          if (halfQueueOffset >= halfProgress && !this.removeMap.has(halfQueueOffset)) this.removeMap.set(halfQueueOffset, op.queueOffset);
        }
      }
      if (batch.nextBeginOffset <= this.opReadOffset) break;
      this.opReadOffset = batch.nextBeginOffset;
    }
  }

  private getHalfMessageByOffset(commitLogOffset: number): OperationResult {
    const msgExt = this.bridge.lookMessageByOffset(commitLogOffset);
    if (!msgExt || msgExt.topic !== HALF_TOPIC) {
      return { responseCode: ResponseCode.SYSTEM_ERROR, responseRemark: 'Find prepared transaction message failed' };
    }
    return { prepareMessage: msgExt, responseCode: ResponseCode.SUCCESS };
  }

  private isDecidedTransaction(msgExt: MessageExt): boolean {
    const key = transactionKey(msgExt);
    if (key !== undefined && this.decidedTransactions.has(key)) return true;
    const preparedOffset = parseIntProperty(msgExt.properties[MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET]);
    return preparedOffset >= 0 && this.removeMap.has(preparedOffset);
  }

  private rememberDecided(msgExt: MessageExt): void {
    const key = transactionKey(msgExt);
    if (key === undefined) return;
    this.decidedTransactions.delete(key);
    this.decidedTransactions.add(key);
    if (this.decidedTransactions.size > DECIDED_TRANSACTION_CACHE_SIZE) {
      const oldest = this.decidedTransactions.values().next().value;
      if (oldest !== undefined) this.decidedTransactions.delete(oldest);
    }
  }
}

/** A transaction's identity across the half records that carry it: producer group and UNIQ_KEY. */
function transactionKey(msgExt: MessageExt): string | undefined {
  const uniqKey = msgExt.properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX];
  if (!uniqKey) return undefined;
  return `${msgExt.properties[MessageConst.PROPERTY_PRODUCER_GROUP] ?? ''}\u0001${uniqKey}`;
}
