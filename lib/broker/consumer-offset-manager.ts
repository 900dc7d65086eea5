/** Committed consumer offsets (ConsumerOffsetManager), keyed `topic@group` then by queue id. */
export class ConsumerOffsetManager {
  static readonly TOPIC_GROUP_SEPARATOR = '@';
  private readonly offsetTable = new Map<string, Map<number, number>>();

  /** Records an offset; negative offsets (some clients persist -1 for unconsumed queues) are ignored. */
  commitOffset(clientHost: string, group: string, topic: string, queueId: number, offset: number): void {
    void clientHost;
    if (!(offset >= 0)) return;
    const key = topic + ConsumerOffsetManager.TOPIC_GROUP_SEPARATOR + group;
    let queues = this.offsetTable.get(key);
    if (!queues) this.offsetTable.set(key, (queues = new Map()));
    queues.set(queueId, offset);
  }

  /** The committed offset, or -1 when the group never committed one for this queue. */
  queryOffset(group: string, topic: string, queueId: number): number {
    return this.offsetTable.get(topic + ConsumerOffsetManager.TOPIC_GROUP_SEPARATOR + group)?.get(queueId) ?? -1;
  }

  /** All committed offsets of a group on a topic. */
  queryOffsets(group: string, topic: string): ReadonlyMap<number, number> {
    return this.offsetTable.get(topic + ConsumerOffsetManager.TOPIC_GROUP_SEPARATOR + group) ?? new Map();
  }

  removeOffset(group: string): void {
    const suffix = ConsumerOffsetManager.TOPIC_GROUP_SEPARATOR + group;
    for (const key of [...this.offsetTable.keys()]) {
      if (key.endsWith(suffix)) this.offsetTable.delete(key);
    }
  }

  /** A snapshot `{ "topic@group": { queueId: offset } }`, the shape of consumerOffset.json. */
  toJSON(): { offsetTable: Record<string, Record<string, number>> } {
    const offsetTable: Record<string, Record<string, number>> = {};
    for (const [key, queues] of this.offsetTable) offsetTable[key] = Object.fromEntries(queues);
    return { offsetTable };
  }
}
