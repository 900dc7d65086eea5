import { Message, MessageExt } from '../../message/index.js';
import { SendResult } from './send-result.js';

/** What a local transaction decided (LocalTransactionState; UNKNOW is RocketMQ's own spelling). */
export enum LocalTransactionState {
  COMMIT_MESSAGE = 'COMMIT_MESSAGE',
  ROLLBACK_MESSAGE = 'ROLLBACK_MESSAGE',
  UNKNOW = 'UNKNOW',
}

/** The producer side of a transactional message (TransactionListener). */
export interface TransactionListener {
  /** Runs the local transaction after the half message was stored; `msg.transactionId` is set. */
  executeLocalTransaction(msg: Message, arg: unknown): LocalTransactionState | Promise<LocalTransactionState>;
  /** Answers the broker's check-back for a transaction still undecided: look the outcome up, never redo it. */
  checkLocalTransaction(msg: MessageExt): LocalTransactionState | Promise<LocalTransactionState>;
}

export interface TransactionSendResult extends SendResult {
  localTransactionState: LocalTransactionState;
  transactionId: string;
}

/** END_TRANSACTION's commitOrRollback values (MessageSysFlag transaction types). */
export function transactionStateToFlag(state: LocalTransactionState): number {
  switch (state) {
    case LocalTransactionState.COMMIT_MESSAGE:
      return 0x8;
    case LocalTransactionState.ROLLBACK_MESSAGE:
      return 0xc;
    default:
      return 0;
  }
}
