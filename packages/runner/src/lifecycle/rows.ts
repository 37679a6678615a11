/**
 * One row type per run table, as the life cycle reads and writes them (the columns are documented
 * in packages/store/src/migrations/002-runs.ts). `intervals` rows are IntervalRow of packages/model,
 * shared with the reports.
 */
import type { CardInfo, Interruption, RunStatus } from '@perftest/model';
import type { StoredCaseInput } from '../case-input.js';
import type { ShareStatus, WorkerStopCause } from './statuses.js';

export type { Interruption };

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
  /** Why stopped_at was set (null while live). */
  stop_cause: WorkerStopCause | null;
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
  /** Shares taken from dead or departed workers (null: none). */
  interruptions: Interruption[] | null;
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
  /** Times the share was taken from a worker that died while running it. */
  takeovers: number;
  /** When its current owner claimed it (null before). */
  claimed_at: Date | null;
  /** Iterations its owners began, as they recorded it (null: not recorded). */
  started: number | null;
}
