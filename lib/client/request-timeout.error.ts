import { MQClientError } from './mq-client.error.js';

/** No reply arrived for a request-reply message in time (RequestTimeoutException). */
export class RequestTimeoutError extends MQClientError {
  constructor(
    readonly topic: string,
    readonly timeoutMillis: number,
    readonly correlationId: string,
  ) {
    super(`no reply to the request sent to topic ${topic} within ${timeoutMillis} ms (correlation id ${correlationId})`);
    this.name = 'RequestTimeoutError';
  }
}
