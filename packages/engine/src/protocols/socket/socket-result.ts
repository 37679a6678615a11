/**
 * Building RequestResults for the socket drivers (TCP, UDP, WebSocket, MQTT): the clock they share,
 * the classification of socket errors into outcomes, and the one shape every result has.
 */
import { performance } from 'node:perf_hooks';
import type { Outcome } from '@perftest/model';
import type { RequestResult } from '../driver.js';

/** Monotonic time in whole microseconds. */
export function nowUs(): number {
  return Math.round(performance.now() * 1000);
}

/** Error codes that mean the target timed out rather than failed. */
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/** The outcome class of a socket-level error: refused, timeout, or others (DNS, reset, TLS...). */
export function outcomeOfError(error: unknown): Outcome {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED') return 'refusedFailed';
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return 'timeout';
  return 'othersFailed';
}

/** A short text for an error: its code and message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** Counters and timing of one request in progress. */
export interface RequestMeter {
  startUs: number;
  sentBytes: number;
  recBytes: number;
}

/** A meter for a request starting now, with nothing sent or received yet. */
export function startMeter(): RequestMeter {
  return { startUs: nowUs(), sentBytes: 0, recBytes: 0 };
}

/** A finished result: success carries the body (when kept), failures carry the error text. */
export function finishResult(
  meter: RequestMeter,
  outcome: Outcome,
  url: string,
  body: Buffer | undefined,
  error: string | undefined,
  status = 0,
): RequestResult {
  const result: RequestResult = {
    outcome,
    status,
    statusText: error === undefined ? 'OK' : error,
    responseTimeUs: Math.max(0, nowUs() - meter.startUs),
    sentBytes: meter.sentBytes,
    recBytes: meter.recBytes,
    url,
  };
  if (body !== undefined) result.body = body;
  if (error !== undefined) result.error = error;
  return result;
}

/** The result of a request that could not be built or was not started (invalid rendered input, abort). */
export function notStarted(outcome: Outcome, url: string, error: string): RequestResult {
  return finishResult(startMeter(), outcome, url, undefined, error);
}
