/** States of a case run share (`case_run_shares.status`) and the run statuses they roll up into. */
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
  /** The engine failed; `error` says why. */
  Failed: 'failed',
} as const;
export type ShareStatus = (typeof ShareStatus)[keyof typeof ShareStatus];

/** Run statuses of a run (task or case) that has not ended: waiting, running, stopping. */
export const ACTIVE_RUN_STATUSES: readonly number[] = [RunStatus.Waiting, RunStatus.Running, RunStatus.Stopping];
/** Run statuses of an ended run. */
export const ENDED_RUN_STATUSES: readonly number[] = [RunStatus.Finished, RunStatus.Aborted, RunStatus.StoppedByUser];

/** A receiver of the runner's log lines (pino's methods fit through a small adapter). */
export type RunnerLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** A log that drops everything. */
export const SILENT_LOG: RunnerLog = () => {};
