/**
 * One row type per run table, as the life cycle reads and writes them (the columns are documented
 * in packages/store/src/migrations/002-runs.ts). `intervals` rows are IntervalRow of packages/model,
 * shared with the reports.
 */
import type { CardInfo, RunStatus } from '@perftest/model';
import type { StoredCaseInput } from '../case-input.js';
import type { ShareStatus } from './statuses.js';

/** A row of `workers`. */
export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  threads: number;
  embedded: boolean;
  started_at: Date;
  heartbeat_at: Date;
  stopped_at: Date | null;
}

/** A row of `task_runs`. */
export interface TaskRunRow {
  id: number;
  task_id: number;
  test_suite_id: number;
  name: string;
  parallel: boolean;
  run_type: number;
  status: RunStatus;
  reason: string | null;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
}

/** Manual regulation of a case run: the run-wide target and when it was set. */
export interface CaseRunTarget {
  value?: unknown;
  at?: string;
}

/** A row of `case_runs`. */
export interface CaseRunRow {
  id: number;
  task_run_id: number;
  case_id: number | null;
  position: number;
  name: string;
  status: RunStatus;
  reason: string | null;
  /** The prepared case (runs started by older versions: the raw snapshot). */
  input: StoredCaseInput;
  cards: CardInfo[];
  start_at: Date | null;
  ended_at: Date | null;
  target: CaseRunTarget | null;
}

/** A row of `case_run_shares`. */
export interface CaseRunShareRow {
  case_run_id: number;
  share_index: number;
  share_count: number;
  worker_id: string;
  status: ShareStatus;
  error: string | null;
  updated_at: Date;
}
