/** A client-side RocketMQ failure: bad input, no route, the client not started (MQClientException). */
export class MQClientError extends Error {
  constructor(
    message: string,
    readonly code?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MQClientError';
  }
}

/** The broker answered with an error code (MQBrokerException). */
export class MQBrokerError extends MQClientError {
  constructor(
    readonly responseCode: number,
    readonly remark: string | undefined,
    readonly brokerAddr?: string,
  ) {
    super(`broker ${brokerAddr ?? ''} answered code ${responseCode}: ${remark ?? 'no remark'}`, responseCode);
    this.name = 'MQBrokerError';
  }
}
