import { MessageQueue } from '../../message/index.js';
import {
  RemotingChannel,
  RemotingCommand,
  RemotingRequestProcessor,
  RequestCode,
  ResponseCode,
} from '../../remoting/index.js';
import type { BrokerController } from '../broker-controller.js';

/** LOCK_BATCH_MQ / UNLOCK_BATCH_MQ's body (LockBatchRequestBody / UnlockBatchRequestBody). */
interface LockBatchRequestBody {
  consumerGroup?: string;
  clientId?: string;
  mqSet?: MessageQueue[];
  onlyThisBroker?: boolean;
}

/**
 * LOCK_BATCH_MQ and UNLOCK_BATCH_MQ (AdminBrokerProcessor.lockBatchMQ / unlockBatchMQ): orderly consumers
 * take their queues' locks here before consuming. A single broker only ever locks its own queues, so
 * `onlyThisBroker` changes nothing.
 */
export class LockBatchMqProcessor implements RemotingRequestProcessor {
  constructor(private readonly brokerController: BrokerController) {}

  processRequest(_channel: RemotingChannel, request: RemotingCommand): RemotingCommand {
    let body: LockBatchRequestBody;
    try {
      body = JSON.parse(request.body?.toString('utf8') ?? '') as LockBatchRequestBody;
    } catch {
      return RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, 'the lock request body is not valid JSON');
    }
    const { consumerGroup, clientId } = body;
    if (!consumerGroup || !clientId || !Array.isArray(body.mqSet)) {
      return RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, 'the lock request needs consumerGroup, clientId and mqSet');
    }
    const brokerName = this.brokerController.brokerConfig.brokerName;
    // Queues of other brokers are not this broker's to lock; Java's lockBatchMQ skips them the same way.
    const mqs = body.mqSet
      .filter((mq) => mq && typeof mq.topic === 'string' && mq.brokerName === brokerName)
      .map((mq) => ({ topic: mq.topic, brokerName: mq.brokerName, queueId: Number(mq.queueId) }));
    const locks = this.brokerController.rebalanceLockManager;
    const response = RemotingCommand.createResponse(ResponseCode.SUCCESS);
    if (request.code === RequestCode.LOCK_BATCH_MQ) {
      const lockOKMQSet = locks.tryLockBatch(consumerGroup, mqs, clientId);
      response.body = Buffer.from(JSON.stringify({ lockOKMQSet }), 'utf8');
    } else {
      locks.unlockBatch(consumerGroup, mqs, clientId);
    }
    return response;
  }
}
