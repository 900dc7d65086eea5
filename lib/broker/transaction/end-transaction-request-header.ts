import { RemotingCommand } from '../../remoting/index.js';

/** END_TRANSACTION's header (EndTransactionRequestHeader). */
export interface EndTransactionRequestHeader {
  topic?: string;
  producerGroup: string;
  /** Queue offset of the half message (the send result's queueOffset, or the check's tranStateTableOffset). */
  tranStateTableOffset: number;
  /** CommitLog offset of the half message (from its offset message id, or the check's commitLogOffset). */
  commitLogOffset: number;
  /** MessageSysFlag transaction type: 8 commit, 12 rollback, 0 unknown. */
  commitOrRollback: number;
  /** True when answering CHECK_TRANSACTION_STATE. */
  fromTransactionCheck: boolean;
  msgId?: string;
  transactionId?: string;
}

export function decodeEndTransactionRequestHeader(request: RemotingCommand): EndTransactionRequestHeader {
  return {
    topic: request.field('topic'),
    producerGroup: request.field('producerGroup') ?? '',
    tranStateTableOffset: request.intField('tranStateTableOffset', -1),
    commitLogOffset: request.intField('commitLogOffset', -1),
    commitOrRollback: request.intField('commitOrRollback', -1),
    fromTransactionCheck: request.boolField('fromTransactionCheck'),
    msgId: request.field('msgId'),
    transactionId: request.field('transactionId'),
  };
}
