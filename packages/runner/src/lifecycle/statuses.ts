/**
 * The statuses of the run tables, named once: RunStatus and its groups (packages/model) for
 * `task_runs.status` and `case_runs.status`, which the API's reads share; ShareStatus for
 * `case_run_shares.status`, which only the life cycle and the live readers use.
 * SQL of the life cycle builds its `in (...)` lists from these (sqlList), never from numbers typed
 * into the statement.
 */
import { ACTIVE_RUN_STATUSES, DISPATCHED_RUN_STATUSES, ENDED_RUN_STATUSES, sqlList } from '@perftest/model';

export { ACTIVE_RUN_STATUSES, DISPATCHED_RUN_STATUSES, ENDED_RUN_STATUSES, sqlList };

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

/** Why a worker's `stopped_at` was set (`workers.stop_cause`). */
export const WorkerStopCause = {
  /** It left cleanly (SIGTERM/SIGINT, stop()): its shares go on elsewhere; not a death. */
  Left: 'left',
  /** A reconcile pass found its heartbeat older than the dead delay. */
  NoHeartbeat: 'no heartbeat',
  /** The next embedded worker on the same PGlite data directory found it registered at its start. */
  Restarted: 'restarted',
} as const;
export type WorkerStopCause = (typeof WorkerStopCause)[keyof typeof WorkerStopCause];

/** Share statuses of a share not ended: assigned or running. */
export const OPEN_SHARE_STATUSES: readonly ShareStatus[] = [ShareStatus.Assigned, ShareStatus.Running];

/** `in` lists used throughout the life cycle's SQL. */
export const SQL = {
  active: sqlList(ACTIVE_RUN_STATUSES),
  ended: sqlList(ENDED_RUN_STATUSES),
  dispatched: sqlList(DISPATCHED_RUN_STATUSES),
  openShares: sqlList(OPEN_SHARE_STATUSES),
} as const;
