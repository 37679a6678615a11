/**
 * What crosses between engine threads, worker processes and the API: one interval of metrics per
 * second, encoded so that intervals from any number of threads and workers merge exactly.
 */
import type { Outcome } from './enums.js';

/** Counters of one statistics cell (the case iteration, or one request card) over one interval. */
export interface StatsCounters {
  /** Requests (or, for the case cell, iterations) that completed in the interval. */
  requests: number;
  /** One counter per outcome; they sum to `requests`. */
  outcomes: Record<Outcome, number>;
  /** Responses by status class: index 0 = 1xx … 4 = 5xx. */
  statusClasses: [number, number, number, number, number];
  sentBytes: number;
  recBytes: number;
  /** Sum, minimum and maximum of response times in microseconds (min is 0 when requests is 0). */
  rtSumUs: number;
  rtMinUs: number;
  rtMaxUs: number;
}

/** A cell with its response-time histogram (HDR, microseconds, compressed base64). */
export interface EncodedStats extends StatsCounters {
  histogram: string;
}

/** What a request card is, so that reports can name its row. Keys are stable within a run. */
export interface CardInfo {
  key: string;
  name: string;
  method: string;
  url: string;
  protocolType: number;
}

/** One second of one case run on one thread or worker. */
export interface IntervalMessage {
  type: 'interval';
  /** Unix epoch second covered by this interval. */
  second: number;
  /** Active virtual users at the end of the second. */
  users: number;
  /** Iterations started in the second, and starts dropped because no user was free (TPS modes). */
  started: number;
  dropped: number;
  /** Index of the stage running at the end of the second. */
  stage: number;
  /** Per case iteration (transaction): succeeds only if all its requests do; RT is their sum. */
  iterations: EncodedStats;
  /** Per request card, by CardInfo.key. */
  cards: Record<string, EncodedStats>;
}
