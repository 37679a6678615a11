/**
 * The shapes the report page and the console read: a case run's report as `GET .../reports`
 * answers it (`result`, see docs/api.md "Report") and the document an exported HTML report
 * carries. Only the keys they draw are typed; the rest pass through untouched. The shapes the API
 * writes too are the model's (packages/model/src/report-shapes.ts).
 */
import type { PeakMetric, PerformanceFigures, ReportBrokens, ReportInterruption } from '@perftest/model';

export type { PeakMetric, PerformanceFigures, ReportBrokens, ReportInterruption };

/** One row of `details` (the case's `performance`, or one request card of `detailDatas`). */
export interface ReportRow extends PerformanceFigures {
  name: string;
  method?: string;
  url?: string;
  rps?: number;
  [key: string]: unknown;
}

/** `outline`: the run's summary and KPI verdicts. */
export interface ReportOutline {
  startTime: string | null;
  endTime: string | null;
  duration: number;
  maxUsers: number;
  tps: number;
  rps: number;
  successRate: number;
  avgResponseTime: number;
  stage: number;
  stageName: string | null;
  kpiCaseCount: number;
  kpiCaseExecuteCount: number;
  kpiCasePassCount: number;
  kpiMissed: string | null;
  peakMetric: PeakMetric | null;
  taskStatus: number;
  /** Why the case run ended in 3 (extra key; null otherwise). */
  reason?: string | null;
  /** Shares whose worker was lost, and whether they were resumed (extra key). */
  interruptions?: ReportInterruption[];
  /** Seconds the run was down, taken out of `duration` (extra key). */
  interruptedSeconds?: number;
  /** Starts dropped because every user was busy (TPS modes), in all and at most per second (extra keys). */
  droppedStarts?: number;
  droppedStartsMaxPerSecond?: number;
  /** Requests still in flight at a stop or the plan's end after the grace, aborted and counted (extra key). */
  abortedRequests?: number;
  [key: string]: unknown;
}

/** A case run's report (`result` of the report endpoint). */
export interface ReportResult {
  brokens: ReportBrokens;
  details: { data: Array<{ performance: ReportRow; detailDatas: ReportRow[]; customTransactions: unknown[] }> };
  outline: ReportOutline;
  respTimeRange: Record<string, string>;
  rtproportion: string;
  taskInfo: { vum: number };
}

/** One case run in a report document. */
export interface ReportCase {
  /** The case's name. */
  name: string;
  caseRunId?: number;
  report: ReportResult;
}

/** What an exported HTML report shows: a task run's case runs, each with its report. */
export interface ReportDocument {
  title: string;
  /** A second line under the title (task run, times). */
  subtitle?: string;
  /** When the document was made (ISO-8601). */
  generatedAt: string;
  cases: ReportCase[];
}
