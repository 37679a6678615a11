/**
 * The CLI's figures: the run summary as the report API's `performance` object (times in ms), and
 * the one-line progress of each second.
 */
import type { IntervalMessage, PerformanceFigures } from '@perftest/model';
import { mergeIntervals, mergeStats } from '../metrics/merge.js';
import { summarize, type StatsSummary } from '../metrics/summary.js';
import type { RunSummary } from '../run/run-summary.js';

/** The `performance` object of a case report, plus the CLI's run facts. */
export interface Performance extends PerformanceFigures {
  tp75: number;
  tp85: number;
  tp999: number;
  tp9999: number;
  /** Requests per second over the run. */
  rps: number;
  transactions: number;
  transactionSuccess: number;
  tranTPS: number;
  avgTranRespTime: number;
  sentBytes: number;
  recBytes: number;
  avgSentBytes: number;
  avgRecBytes: number;
  currentThreadNum: number;
  vum: number;
  started: number;
  dropped: number;
  /** Requests aborted in flight by a stop (docs/run-lifecycle.md#stop). */
  aborted: number;
  duration: number;
  /** CPU time of this process (all threads, user + system) per request during the run, in µs. */
  cpuUsPerRequest: number;
  startTime: string;
  endTime: string;
  end: RunSummary['end'];
}

const ms = (us: number): number => Math.round(us) / 1000;
const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

/** The performance figures of a finished run. */
export function performanceOf(summary: RunSummary, usersSeconds: number, cpuUs: number): Performance {
  const r = summary.requests;
  const it = summary.iterations;
  const seconds = summary.durationS > 0 ? summary.durationS : 1;
  return {
    requests: r.requests,
    successCount: r.successCount,
    errorCount: r.errorCount,
    successRate: round(r.successRate),
    failedAssert: r.outcomes.checkPointFailed,
    failedParsed: r.outcomes.parsedFailed,
    failedRefused: r.outcomes.refusedFailed,
    failedTimeout: r.outcomes.timeout,
    failedOthers: r.outcomes.othersFailed,
    sum1xx: r.sum1xx,
    sum2xx: r.sum2xx,
    sum3xx: r.sum3xx,
    sum4xx: r.sum4xx,
    sum5xx: r.sum5xx,
    averageRespTime: round(r.avgUs / 1000, 3),
    min: ms(r.minUs),
    max: ms(r.maxUs),
    tp50: ms(r.percentiles.tp50),
    tp75: ms(r.percentiles.tp75),
    tp85: ms(r.percentiles.tp85),
    tp90: ms(r.percentiles.tp90),
    tp95: ms(r.percentiles.tp95),
    tp99: ms(r.percentiles.tp99),
    tp999: ms(r.percentiles.tp999),
    tp9999: ms(r.percentiles.tp9999),
    tps: round(r.successCount / seconds),
    rps: round(r.requests / seconds),
    transactions: it.requests,
    transactionSuccess: it.successCount,
    tranTPS: round(it.successCount / seconds),
    avgTranRespTime: round(it.avgUs / 1000, 3),
    sentBytes: r.sentBytes,
    recBytes: r.recBytes,
    avgSentBytes: r.requests === 0 ? 0 : round(r.sentBytes / r.requests),
    avgRecBytes: r.requests === 0 ? 0 : round(r.recBytes / r.requests),
    currentThreadNum: summary.maxUsers,
    vum: round(usersSeconds / 60),
    started: summary.started,
    dropped: summary.dropped,
    aborted: summary.aborted,
    duration: round(summary.durationS, 3),
    cpuUsPerRequest: r.requests === 0 ? 0 : round(cpuUs / r.requests),
    startTime: new Date(summary.startedAt).toISOString(),
    endTime: new Date(summary.endedAt).toISOString(),
    end: summary.end,
  };
}

/** Request-level figures of one interval (all cards merged). */
export function intervalRequests(interval: IntervalMessage): StatsSummary {
  return summarize(mergeStats(mergeIntervals([interval]).cards.values()));
}

/** One progress line: elapsed seconds, users, TPS, p50/p99 and errors of the second. */
export function progressLine(elapsedS: number, interval: IntervalMessage): string {
  const s = intervalRequests(interval);
  const pad = (v: string | number, n: number): string => String(v).padStart(n);
  return (
    `[${pad(elapsedS, 4)}s] users ${pad(interval.users, 6)}  tps ${pad(s.successCount, 7)}  ` +
    `p50 ${pad(ms(s.percentiles.tp50).toFixed(2), 8)} ms  p99 ${pad(ms(s.percentiles.tp99).toFixed(2), 8)} ms  ` +
    `errors ${s.errorCount}` +
    (interval.dropped > 0 ? `  dropped ${interval.dropped}` : '') +
    ((interval.aborted ?? 0) > 0 ? `  aborted ${interval.aborted}` : '')
  );
}

/** The performance object as aligned `name value` lines. */
export function performanceText(perf: Performance): string {
  const width = Math.max(...Object.keys(perf).map((k) => k.length));
  return Object.entries(perf)
    .map(([k, v]) => `${k.padEnd(width)}  ${v}`)
    .join('\n');
}
