import { BrokerPathConfigHelper } from './config/broker-path-config-helper.js';
import { ConfigManager } from './config/config-manager.js';

/**
 * Committed consumer offsets (ConsumerOffsetManager), keyed `topic@group` then by queue id. The broker
 * persists them to consumerOffset.json every flushConsumerOffsetInterval and on shutdown, the transaction
 * check progress (group CID_RMQ_SYS_TRANS) included.
 */
export class ConsumerOffsetManager extends ConfigManager {
  static readonly TOPIC_GROUP_SEPARATOR = '@';
  private readonly offsetTable = new Map<string, Map<number, number>>();

  constructor(
    /** Store root whose config/consumerOffset.json holds the table; none keeps it in memory only. */
    private readonly storePathRootDir?: string,
  ) {
    super();
  }

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

  configFilePath(): string | undefined {
    return this.storePathRootDir === undefined ? undefined : BrokerPathConfigHelper.getConsumerOffsetPath(this.storePathRootDir);
  }

  encode(prettyFormat = false): string {
    return JSON.stringify(this.toJSON(), null, prettyFormat ? 2 : undefined);
  }

  decode(jsonString: string): void {
    const parsed = JSON.parse(jsonString) as { offsetTable?: Record<string, Record<string, unknown>> };
    const table = parsed.offsetTable;
    if (!table || typeof table !== 'object') throw new Error('offsetTable is missing');
    const loaded = new Map<string, Map<number, number>>();
    for (const [key, queues] of Object.entries(table)) {
      const map = new Map<number, number>();
      for (const [queueId, offset] of Object.entries(queues ?? {})) {
        if (Number.isInteger(Number(queueId)) && typeof offset === 'number' && offset >= 0) map.set(Number(queueId), offset);
      }
      loaded.set(key, map);
    }
    for (const [key, map] of loaded) this.offsetTable.set(key, map);
  }
}
