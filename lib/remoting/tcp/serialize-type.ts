/** How a frame's header is written (SerializeType): fastjson text or RocketMQ's own binary layout. */
export type SerializeType = 'JSON' | 'ROCKETMQ';

/** The byte a frame carries in the top 8 bits of its header-length word. */
export const SERIALIZE_TYPE_CODE: Readonly<Record<SerializeType, number>> = { JSON: 0, ROCKETMQ: 1 };

export function serializeTypeOf(code: number): SerializeType | undefined {
  return code === 0 ? 'JSON' : code === 1 ? 'ROCKETMQ' : undefined;
}
