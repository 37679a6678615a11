/**
 * The response-time distribution of a report: `respTimeRange`, the engine's buckets (0~50ms … >5s,
 * docs/reports.md, "Response-time buckets") each as `"<percent>%(<count>)"` with the percent to one
 * decimal, and `rtproportion`, the same percentages in one line (`0~50ms:99.8%;50~200ms:0.2%;…`).
 * Request-level: the requests of every card of the case.
 */
import { RT_BUCKETS, type RtBucketLabel } from '@perftest/engine';

/** `respTimeRange`: bucket label to `"<percent>%(<count>)"`. */
export type RespTimeRange = Record<RtBucketLabel, string>;

/** The percent of `count` in `total` to one decimal (0 when there is nothing). */
function percent(count: number, total: number): string {
  return (total === 0 ? 0 : (count / total) * 100).toFixed(1);
}

/** `respTimeRange` from bucket counts. */
export function respTimeRange(buckets: Record<RtBucketLabel, number>): RespTimeRange {
  let total = 0;
  for (const [label] of RT_BUCKETS) total += buckets[label];
  const out = {} as RespTimeRange;
  for (const [label] of RT_BUCKETS) out[label] = `${percent(buckets[label], total)}%(${buckets[label]})`;
  return out;
}

/** `rtproportion`: `label:percent%` for every bucket, joined by `;`. */
export function rtProportion(buckets: Record<RtBucketLabel, number>): string {
  let total = 0;
  for (const [label] of RT_BUCKETS) total += buckets[label];
  return RT_BUCKETS.map(([label]) => `${label}:${percent(buckets[label], total)}%`).join(';');
}
