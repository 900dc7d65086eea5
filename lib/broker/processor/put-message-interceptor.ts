import { RemotingChannel, RemotingCommand } from '../../remoting/index.js';
import { MessageExtBrokerInner } from '../../store/index.js';
import { TopicConfig } from '../topic-config.js';
import { SendMessageRequestHeader } from '../../remoting/index.js';

/** What a send is about to store; interceptors may rewrite it (topic, queue, properties). */
export interface SendMessageContext {
  readonly channel: RemotingChannel;
  readonly request: RemotingCommand;
  readonly header: SendMessageRequestHeader;
  readonly topicConfig: TopicConfig;
  /** The message to store; `propertiesString` is rebuilt from `properties` after the interceptors ran. */
  readonly msgInner: MessageExtBrokerInner;
  /** The message's properties, editable. */
  readonly properties: Record<string, string>;
}

/**
 * A step run before a single (non-batch) message is stored: where the schedule service (DELAY, TIMER_*),
 * the transaction service (PREPARED half messages) and retry/DLQ handling plug in. Returning a response
 * answers the send with it instead of storing.
 */
export interface PutMessageInterceptor {
  beforePutMessage(context: SendMessageContext): RemotingCommand | undefined;
}
