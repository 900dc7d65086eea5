import { ResponseCode } from '../remoting/request-code.js';
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

/** " (NO_PERMISSION)" for a known response code, so an error says what the number means. */
function codeName(code: number): string {
  const name = Object.entries(ResponseCode).find(([, value]) => value === code)?.[0];
  return name ? ` (${name})` : '';
}

/** The broker answered with an error code (MQBrokerException). */
export class MQBrokerError extends MQClientError {
  constructor(
    readonly responseCode: number,
    readonly remark: string | undefined,
    readonly brokerAddr?: string,
  ) {
    super(`broker ${brokerAddr ?? ''} answered code ${responseCode}${codeName(responseCode)}: ${remark ?? 'no remark'}`, responseCode);
    this.name = 'MQBrokerError';
  }
}
