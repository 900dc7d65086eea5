import { Logger } from '@nestjs/common';
import {
  LocalTransactionState,
  type TransactionListener,
} from '../../client/index.js';
import type { Message, MessageExt } from '../../message/index.js';
import {
  RocketMQLocalTransactionState,
  type RocketMQLocalTransactionListener,
} from '../interfaces/rocketmq-transaction-listener.interface.js';
import { RocketMQMessage } from '../messaging/rocketmq-message.js';

/**
 * The client's state for what a listener returned. Spring's names (COMMIT / ROLLBACK / UNKNOWN / UNKNOW)
 * and the client's (COMMIT_MESSAGE / ROLLBACK_MESSAGE / UNKNOW) are accepted; anything else is UNKNOW.
 */
export function toLocalTransactionState(state: unknown): LocalTransactionState | undefined {
  switch (state) {
    case RocketMQLocalTransactionState.COMMIT:
    case LocalTransactionState.COMMIT_MESSAGE:
      return LocalTransactionState.COMMIT_MESSAGE;
    case RocketMQLocalTransactionState.ROLLBACK:
    case LocalTransactionState.ROLLBACK_MESSAGE:
      return LocalTransactionState.ROLLBACK_MESSAGE;
    case RocketMQLocalTransactionState.UNKNOWN:
    case LocalTransactionState.UNKNOW:
      return LocalTransactionState.UNKNOW;
    default:
      return undefined;
  }
}

/** Spring's name for a client state. */
export function toRocketMQLocalTransactionState(state: LocalTransactionState | string): RocketMQLocalTransactionState {
  if (state === LocalTransactionState.COMMIT_MESSAGE) return RocketMQLocalTransactionState.COMMIT;
  if (state === LocalTransactionState.ROLLBACK_MESSAGE) return RocketMQLocalTransactionState.ROLLBACK;
  return RocketMQLocalTransactionState.UNKNOWN;
}

/**
 * Adapts a `RocketMQLocalTransactionListener` to the client's `TransactionListener` (rocketmq-spring's
 * TransactionListenerImpl): wraps the message in a `RocketMQMessage`, maps the returned state, and turns
 * a callback that throws or returns something else into UNKNOW with a warning naming the class and the
 * transaction id (the broker then checks back later).
 */
export function adaptTransactionListener(listener: RocketMQLocalTransactionListener, className: string): TransactionListener {
  const logger = new Logger(`RocketMQTransactionListener(${className})`);
  const run = async (what: 'executeLocalTransaction' | 'checkLocalTransaction', msg: Message, call: () => unknown): Promise<LocalTransactionState> => {
    const id = msg.transactionId ?? 'unknown';
    let returned: unknown;
    try {
      returned = await call();
    } catch (err) {
      logger.warn(`${what} threw for transaction ${id} (${msg.topic}); the state is UNKNOW and the broker will check back: ${(err as Error)?.message ?? String(err)}`);
      if ((err as Error)?.stack) logger.debug((err as Error).stack!);
      return LocalTransactionState.UNKNOW;
    }
    const state = toLocalTransactionState(returned);
    if (state === undefined) {
      logger.warn(`${what} returned ${JSON.stringify(returned)} for transaction ${id}; expected RocketMQLocalTransactionState.COMMIT, ROLLBACK or UNKNOWN: treated as UNKNOWN`);
      return LocalTransactionState.UNKNOW;
    }
    return state;
  };
  return {
    executeLocalTransaction: (msg: Message, arg: unknown) =>
      run('executeLocalTransaction', msg, () => listener.executeLocalTransaction(RocketMQMessage.of(msg), arg)),
    checkLocalTransaction: (msg: MessageExt) =>
      run('checkLocalTransaction', msg, () => listener.checkLocalTransaction(RocketMQMessage.of(msg))),
  };
}
