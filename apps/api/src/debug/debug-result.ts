/**
 * One request of a debug run as the SDK's DebugCaseResult reads it: `name`, `url` (`METHOD url`,
 * the URL as requested), `header` and `body` (the request as sent, when the protocol has them),
 * `statusCode` ("200 OK"; "OK" or the error for protocols without a status line; "" when no
 * response came), `responseTime` (whole milliseconds), `returnHeader` (response headers with their
 * usual capitalisation, repeated ones joined by ", "), `returnBody` (UTF-8 text; a body that is not
 * text comes as `base64:` and its base64), `result` (1 success, else 2 checkPointFailed,
 * 3 parsedFailed, 4 refusedFailed, 5 timeout, 6 othersFailed) and `errorReason` ("" on success).
 * Bodies longer than 64 KB are cut there and end with a `[truncated: ...]` marker. Streaming
 * sessions add `streaming`, the engine's counters for the session; HTTP responses add `httpVersion`
 * ("HTTP/1.1" or "HTTP/2"), the version spoken.
 */
import { OUTCOMES } from '@perftest/model';
import { DEBUG_BODY_LIMIT, type DebugRequest } from './debug-run.js';

/** A debug result entry. */
export interface DebugCaseResult {
  name: string;
  url: string;
  header: Record<string, string>;
  body: string;
  statusCode: string;
  responseTime: number;
  returnHeader: Record<string, string>;
  returnBody: string;
  result: number;
  errorReason: string;
  streaming?: Record<string, number>;
  httpVersion?: string;
}

/** `Content-Type` for `content-type`. */
export function headerName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** Response headers with usual capitalisation, repeated headers joined. */
function responseHeaders(headers: Record<string, string | string[]> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  for (const [name, value] of Object.entries(headers)) out[headerName(name)] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** True when the bytes read as UTF-8 text (no replacement characters, no control bytes but whitespace). */
function isText(bytes: Buffer, text: string): boolean {
  if (text.includes('\uFFFD')) return false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  }
  return true;
}

/** A body for display: text, or `base64:` and its base64, cut at `limit` bytes with a marker. */
export function displayBody(body: Buffer | string | undefined, limit = DEBUG_BODY_LIMIT): string {
  if (body === undefined) return '';
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  let cut = bytes.length;
  if (cut > limit) {
    // do not split a UTF-8 character: step back over at most 3 continuation bytes
    cut = limit;
    for (let back = 0; back < 3 && cut > 0 && (bytes[cut] & 0xc0) === 0x80; back++) cut--;
  }
  const kept = bytes.subarray(0, cut);
  const text = kept.toString('utf8');
  const shown = isText(kept, text) ? text : `base64:${kept.toString('base64')}`;
  return cut < bytes.length ? `${shown}\n[truncated: first ${cut} of ${bytes.length} bytes]` : shown;
}

/** The result code of an outcome: 1 for success, then the outcomes in order. */
export function resultCode(outcome: string): number {
  const index = (OUTCOMES as readonly string[]).indexOf(outcome);
  return index < 0 ? OUTCOMES.length : index + 1;
}

/** The status text of a result ("" when no response came). */
function statusCode(status: number, statusText: string | undefined): string {
  if (statusText !== undefined && statusText !== '' && statusText !== '0') return statusText;
  return status > 0 ? String(status) : '';
}

/** One debug result entry. */
export function debugCaseResult({ card, result }: DebugRequest): DebugCaseResult {
  const entry: DebugCaseResult = {
    name: card.name,
    url: `${card.method} ${result.url ?? card.url}`.trim(),
    header: { ...(result.requestHeaders ?? {}) },
    body: displayBody(result.requestBody),
    statusCode: statusCode(result.status, result.statusText),
    responseTime: Math.round(result.responseTimeUs / 1000),
    returnHeader: responseHeaders(result.headers),
    returnBody: displayBody(result.body),
    result: resultCode(result.outcome),
    errorReason: result.outcome === 'success' ? '' : (result.error ?? result.outcome),
  };
  if (result.streaming !== undefined) entry.streaming = { ...result.streaming };
  if (result.httpVersion !== undefined) entry.httpVersion = result.httpVersion;
  return entry;
}
