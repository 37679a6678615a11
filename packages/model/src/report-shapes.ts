/**
 * Shapes of a case run's report (`GET .../reports`, see docs/api.md "Report") that the API writes and
 * the report page reads (packages/report): one definition for both sides. The documented keys are
 * the SDK's; the extra keys (dropped starts, aborted requests, interruptions) are this project's and
 * SDKs ignore them.
 */
import type { Interruption } from './messages.js';

/** The peak figures a report shows (keys of the SDK's PeakMetric, times in ms, rate in percent). */
export interface PeakMetric {
  vuser: number;
  rps: number;
  avgRT: number;
  successRate: number;
  peakTime: string;
}

/** `brokens`, the per-point curves, as the SDK's ReportbrokensInfo reads them (plus `dropped_brokens`). */
export interface ReportBrokens {
  brand_brokens: { recBytes: number[]; sentBytes: number[] };
  commonTimestamps: string[];
  respcode_brokens: {
    checkPointFailed: number[];
    error: number[];
    othersFailed: number[];
    parsedFailed: number[];
    refusedFailed: number[];
    success: number[];
    timeout: number[];
  };
  tps_brokens: { average: number[]; tps: number[] };
  vusers_brokens: { vusers: number[] };
  /** Extra key: starts dropped because every user was busy (TPS modes), summed per point. */
  dropped_brokens: { dropped: number[] };
}

/**
 * An entry of the outline's `interruptions`: the stored Interruption (messages.ts) with the report's
 * camelCase key for the share count, and its times as the report writes times.
 */
export type ReportInterruption = Omit<Interruption, 'share_count'> & { shareCount: number };

/**
 * The documented figures of a `performance` row of a report (the case's, or one card's in
 * `detailDatas`): counts, failure classes, status classes, times in ms, successes per second. The
 * CLI's summary (packages/engine/src/cli/performance.ts) has the same keys.
 */
export interface PerformanceFigures {
  requests: number;
  successCount: number;
  errorCount: number;
  successRate: number;
  failedAssert: number;
  failedParsed: number;
  failedRefused: number;
  failedTimeout: number;
  failedOthers: number;
  sum1xx: number;
  sum2xx: number;
  sum3xx: number;
  sum4xx: number;
  sum5xx: number;
  averageRespTime: number;
  min: number;
  max: number;
  tp50: number;
  tp90: number;
  tp95: number;
  tp99: number;
  /** Successful requests per second. */
  tps: number;
}
