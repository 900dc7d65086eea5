import {
  RocketMQLocalTransactionState,
  RocketMQMessage,
  RocketMQTransactionListener,
  type RocketMQLocalTransactionListener,
} from '../../lib/index.js';
import { EventLogService } from '../events/event-log.service.js';
import { OrderCreated } from './order.js';
import { OrderRepository } from './order.repository.js';

/**
 * Transactional order creation: the `orders:created` message is published only if the order was stored.
 * The local write and its transaction id go together, so a check-back looks the outcome up instead of
 * writing again.
 */
@RocketMQTransactionListener()
export class OrderTransactionListener implements RocketMQLocalTransactionListener {
  constructor(
    private readonly repository: OrderRepository,
    private readonly log: EventLogService,
  ) {}

  executeLocalTransaction(msg: RocketMQMessage, _arg: unknown): RocketMQLocalTransactionState {
    const order = msg.payload as OrderCreated;
    try {
      this.repository.save(order, msg.transactionId);
      this.log.record('order-tx', `${order.orderId} stored: COMMIT (transaction ${msg.transactionId})`);
      return RocketMQLocalTransactionState.COMMIT;
    } catch (err) {
      this.log.record('order-tx', `${order.orderId} not stored (${(err as Error).message}): ROLLBACK`);
      return RocketMQLocalTransactionState.ROLLBACK;
    }
  }

  checkLocalTransaction(msg: RocketMQMessage): RocketMQLocalTransactionState {
    const committed = msg.transactionId !== undefined && this.repository.hasTransaction(msg.transactionId);
    this.log.record('order-tx', `check-back for ${msg.transactionId}: ${committed ? 'COMMIT' : 'ROLLBACK'}`);
    return committed ? RocketMQLocalTransactionState.COMMIT : RocketMQLocalTransactionState.ROLLBACK;
  }
}
