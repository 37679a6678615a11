/**
 * Shapes of a case run's report (`GET .../reports`, see docs/api.md "Report") that the API writes and
 * the report page reads (packages/report): one definition for both sides. The documented keys are
 * the SDK's; the extra keys (dropped starts, aborted requests, interruptions) are this project's and
 * SDKs ignore them.
 */

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

/** An entry of the outline's `interruptions`: a share whose worker was lost (camelCase, as the report's keys are). */
export interface ReportInterruption {
  share: number;
  shareCount: number;
  worker: string;
  host: string;
  /** When the lost worker last recorded (ISO-8601). */
  from: string;
  /** When the share was taken over, or the run ended (ISO-8601). */
  to: string;
  seconds: number;
  reason: string;
  /** Whether another worker resumed the share. */
  resumed: boolean;
}
