/**
 * What a report knows about its case run besides the intervals (read by storage/reports.ts), and
 * the time window its figures cover.
 */
import { RunStatus, type CardInfo, type CaseInfoDetail, type PreparedStage } from '@perftest/model';
import type { SecondSeries } from '@perftest/engine';

/** Counts of the case runs of the report's task run (the outline's case counters). */
export interface CaseRunCounts {
  /** Case runs of the task run. */
  total: number;
  /** Those dispatched (no longer waiting). */
  executed: number;
  /** Those ended (2, 3 or 4). */
  complete: number;
  /** Those ended normally (2). */
  passed: number;
}

/** The case run a report is about, with its task run. */
export interface ReportMeta {
  testSuiteId: number;
  taskId: number;
  taskRunId: number;
  /** run_status of the task run. */
  taskRunStatus: number;
  /** When the task was started (the start call). */
  taskRunCreatedAt: Date;
  caseRunId: number;
  /** The case (null once deleted; the snapshot stays). */
  caseId: number | null;
  caseName: string;
  /** temp_running_status of the case run. */
  caseRunStatus: number;
  /** The instant of stage 0 (null until dispatched). */
  startAt: Date | null;
  endedAt: Date | null;
  /** Request cards in order (names and URLs of the detail rows). */
  cards: CardInfo[];
  /** The case's load as it was started (`stages`, `increase_setting`: stage names, and the plan of runs stored before cases were prepared). */
  kase: CaseInfoDetail;
  /** Its load timeline as prepared at the start (KPI and knee verdicts); undefined for runs stored before. */
  plan: PreparedStage[] | undefined;
  caseRuns: CaseRunCounts;
}

/** The time a report covers. */
export interface RunWindow {
  /** Start: stage 0, else the first second with data; null before either exists. */
  startMs: number | null;
  /** End: when the case run ended, else the end of its latest second; null before any data. */
  endMs: number | null;
  /** Seconds with data, first to last (the report's `duration`). */
  seconds: number;
  /** The divisor of per-second rates: `seconds`, at least 1. */
  rateSeconds: number;
  /** Whether the case run has ended (final figures). */
  ended: boolean;
}

/** Statuses after which a case run writes nothing more. */
const ENDED: ReadonlySet<number> = new Set([RunStatus.Finished, RunStatus.Aborted, RunStatus.StoppedByUser]);

/** The window of a case run's report. */
export function runWindow(meta: ReportMeta, series: SecondSeries): RunWindow {
  const seconds = series.span;
  const startMs = meta.startAt?.getTime() ?? (seconds > 0 ? series.first * 1000 : null);
  const endMs = meta.endedAt?.getTime() ?? (seconds > 0 ? (series.last + 1) * 1000 : null);
  return { startMs, endMs, seconds, rateSeconds: Math.max(1, seconds), ended: ENDED.has(meta.caseRunStatus) };
}
