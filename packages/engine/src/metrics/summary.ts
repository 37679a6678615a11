/**
 * Report figures from merged statistics: counts, rates, response-time statistics, percentiles and the
 * response-time distribution buckets (docs/reports.md, "Response-time buckets"). Times stay in
 * microseconds; the report layer converts them to milliseconds.
 */
import type { Outcome } from '@perftest/model';
import type { CompactHistogram } from './compact-histogram.js';
import { histogramLayout } from './histogram.js';
import type { MergedStats } from './merge.js';

/** The percentiles a report shows, by field name, as percentages. */
export const PERCENTILES = {
  tp50: 50,
  tp75: 75,
  tp85: 85,
  tp90: 90,
  tp95: 95,
  tp99: 99,
  tp999: 99.9,
  tp9999: 99.99,
} as const;
/** A percentile field name (tp50 … tp9999). */
export type PercentileName = keyof typeof PERCENTILES;

/**
 * Response-time distribution buckets of the report, with their inclusive upper bounds in us.
 * "0~50ms" holds RT <= 50 ms, "50~200ms" holds 50 ms < RT <= 200 ms, …, ">5s" holds RT > 5 s.
 */
export const RT_BUCKETS = [
  ['0~50ms', 50_000],
  ['50~200ms', 200_000],
  ['200~500ms', 500_000],
  ['500ms~1s', 1_000_000],
  ['1~2s', 2_000_000],
  ['2~3s', 3_000_000],
  ['3~4s', 4_000_000],
  ['4~5s', 5_000_000],
  ['>5s', Number.POSITIVE_INFINITY],
] as const;
/** A response-time bucket label ("0~50ms" … ">5s"). */
export type RtBucketLabel = (typeof RT_BUCKETS)[number][0];

/** Everything a report row needs from one merged cell. */
export interface StatsSummary {
  requests: number;
  successCount: number;
  errorCount: number;
  outcomes: Record<Outcome, number>;
  /** Responses per status class: sum1xx … sum5xx. */
  sum1xx: number;
  sum2xx: number;
  sum3xx: number;
  sum4xx: number;
  sum5xx: number;
  sentBytes: number;
  recBytes: number;
  /** Success rate in percent (0 when there were no requests). */
  successRate: number;
  avgUs: number;
  minUs: number;
  maxUs: number;
  percentiles: Record<PercentileName, number>;
  rtBuckets: Record<RtBucketLabel, number>;
}

/** Summarizes merged statistics. */
export function summarize(stats: MergedStats): StatsSummary {
  const { requests } = stats;
  const successCount = stats.outcomes.success;
  const percentiles = {} as Record<PercentileName, number>;
  for (const name of Object.keys(PERCENTILES) as PercentileName[]) {
    percentiles[name] = requests === 0 ? 0 : stats.histogram.getValueAtPercentile(PERCENTILES[name]);
  }
  const [sum1xx, sum2xx, sum3xx, sum4xx, sum5xx] = stats.statusClasses;
  return {
    requests,
    successCount,
    errorCount: requests - successCount,
    outcomes: { ...stats.outcomes },
    sum1xx,
    sum2xx,
    sum3xx,
    sum4xx,
    sum5xx,
    sentBytes: stats.sentBytes,
    recBytes: stats.recBytes,
    successRate: requests === 0 ? 0 : (successCount / requests) * 100,
    avgUs: requests === 0 ? 0 : stats.rtSumUs / requests,
    minUs: stats.rtMinUs,
    maxUs: stats.rtMaxUs,
    percentiles,
    rtBuckets: rtBucketCounts(stats.histogram),
  };
}

/**
 * Counts per response-time bucket. Each HDR bucket is counted where its lowest equivalent value
 * falls, so a value within the 0.1 % resolution above a bound may count in the lower bucket; none
 * of the bounds coincides with an HDR bucket edge.
 */
export function rtBucketCounts(histogram: CompactHistogram): Record<RtBucketLabel, number> {
  const counts = {} as Record<RtBucketLabel, number>;
  for (const [label] of RT_BUCKETS) counts[label] = 0;
  const { lowest } = histogramLayout();
  let bucket = 0;
  histogram.forEachBucket((index, count) => {
    while (lowest[index] > RT_BUCKETS[bucket][1]) bucket++;
    counts[RT_BUCKETS[bucket][0]] += count;
  });
  return counts;
}
