/** RocketMQ's default delay levels (MessageStoreConfig.messageDelayLevel): level 1 is 1s, level 18 is 2h. */
export const DEFAULT_MESSAGE_DELAY_LEVEL = '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h';

const UNIT_MILLIS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const LEVEL = /^(\d+)(ms|s|m|h|d)$/;

/**
 * Parses a messageDelayLevel string into the delay of each level in ms (index 0 is level 1), as
 * ScheduleMessageService.parseDelayLevel does. Units are RocketMQ's s, m, h, d plus `ms`, which this
 * project adds so tests can use short levels. Returns a reason string when the text is not valid.
 */
export function parseMessageDelayLevel(text: string): number[] | string {
  const parts = text.trim().split(/\s+/).filter((p) => p.length > 0);
  if (parts.length === 0) return 'at least one level is needed';
  const out: number[] = [];
  for (const part of parts) {
    const m = LEVEL.exec(part);
    if (!m) return `"${part}" is not a duration (a whole number followed by ms, s, m, h or d)`;
    const millis = Number(m[1]) * UNIT_MILLIS[m[2]];
    if (millis <= 0) return `"${part}" must be longer than zero`;
    out.push(millis);
  }
  return out;
}
