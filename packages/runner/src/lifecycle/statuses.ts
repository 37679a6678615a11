/**
 * The statuses of the run tables, named once: RunStatus (packages/model) for `task_runs.status` and
 * `case_runs.status`, ShareStatus for `case_run_shares.status`, and the groups the life cycle asks
 * for. SQL of the life cycle builds its `in (...)` lists from these (sqlList), never from numbers
 * typed into the statement.
 */
import { RunStatus } from '@perftest/model';

/** What a share is doing. */
export const ShareStatus = {
  /** Given to a worker, not yet claimed by it. */
  Assigned: 'assigned',
  /** Claimed: the worker runs it. */
  Running: 'running',
  /** Ended by itself (the stage plan is over). */
  Done: 'done',
  /** Ended by a user stop. */
  Stopped: 'stopped',
  /** The engine failed, or the share could not run; `error` says why. */
  Failed: 'failed',
} as const;
export type ShareStatus = (typeof ShareStatus)[keyof typeof ShareStatus];

/** Run statuses of a run (task or case) that has not ended: waiting, running, stopping. */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = [RunStatus.Waiting, RunStatus.Running, RunStatus.Stopping];
/** Run statuses of an ended run. */
export const ENDED_RUN_STATUSES: readonly RunStatus[] = [RunStatus.Finished, RunStatus.Aborted, RunStatus.StoppedByUser];
/** Run statuses of a case run that has been dispatched and not ended: running, stopping. */
export const DISPATCHED_RUN_STATUSES: readonly RunStatus[] = [RunStatus.Running, RunStatus.Stopping];
/** Share statuses of a share not ended: assigned or running. */
export const OPEN_SHARE_STATUSES: readonly ShareStatus[] = [ShareStatus.Assigned, ShareStatus.Running];

/** `(a, b, c)` of constant statuses for an SQL `in` (numbers as they are, texts quoted). */
export function sqlList(values: readonly (number | string)[]): string {
  return `(${values.map((v) => (typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`)).join(', ')})`;
}

/** `in` lists used throughout the life cycle's SQL. */
export const SQL = {
  active: sqlList(ACTIVE_RUN_STATUSES),
  ended: sqlList(ENDED_RUN_STATUSES),
  dispatched: sqlList(DISPATCHED_RUN_STATUSES),
  openShares: sqlList(OPEN_SHARE_STATUSES),
} as const;
