/**
 * The stored form of an interval (`intervals.data`, packages/store/src/migrations/002-runs.ts): the
 * IntervalMessage with each statistics cell (`iterations` and every entry of `cards`) as a
 * positional array instead of an object with long keys. A report reads every row of its case run
 * out of the database, and jsonb output, text decoding and JSON.parse all scale with a row's size:
 * a second of 10,000 cards is about 3 MB of JSON as objects and 0.9 MB as arrays
 * (docs/run-lifecycle.md). Only the storage boundary converts: engine threads, workers, the live hub
 * and the report accumulator keep using IntervalMessage and EncodedStats.
 *
 * The message's other keys (`type`, `second`, `users`, `started`, `dropped`, `aborted`, `stage`)
 * are stored as they are, so SQL reading them (`data->>'dropped'`) is unaffected.
 *
 * Rows written before this form stored cells as EncodedStats objects. They are not rewritten:
 * unpackInterval accepts both forms, cell by cell (an array is packed, an object is taken as is).
 */
import type { Outcome } from './enums.js';
import type { EncodedStats, IntervalMessage, IntervalRow } from './messages.js';

/**
 * Position of each field in a PackedStats. Outcomes follow the order of OUTCOMES in enums.ts and
 * status classes 1xx to 5xx; the positions are the stored format, so they never move: a new field
 * goes at the end (after `error`, which is only there when present).
 */
export const PACKED_STATS = {
  requests: 0,
  success: 1,
  checkPointFailed: 2,
  parsedFailed: 3,
  refusedFailed: 4,
  timeout: 5,
  othersFailed: 6,
  status1xx: 7,
  status2xx: 8,
  status3xx: 9,
  status4xx: 10,
  status5xx: 11,
  sentBytes: 12,
  recBytes: 13,
  rtSumUs: 14,
  rtMinUs: 15,
  rtMaxUs: 16,
  histogram: 17,
  error: 18,
} as const satisfies Record<Outcome, number> & Record<string, number>;

/**
 * An EncodedStats as stored, positions as in PACKED_STATS:
 * `[requests, success, checkPointFailed, parsedFailed, refusedFailed, timeout, othersFailed,
 * 1xx, 2xx, 3xx, 4xx, 5xx, sentBytes, recBytes, rtSumUs, rtMinUs, rtMaxUs, histogram, error?]`.
 */
export type PackedStats = [
  requests: number,
  success: number,
  checkPointFailed: number,
  parsedFailed: number,
  refusedFailed: number,
  timeout: number,
  othersFailed: number,
  status1xx: number,
  status2xx: number,
  status3xx: number,
  status4xx: number,
  status5xx: number,
  sentBytes: number,
  recBytes: number,
  rtSumUs: number,
  rtMinUs: number,
  rtMaxUs: number,
  histogram: string,
  error?: string,
];

/** `intervals.data`: an IntervalMessage with packed cells (rows of earlier versions: object cells). */
export interface StoredInterval extends Omit<IntervalMessage, 'iterations' | 'cards'> {
  iterations: PackedStats | EncodedStats;
  cards: Record<string, PackedStats | EncodedStats>;
}

/** A row of `intervals` as the database returns it (unpackRows makes it an IntervalRow). */
export interface StoredIntervalRow extends Omit<IntervalRow, 'data'> {
  data: StoredInterval;
}

const P = PACKED_STATS;

/** One cell in its stored form. */
export function packStats(stats: EncodedStats): PackedStats {
  const o = stats.outcomes;
  const c = stats.statusClasses;
  const cell = new Array(P.error) as PackedStats; // every position up to the histogram
  cell[P.requests] = stats.requests;
  cell[P.success] = o.success;
  cell[P.checkPointFailed] = o.checkPointFailed;
  cell[P.parsedFailed] = o.parsedFailed;
  cell[P.refusedFailed] = o.refusedFailed;
  cell[P.timeout] = o.timeout;
  cell[P.othersFailed] = o.othersFailed;
  cell[P.status1xx] = c[0];
  cell[P.status2xx] = c[1];
  cell[P.status3xx] = c[2];
  cell[P.status4xx] = c[3];
  cell[P.status5xx] = c[4];
  cell[P.sentBytes] = stats.sentBytes;
  cell[P.recBytes] = stats.recBytes;
  cell[P.rtSumUs] = stats.rtSumUs;
  cell[P.rtMinUs] = stats.rtMinUs;
  cell[P.rtMaxUs] = stats.rtMaxUs;
  cell[P.histogram] = stats.histogram;
  if (stats.error !== undefined) cell[P.error] = stats.error;
  return cell;
}

/** A stored cell as EncodedStats: a packed one is unpacked, an object (an earlier row) returned as is. */
export function unpackStats(cell: PackedStats | EncodedStats): EncodedStats {
  if (!Array.isArray(cell)) return cell;
  const stats: EncodedStats = {
    requests: cell[P.requests],
    outcomes: {
      success: cell[P.success],
      checkPointFailed: cell[P.checkPointFailed],
      parsedFailed: cell[P.parsedFailed],
      refusedFailed: cell[P.refusedFailed],
      timeout: cell[P.timeout],
      othersFailed: cell[P.othersFailed],
    },
    statusClasses: [cell[P.status1xx], cell[P.status2xx], cell[P.status3xx], cell[P.status4xx], cell[P.status5xx]],
    sentBytes: cell[P.sentBytes],
    recBytes: cell[P.recBytes],
    rtSumUs: cell[P.rtSumUs],
    rtMinUs: cell[P.rtMinUs],
    rtMaxUs: cell[P.rtMaxUs],
    histogram: cell[P.histogram],
  };
  if (cell.length > P.error) stats.error = cell[P.error];
  return stats;
}

/** An interval in its stored form (a new object; `msg` is left as it is). */
export function packInterval(msg: IntervalMessage): StoredInterval {
  const cards: Record<string, PackedStats> = {};
  for (const key in msg.cards) cards[key] = packStats(msg.cards[key]);
  return { ...msg, iterations: packStats(msg.iterations), cards };
}

/**
 * A stored interval as an IntervalMessage, of either form. Converts `stored` in place and returns
 * it: it is a row just parsed from the database, and a report reads 10,000 cells per row, so no
 * second cards object is made.
 */
export function unpackInterval(stored: StoredInterval): IntervalMessage {
  const cards = stored.cards;
  for (const key in cards) cards[key] = unpackStats(cards[key]);
  stored.iterations = unpackStats(stored.iterations);
  return stored as IntervalMessage;
}

/** Rows to write to `intervals`: each a copy with its `data` packed (`rows` are left as they are). */
export function packRows<T extends { data: IntervalMessage }>(rows: readonly T[]): Array<Omit<T, 'data'> & { data: StoredInterval }> {
  const stored = new Array<Omit<T, 'data'> & { data: StoredInterval }>(rows.length);
  for (let i = 0; i < rows.length; i++) stored[i] = { ...rows[i], data: packInterval(rows[i].data) };
  return stored;
}

/** Rows read from `intervals` with their `data` unpacked in place; returns `rows`, retyped. */
export function unpackRows<T extends { data: StoredInterval }>(rows: T[]): Array<Omit<T, 'data'> & { data: IntervalMessage }> {
  for (const row of rows) unpackInterval(row.data);
  return rows as Array<Omit<T, 'data'> & { data: IntervalMessage }>;
}
