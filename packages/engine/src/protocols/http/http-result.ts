/**
 * Turning what undici delivered for one HTTP exchange into a RequestResult: outcome classification
 * (docs/protocols.md, "Outcomes"), response headers and the (decompressed) body when the response is kept.
 */
import zlib from 'node:zlib';
import type { Outcome } from '@perftest/model';
import type { RequestResult } from '../driver.js';
import { headerRecordOf } from '../response-headers.js';

/** What an exchange saw of the last response. */
export interface ResponseState {
  readonly status: number;
  readonly statusText: string;
  readonly headersSeen: boolean;
  readonly error: Error | null;
  readonly rawHeaders: readonly (Buffer | string)[] | null;
  readonly chunks: readonly Buffer[];
  readonly contentEncoding: string | null;
}

/**
 * Builds the result of an exchange. A kept response's headers are a record at once in debug runs
 * (whose results are shown as they are); otherwise they stay as received until a check asks
 * (response-headers.ts).
 */
export function buildResult(
  r: ResponseState,
  keep: boolean,
  debug: boolean,
  responseTimeUs: number,
  sentBytes: number,
  recBytes: number,
  href: string,
): RequestResult {
  const status = r.status;
  let outcome: Outcome = 'success';
  let error: string | undefined;
  if (r.error !== null) {
    outcome = classify(r.error, r.headersSeen);
    error = describe(r.error);
  } else if (status < 200 || status > 299) {
    outcome = 'checkPointFailed';
    error = `HTTP status ${status}`;
  }
  const result: RequestResult = { outcome, status, responseTimeUs, sentBytes, recBytes };
  if (error !== undefined) result.error = error;
  if (!keep) return result;
  result.statusText = `${status} ${r.statusText}`.trim();
  result.url = href;
  if (r.rawHeaders !== null) {
    if (debug) result.headers = headerRecordOf(r.rawHeaders);
    else result.rawHeaders = r.rawHeaders;
  }
  const raw = r.chunks.length === 1 ? r.chunks[0] : Buffer.concat(r.chunks as Buffer[]);
  try {
    result.body = decode(raw, r.contentEncoding);
  } catch (err) {
    result.body = raw;
    if (outcome === 'success' || outcome === 'checkPointFailed') {
      result.outcome = 'parsedFailed';
      result.error = `cannot decode ${r.contentEncoding} body: ${(err as Error).message}`;
    }
  }
  return result;
}

/** A result for a request that could not be sent at all. */
export function failedResult(outcome: Outcome, error: string, responseTimeUs: number): RequestResult {
  return { outcome, status: 0, responseTimeUs, sentBytes: 0, recBytes: 0, error };
}

function decode(body: Buffer, encoding: string | null): Buffer {
  if (encoding === null || encoding === 'identity' || body.length === 0) return body;
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.gunzipSync(body);
  if (encoding === 'deflate') return zlib.inflateSync(body);
  if (encoding === 'br') return zlib.brotliDecompressSync(body);
  return body;
}

/** Classifies an undici or socket error. */
export function classify(err: Error, headersSeen: boolean): Outcome {
  const code = (err as { code?: string }).code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'refusedFailed';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timeout';
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
    case 'UND_ERR_HEADERS_OVERFLOW':
    case 'UND_ERR_RES_EXCEEDED_MAX_SIZE':
    case 'UND_ERR_INVALID_ARG':
    case 'UND_ERR_NOT_SUPPORTED':
      return 'parsedFailed';
    default:
      // a parser error, or the connection lost after the headers (truncated body)
      if (code.startsWith('HPE_') || err.name === 'HTTPParserError' || headersSeen) return 'parsedFailed';
      return 'othersFailed';
  }
}

const STREAM_RESET = /^Stream closed with error code (\w+)$/;

function describe(err: Error): string {
  const code = (err as { code?: string }).code;
  if (code === 'ERR_HTTP2_STREAM_ERROR') {
    const reset = STREAM_RESET.exec(err.message);
    if (reset !== null) return `HTTP/2: the server reset the stream (RST_STREAM ${reset[1]})`;
  }
  if (code === 'ERR_HTTP2_ERROR') return `HTTP/2 refused: the server's answer is not HTTP/2 (${err.message})`;
  return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}

/** Request headers as a record, for debug output. */
export function headerRecord(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}
