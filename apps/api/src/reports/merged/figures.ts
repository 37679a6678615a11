/**
 * Conversions shared by the merged (v2) reports: the SDK types some figures as integers (the Go SDK
 * refuses a fraction there), so those are the v1 report's values rounded; protocol names; and the
 * per-second peaks of a pair of columns.
 */
import { ProtocolType, type CardInfo } from '@perftest/model';
import type { SecondSeries } from '@perftest/engine';

/** A figure the SDK types as an integer: the v1 value rounded to the nearest whole number. */
export function whole(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? Math.round(n) : 0;
}

/** A success rate as a whole percent, rounded down (100 only when every request succeeded). */
export function wholePercent(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? Math.floor(n) : 0;
}

/** A figure the SDK types as a number, or null. */
export function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** A text figure, or null. */
export function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

const PROTOCOL_NAMES: Record<number, string> = {
  [ProtocolType.Http]: 'HTTP',
  [ProtocolType.Https]: 'HTTPS',
  [ProtocolType.Tcp]: 'TCP',
  [ProtocolType.Udp]: 'UDP',
  [ProtocolType.HlsRtmp]: 'HLS/RTMP',
  [ProtocolType.WebSocket]: 'WebSocket',
  [ProtocolType.HttpFlv]: 'HTTP-FLV',
  [ProtocolType.Mqtt]: 'MQTT',
};

/** The protocols of `cards`, each named once, in first-use order. */
export function protocolNames(cards: readonly CardInfo[]): string[] {
  return [...new Set(cards.map((c) => PROTOCOL_NAMES[c.protocolType] ?? `protocol ${c.protocolType}`))];
}

/** The highest per-second value of each of two columns of `series`. */
export function peaks(series: SecondSeries, first: number, second: number): [number, number] {
  let a = 0;
  let b = 0;
  for (let s = series.first; s <= series.last; s++) {
    a = Math.max(a, series.get(s, first));
    b = Math.max(b, series.get(s, second));
  }
  return [a, b];
}
