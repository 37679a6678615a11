/**
 * The case-level limits (docs/security.md, "Limits"): what one case, transaction, variable or run
 * may ask for at most, so that no single request can take the server down. Each is set by its
 * variable of the configuration (config.ts); a value over a limit is a 400 naming the limit, the
 * asked value and the allowed one.
 */
import { apiError, type ApiError } from '@perftest/model';

/** The limits, as the configuration sets them. */
export interface AdmissionLimits {
  /** Cards of one case or transaction, at every depth, transactions it references included. */
  cardsPerCase: number;
  /** Levels of controllers inside controllers. */
  nesting: number;
  /** One packet (a request's url, headers, body...) as JSON, in bytes. */
  packetBytes: number;
  /** One request body, in bytes. */
  bodyBytes: number;
  /** One global variable's values as JSON, in bytes. */
  variableBytes: number;
  /** Stages of one case. */
  stagesPerCase: number;
  /** Seconds a run may last (its stages by duration; a stage by count is not counted). */
  runSeconds: number;
  /** Users one stage may ask for. */
  usersPerStage: number;
  /** Users one run may ask for at once (its cases' peaks, summed when they run in parallel). */
  usersPerRun: number;
}

/** Each limit's variable, default and highest settable value. */
export const LIMITS: { readonly [K in keyof AdmissionLimits]: { variable: string; fallback: number; max: number } } = {
  cardsPerCase: { variable: 'PERFTEST_MAX_CARDS', fallback: 10_000, max: 1_000_000 },
  nesting: { variable: 'PERFTEST_MAX_NESTING', fallback: 10, max: 10 },
  packetBytes: { variable: 'PERFTEST_MAX_PACKET_BYTES', fallback: 2 * 1024 * 1024, max: 16 * 1024 * 1024 },
  bodyBytes: { variable: 'PERFTEST_MAX_BODY_BYTES', fallback: 1024 * 1024, max: 16 * 1024 * 1024 },
  variableBytes: { variable: 'PERFTEST_MAX_VARIABLE_BYTES', fallback: 8 * 1024 * 1024, max: 16 * 1024 * 1024 },
  stagesPerCase: { variable: 'PERFTEST_MAX_STAGES', fallback: 100, max: 1024 },
  runSeconds: { variable: 'PERFTEST_MAX_RUN_SECONDS', fallback: 7 * 24 * 3600, max: 366 * 24 * 3600 },
  usersPerStage: { variable: 'PERFTEST_MAX_STAGE_USERS', fallback: 100_000, max: 10_000_000 },
  usersPerRun: { variable: 'PERFTEST_MAX_RUN_USERS', fallback: 100_000, max: 10_000_000 },
};

/** The documented defaults. */
export const DEFAULT_LIMITS: AdmissionLimits = Object.fromEntries(
  Object.entries(LIMITS).map(([key, { fallback }]) => [key, fallback]),
) as unknown as AdmissionLimits;

/** The 400 for `what` asking `asked` where limit `key` allows `limits[key]`. */
export function limitExceeded(limits: AdmissionLimits, key: keyof AdmissionLimits, what: string, asked: number): ApiError {
  return apiError('LIMIT_EXCEEDED', { what, asked, limit: LIMITS[key].variable, allowed: limits[key] });
}

/** Throws limitExceeded when `asked` is over limit `key`. */
export function within(limits: AdmissionLimits, key: keyof AdmissionLimits, what: string, asked: number): void {
  if (asked > limits[key]) throw limitExceeded(limits, key, what, asked);
}
