/**
 * Java's String.hashCode. RocketMQ puts it on the wire in three places: the tag hash code a ConsumeQueue
 * entry carries, the codeSet of a subscription, and SelectMessageQueueByHash for orderly sends.
 * JavaScript strings are UTF-16 like Java's, so charCodeAt gives the same code units.
 */
export function javaStringHashCode(value: string): number {
  let h = 0;
  for (let i = 0; i < value.length; i++) {
    h = (Math.imul(31, h) + value.charCodeAt(i)) | 0;
  }
  return h;
}

/** The tags code stored in a ConsumeQueue entry: the hash of the message's tag, 0 when it has none. */
export function tagsString2tagsCode(tags: string | undefined | null): number {
  return tags ? javaStringHashCode(tags) : 0;
}
