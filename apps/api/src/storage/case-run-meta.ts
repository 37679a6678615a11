/**
 * What a report knows about its case run besides the intervals, as storage/reports.ts reads it:
 * the row types of the report reads, owned by the storage that fills them (reports/ reads them).
 */
import type { CardInfo, CaseInfoDetail, Interruption, PreparedStage } from '@perftest/model';

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
  /** Why the case run ended in 3 (null otherwise). */
  reason: string | null;
  /** Shares that lost their worker, in the order they did (empty: none). */
  interruptions: Interruption[];
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
