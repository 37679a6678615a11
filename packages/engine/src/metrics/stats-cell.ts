/**
 * One statistics cell: the counters and response-time histogram of one request card (or of the case
 * iteration) over one interval. `record` is on the hot path and allocates nothing.
 */
import { OUTCOMES, type EncodedStats, type Outcome } from '@perftest/model';
import { clampUs, createRecordingHistogram, encodeHistogram, recordingUsesWasm, type Histogram } from './histogram.js';

/** Index of each outcome in OUTCOMES (the order of counters in cells). */
export const OUTCOME_INDEX: Readonly<Record<Outcome, number>> = Object.freeze(
  Object.fromEntries(OUTCOMES.map((o, i) => [o, i])) as Record<Outcome, number>,
);

const OTHERS_FAILED = OUTCOME_INDEX.othersFailed;

/** Releases WASM histograms of cells that were dropped without `close()`. */
const finalizer = new FinalizationRegistry<Histogram>((histogram) => histogram.destroy());

/** Status class index (0 = 1xx … 4 = 5xx) of a protocol status, or -1 when it has none. */
export function statusClassOf(status: number): number {
  if (status >= 100 && status < 600) return Math.floor(status / 100) - 1;
  return -1;
}

/** Counters and histogram of one card (or the case iteration) for the current interval. */
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
  private histogram: Histogram;
  private closed = false;

  constructor() {
    this.histogram = createRecordingHistogram();
    if (recordingUsesWasm()) finalizer.register(this, this.histogram, this);
  }

  /** Counts one finished request (or iteration). Response times are clamped to 1 us .. 1 h. */
  record(outcome: Outcome, status: number, responseTimeUs: number, sentBytes: number, recBytes: number): void {
    const rt = clampUs(responseTimeUs);
    this.requests++;
    const index = OUTCOME_INDEX[outcome];
    this.outcomeCounts[index === undefined ? OTHERS_FAILED : index]++;
    const statusClass = statusClassOf(status);
    if (statusClass >= 0) this.statusClasses[statusClass]++;
    this.sentBytes += sentBytes;
    this.recBytes += recBytes;
    this.rtSumUs += rt;
    if (rt < this.rtMinUs) this.rtMinUs = rt;
    if (rt > this.rtMaxUs) this.rtMaxUs = rt;
    this.histogram.recordValue(rt);
  }

  /** The cell's interval in its wire form (histogram as HDR compressed base64). */
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
      histogram: encodeHistogram(this.histogram),
    };
  }

  /** Clears the cell for the next interval, keeping its histogram. */
  reset(): void {
    this.requests = 0;
    this.outcomeCounts.fill(0);
    this.statusClasses.fill(0);
    this.sentBytes = 0;
    this.recBytes = 0;
    this.rtSumUs = 0;
    this.rtMinUs = Number.POSITIVE_INFINITY;
    this.rtMaxUs = 0;
    this.histogram.reset();
  }

  /** Releases the histogram (WASM memory). The cell must not be used afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    finalizer.unregister(this);
    this.histogram.destroy();
  }
}
