/**
 * One statistics cell: the counters and response times of one request card (or of the case
 * iteration) over one interval. `record` is on the hot path: it counts and appends the response
 * time to the cell's buffer (no histogram, no allocation once the buffer has grown to the cell's
 * rate); the buffer is turned into the interval's encoded histogram once a second (histogram.ts).
 * A cell holds a few hundred bytes plus 4 bytes per request of its busiest second, whatever the
 * number of cells, so memory follows the request rate, not the number of cards.
 */
import { OUTCOMES, type EncodedStats, type Outcome } from '@perftest/model';
import { clampUs, encodeValues } from './histogram.js';

/** Index of each outcome in OUTCOMES (the order of counters in cells). */
export const OUTCOME_INDEX: Readonly<Record<Outcome, number>> = Object.freeze(
  Object.fromEntries(OUTCOMES.map((o, i) => [o, i])) as Record<Outcome, number>,
);

const OTHERS_FAILED = OUTCOME_INDEX.othersFailed;
/** Response times a new cell has room for. */
const INITIAL_VALUES = 4;
/** A buffer is shrunk at a flush when it is above this size and four times what the second used. */
const SHRINK_ABOVE = 256;

/** Status class index (0 = 1xx … 4 = 5xx) of a protocol status, or -1 when it has none. */
export function statusClassOf(status: number): number {
  if (status >= 100 && status < 600) return Math.floor(status / 100) - 1;
  return -1;
}

/** Counters and response times of one card (or the case iteration) for the current interval. */
export class StatsCell {
  requests = 0;
  /** One counter per outcome, in OUTCOMES order. */
  readonly outcomeCounts = new Float64Array(OUTCOMES.length);
  /** Responses per status class: index 0 = 1xx … 4 = 5xx. */
  readonly statusClasses = new Float64Array(5);
  sentBytes = 0;
  recBytes = 0;
  rtSumUs = 0;
  rtMinUs = Number.POSITIVE_INFINITY;
  rtMaxUs = 0;
  /** The interval's response times (clamped us), `requests` of them. */
  private values = new Uint32Array(INITIAL_VALUES);

  /** Counts one finished request (or iteration). Response times are clamped to 1 us .. 1 h. */
  record(outcome: Outcome, status: number, responseTimeUs: number, sentBytes: number, recBytes: number): void {
    const rt = clampUs(responseTimeUs);
    if (this.requests === this.values.length) this.resize(this.values.length * 2);
    this.values[this.requests++] = rt;
    const index = OUTCOME_INDEX[outcome];
    this.outcomeCounts[index === undefined ? OTHERS_FAILED : index]++;
    const statusClass = statusClassOf(status);
    if (statusClass >= 0) this.statusClasses[statusClass]++;
    this.sentBytes += sentBytes;
    this.recBytes += recBytes;
    this.rtSumUs += rt;
    if (rt < this.rtMinUs) this.rtMinUs = rt;
    if (rt > this.rtMaxUs) this.rtMaxUs = rt;
  }

  /** The cell's interval in its wire form (histogram encoded by histogram.ts). */
  encode(): EncodedStats {
    const outcomes = {} as Record<Outcome, number>;
    for (let i = 0; i < OUTCOMES.length; i++) outcomes[OUTCOMES[i]] = this.outcomeCounts[i];
    const c = this.statusClasses;
    return {
      requests: this.requests,
      outcomes,
      statusClasses: [c[0], c[1], c[2], c[3], c[4]],
      sentBytes: this.sentBytes,
      recBytes: this.recBytes,
      rtSumUs: this.rtSumUs,
      rtMinUs: this.requests === 0 ? 0 : this.rtMinUs,
      rtMaxUs: this.rtMaxUs,
      histogram: encodeValues(this.values, this.requests),
    };
  }

  /** Clears the cell for the next interval; a buffer much larger than this second needed shrinks. */
  reset(): void {
    if (this.values.length > SHRINK_ABOVE && this.requests * 4 < this.values.length) {
      this.resize(Math.max(INITIAL_VALUES, 2 ** Math.ceil(Math.log2(this.requests * 2 + 1))));
    }
    if (this.requests === 0) return;
    this.requests = 0;
    this.outcomeCounts.fill(0);
    this.statusClasses.fill(0);
    this.sentBytes = 0;
    this.recBytes = 0;
    this.rtSumUs = 0;
    this.rtMinUs = Number.POSITIVE_INFINITY;
    this.rtMaxUs = 0;
  }

  private resize(length: number): void {
    const values = new Uint32Array(length);
    values.set(this.values.subarray(0, Math.min(this.requests, length)));
    this.values = values;
  }
}
