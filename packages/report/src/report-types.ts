/**
 * The shapes the report page and the console read: a case run's report as `GET .../reports`
 * answers it (`result`, see docs/api.md "Report") and the document an exported HTML report
 * carries. Only the keys they draw are typed; the rest pass through untouched.
 */

/** Per-point curves of a report (`brokens`). */
export interface ReportBrokens {
  commonTimestamps: string[];
  tps_brokens: { tps: number[]; average: number[] };
  vusers_brokens: { vusers: number[] };
  respcode_brokens: Record<'success' | 'checkPointFailed' | 'parsedFailed' | 'refusedFailed' | 'timeout' | 'othersFailed' | 'error', number[]>;
  brand_brokens: { sentBytes: number[]; recBytes: number[] };
}

/** One row of `details` (the case's `performance`, or one request card of `detailDatas`). */
export interface ReportRow {
  name: string;
  method?: string;
  url?: string;
  requests: number;
  successCount: number;
  errorCount: number;
  successRate: number;
  averageRespTime: number;
  min: number;
  max: number;
  tp50: number;
  tp90: number;
  tp95: number;
  tp99: number;
  tps: number;
  rps?: number;
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
  [key: string]: unknown;
}

/** The peak figures of peak load (mode 2) or intelligent high pressure (mode 7). */
export interface PeakMetric {
  vuser: number;
  rps: number;
  avgRT: number;
  successRate: number;
  peakTime: string;
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
