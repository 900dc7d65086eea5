import { MessageConst, MessageExt, messageProperties2String, tagsString2tagsCode } from '../../message/index.js';
import { MessageExtBrokerInner } from '../../store/index.js';

/**
 * A stored message prepared for storing again under `topic`/`queueId` (messageTimeUp, convertMessage,
 * consumerSendMsgBack): body, flag, sysFlag, born time and host and reconsume count carried over, the
 * given properties serialized and the tag hash recomputed.
 */
export function toInnerMessage(
  msg: MessageExt,
  properties: Record<string, string>,
  topic: string,
  queueId: number,
  storeHost: string,
): MessageExtBrokerInner {
  return {
    topic,
    queueId,
    flag: msg.flag,
    body: msg.body,
    propertiesString: messageProperties2String(properties),
    tagsCode: tagsString2tagsCode(properties[MessageConst.PROPERTY_TAGS]),
    sysFlag: msg.sysFlag,
    bornTimestamp: msg.bornTimestamp,
    bornHost: msg.bornHost,
    storeHost,
    reconsumeTimes: msg.reconsumeTimes,
    preparedTransactionOffset: 0,
  };
}
