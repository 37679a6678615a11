/**
 * The report's curves (`brokens`): one point per second of the case run, from its first to its
 * last second with data (seconds without rows are zeros), downsampled to at most
 * `brokens_limit_count` points by merging runs of adjacent seconds: counts (response codes, bytes)
 * are summed, so the points of a curve add up to the run's totals whatever the resolution; TPS is
 * recomputed as successful requests per second of the merged run, the average response time as the
 * mean over its requests, and virtual users as the mean over its seconds. A point's timestamp is
 * its first second. All figures are request-level (every request card of the case).
 */
import { curveTime } from '../http/time.js';
import { round } from './round.js';
import { Col, type SecondSeries } from '@perftest/engine';
import type { ReportBrokens } from '@perftest/model';

/** Points when the query leaves `brokens_limit_count` out: one per second for up to an hour. */
export const DEFAULT_BROKENS_LIMIT = 3600;
/** The highest `brokens_limit_count` honoured (more is answered with this many at most). */
export const MAX_BROKENS_LIMIT = 100_000;

/** `brokens` as the SDK's ReportbrokensInfo reads it. */
export type Brokens = ReportBrokens;

/** The failure columns, whose sum is a point's `error`. */
const FAILURES = [Col.checkPointFailed, Col.parsedFailed, Col.refusedFailed, Col.timeout, Col.othersFailed] as const;

/** Builds the curves of `series` with at most `limit` points. */
export function buildBrokens(series: SecondSeries, limit: number): Brokens {
  const out: Brokens = {
    brand_brokens: { recBytes: [], sentBytes: [] },
    commonTimestamps: [],
    respcode_brokens: { checkPointFailed: [], error: [], othersFailed: [], parsedFailed: [], refusedFailed: [], success: [], timeout: [] },
    tps_brokens: { average: [], tps: [] },
    vusers_brokens: { vusers: [] },
    dropped_brokens: { dropped: [] },
  };
  const span = series.span;
  if (span === 0) return out;
  const group = Math.ceil(span / Math.max(1, Math.min(limit, MAX_BROKENS_LIMIT)));
  const rc = out.respcode_brokens;
  for (let from = series.first; from <= series.last; from += group) {
    const to = Math.min(from + group - 1, series.last);
    let users = 0;
    let requests = 0;
    let rtSumUs = 0;
    let success = 0;
    let sent = 0;
    let received = 0;
    let dropped = 0;
    const failed = [0, 0, 0, 0, 0];
    for (let s = from; s <= to; s++) {
      users += series.get(s, Col.users);
      requests += series.get(s, Col.requests);
      rtSumUs += series.get(s, Col.rtSumUs);
      success += series.get(s, Col.success);
      sent += series.get(s, Col.sentBytes);
      received += series.get(s, Col.recBytes);
      dropped += series.get(s, Col.dropped);
      for (let i = 0; i < FAILURES.length; i++) failed[i] += series.get(s, FAILURES[i]);
    }
    const seconds = to - from + 1;
    out.commonTimestamps.push(curveTime(from));
    out.tps_brokens.tps.push(round(success / seconds, 3));
    out.tps_brokens.average.push(requests === 0 ? 0 : round(rtSumUs / requests / 1000, 3));
    out.vusers_brokens.vusers.push(round(users / seconds, 2));
    rc.success.push(success);
    rc.checkPointFailed.push(failed[0]);
    rc.parsedFailed.push(failed[1]);
    rc.refusedFailed.push(failed[2]);
    rc.timeout.push(failed[3]);
    rc.othersFailed.push(failed[4]);
    rc.error.push(failed[0] + failed[1] + failed[2] + failed[3] + failed[4]);
    out.brand_brokens.sentBytes.push(sent);
    out.brand_brokens.recBytes.push(received);
    out.dropped_brokens.dropped.push(dropped);
  }
  return out;
}
