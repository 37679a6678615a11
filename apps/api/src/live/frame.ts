/**
 * One second of one case run as the live stream sends it: the rows of that second (every share and
 * worker) merged into counts, rates, outcome and status-class totals, bytes, and response-time
 * statistics of all its requests. Percentiles come from the merged histograms of the second's cards,
 * added into one reused accumulator (no per-second allocation of a histogram).
 */
import { OUTCOMES, type IntervalMessage, type LiveInterval } from '@perftest/model';
import { CompactHistogram, decodeInto } from '@perftest/engine';

/** The live event of a second, without `cards`. */
export type Frame = Omit<LiveInterval, 'cards'>;

const ms = (us: number): number => Math.round(us) / 1000;

/** Builds frames; holds the one histogram every frame of its case run reuses. */
export class FrameBuilder {
  private readonly histogram = new CompactHistogram();

  /** The frame of `second` of case run `caseRunId` from the rows' data (at least one). */
  build(caseRunId: number, second: number, rows: readonly IntervalMessage[]): Frame {
    const histogram = this.histogram;
    histogram.reset();
    let users = 0;
    let started = 0;
    let dropped = 0;
    let aborted = 0;
    let stage = 0;
    let iterations = 0;
    let requests = 0;
    let rtSumUs = 0;
    let rtMaxUs = 0;
    let sent = 0;
    let rec = 0;
    const outcomes = [0, 0, 0, 0, 0, 0];
    const codes = [0, 0, 0, 0, 0];
    for (const data of rows) {
      users += data.users;
      started += data.started ?? 0;
      dropped += data.dropped ?? 0;
      aborted += data.aborted ?? 0;
      if (data.stage > stage) stage = data.stage;
      iterations += data.iterations?.requests ?? 0;
      for (const key of Object.keys(data.cards)) {
        const stats = data.cards[key];
        if (stats.requests === 0) continue;
        requests += stats.requests;
        rtSumUs += stats.rtSumUs;
        if (stats.rtMaxUs > rtMaxUs) rtMaxUs = stats.rtMaxUs;
        sent += stats.sentBytes;
        rec += stats.recBytes;
        for (let i = 0; i < OUTCOMES.length; i++) outcomes[i] += stats.outcomes[OUTCOMES[i]] ?? 0;
        for (let i = 0; i < 5; i++) codes[i] += stats.statusClasses[i] ?? 0;
        decodeInto(histogram, stats.histogram, stats.requests);
      }
    }
    const at = (p: number): number => (requests === 0 ? 0 : ms(histogram.getValueAtPercentile(p)));
    return {
      case_run_id: caseRunId,
      second,
      time: new Date(second * 1000).toISOString(),
      users,
      started,
      dropped,
      aborted,
      stage,
      rps: requests,
      tps: outcomes[0],
      iterations,
      rt: { avg: requests === 0 ? 0 : ms(rtSumUs / requests), p50: at(50), p90: at(90), p99: at(99), max: ms(rtMaxUs) },
      errors: {
        checkPointFailed: outcomes[1],
        parsedFailed: outcomes[2],
        refusedFailed: outcomes[3],
        timeout: outcomes[4],
        othersFailed: outcomes[5],
      },
      codes: { '1xx': codes[0], '2xx': codes[1], '3xx': codes[2], '4xx': codes[3], '5xx': codes[4] },
      sent_bytes: sent,
      rec_bytes: rec,
    };
  }
}
