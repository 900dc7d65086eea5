/** Replies of request-reply messages go to `<brokerClusterName>_REPLY_TOPIC` (MixAll.REPLY_TOPIC_POSTFIX). */
export const REPLY_TOPIC_POSTFIX = '_REPLY_TOPIC';
