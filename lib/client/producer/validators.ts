import { Message } from '../../message/index.js';
import { ResponseCode } from '../../remoting/index.js';
import { isSystemTopic, topicNameProblem } from '../mix-all.js';
import { MQClientError } from '../mq-client.error.js';

/** The checks the Java client makes before a message leaves (Validators.checkMessage). */
export function checkMessage(msg: Message, maxMessageSize: number): void {
  if (!msg) throw new MQClientError('the message is null', ResponseCode.MESSAGE_ILLEGAL);
  checkTopic(msg.topic);
  if (!msg.body || msg.body.length === 0) {
    throw new MQClientError(`the message body of topic ${msg.topic} is empty; send at least one byte`, ResponseCode.MESSAGE_ILLEGAL);
  }
  if (msg.body.length > maxMessageSize) {
    throw new MQClientError(
      `the message body is ${msg.body.length} bytes, over the maximum of ${maxMessageSize} (maxMessageSize); split it or raise the limit on producer and broker`,
      ResponseCode.MESSAGE_ILLEGAL,
    );
  }
}

export function checkTopic(topic: string): void {
  const problem = topicNameProblem(topic);
  if (problem) throw new MQClientError(problem, ResponseCode.MESSAGE_ILLEGAL);
  if (isSystemTopic(topic)) {
    throw new MQClientError(`the topic "${topic}" is a RocketMQ system topic; send to your own topic`, ResponseCode.MESSAGE_ILLEGAL);
  }
}
