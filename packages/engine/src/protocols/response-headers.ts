/**
 * A response's header record, made on first use: HTTP results outside debug runs carry the headers
 * as received (`rawHeaders`), since most checkpoints read only the status or the body.
 */
import type { RequestResult } from './driver.js';

const NOT_ASCII = /[^\x00-\x7f]/;

/** The headers of `result` as a record (made from its raw headers once), or undefined. */
export function headersOf(result: RequestResult): Record<string, string | string[]> | undefined {
  const raw = result.rawHeaders;
  if (raw !== undefined) {
    result.headers = headerRecordOf(raw);
    result.rawHeaders = undefined;
  }
  return result.headers;
}

/** Flat [name, value, ...] headers as a record: lower-case names, repeated names as arrays (set-cookie always). */
export function headerRecordOf(raw: readonly (Buffer | string)[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i];
    const v = raw[i + 1];
    const name = (typeof n === 'string' ? n : n.toString('latin1')).toLowerCase();
    // undici hands Buffers (read as UTF-8); the lean parser latin1 strings of the same bytes
    const value = typeof v !== 'string' ? v.toString('utf8') : NOT_ASCII.test(v) ? Buffer.from(v, 'latin1').toString('utf8') : v;
    const existing = out[name];
    if (existing === undefined) out[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[name] = [existing, value];
  }
  return out;
}
