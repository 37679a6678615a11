/**
 * Reading a packet's fields the way the socket drivers (TCP, UDP, WebSocket, MQTT) need them: headers
 * as a case-insensitive map, the raw body (docs/protocols.md, "Common rules of TCP, UDP, WebSocket and
 * MQTT"), timeouts with their documented ranges, and `scheme://host:port` endpoints. Problems go to the
 * compile context.
 */
import type { ContentInfo } from '@perftest/model';
import type { PrepareContext } from './driver.js';

/** Header names (lower case) to their values as written in the packet; later duplicates win. */
export function headerMap(packet: ContentInfo): Map<string, string> {
  const map = new Map<string, string>();
  for (const header of packet.headers ?? []) {
    if (header.key === null || header.key === undefined || header.key === '') continue;
    map.set(header.key.toLowerCase(), header.value === null || header.value === undefined ? '' : String(header.value));
  }
  return map;
}

/** The raw body of a packet: `bodys[0].value` when present, else a string `body`, else empty. */
export function bodyText(packet: ContentInfo): string {
  const first: unknown = packet.bodys?.[0];
  if (first !== null && typeof first === 'object' && 'value' in first) {
    const value = (first as { value: unknown }).value;
    if (value !== null && value !== undefined) return typeof value === 'string' ? value : JSON.stringify(value);
  }
  if (typeof packet.body === 'string') return packet.body;
  if (packet.body !== null && packet.body !== undefined) return JSON.stringify(packet.body);
  return '';
}

/** Reads an integer field that the API may give as a number or a numeric string. */
export function integerField(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  return undefined;
}

/** Documented bounds of a timeout field, in milliseconds. */
export interface TimeoutRange {
  min: number;
  max: number;
  fallback: number;
}

/** `connect_timeout` / `return_timeout` of TCP and UDP: 20 ms to 60 s, default 5000 ms. */
export const SOCKET_TIMEOUT: TimeoutRange = { min: 20, max: 60_000, fallback: 5000 };
/** Timeouts of WebSocket and MQTT steps: 20 ms to 5 min (a READ may wait for pushes), default 5000. */
export const SESSION_TIMEOUT: TimeoutRange = { min: 20, max: 300_000, fallback: 5000 };

/** A timeout field in ms: the fallback when absent (null, 0), a problem when outside the range. */
export function timeoutField(
  packet: ContentInfo,
  field: 'connect_timeout' | 'return_timeout',
  range: TimeoutRange,
  ctx: PrepareContext,
): number {
  const raw: unknown = packet[field];
  if (raw === null || raw === undefined || raw === 0) return range.fallback;
  const value = integerField(raw);
  if (value === undefined || value < range.min || value > range.max) {
    ctx.problems.push({
      path: `${ctx.path}.${field}`,
      message: `${field} must be an integer from ${range.min} to ${range.max} ms`,
    });
    return range.fallback;
  }
  return value;
}

/** A boolean header: true/false, 1/0, yes/no, on/off (any case); the fallback when absent. */
export function booleanHeader(
  headers: Map<string, string>,
  name: string,
  fallback: boolean,
  ctx: PrepareContext,
): boolean {
  const raw = headers.get(name);
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (value === 'true' || value === '1' || value === 'yes' || value === 'on') return true;
  if (value === 'false' || value === '0' || value === 'no' || value === 'off') return false;
  ctx.problems.push({ path: `${ctx.path}.headers.${name}`, message: `header ${name} must be true or false` });
  return fallback;
}

/** A host and port to connect to. */
export interface Endpoint {
  host: string;
  port: number;
  /** `host:port`, the key of the per-user connection to this endpoint. */
  key: string;
}

/**
 * Parses `scheme://host:port` (IPv6 hosts in brackets). Returns an error message instead of
 * throwing, because a templated URL is parsed at execution time.
 */
export function parseEndpoint(url: string, scheme: string): Endpoint | string {
  const prefix = `${scheme}://`;
  if (!url.toLowerCase().startsWith(prefix)) return `url must start with ${prefix}`;
  let rest = url.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash >= 0) rest = rest.slice(0, slash);
  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') return `url must be ${prefix}host:port`;
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon <= 0) return `url must be ${prefix}host:port`;
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
  }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return `url port must be 1 to 65535`;
  return { host, port, key: `${host}:${port}` };
}

/** True when a text contains a `${name}` slot, so it can only be checked after rendering. */
export function hasVariables(text: string): boolean {
  return text.includes('${');
}

/** Checks that a step's `method` (already normalized) is one of `methods`; the problem goes to `ctx`. */
export function checkMethod(method: string, methods: readonly string[], ctx: PrepareContext): void {
  if (!methods.includes(method)) ctx.problems.push({ path: `${ctx.path}.method`, message: `method must be one of ${methods.join(', ')}` });
}
