/**
 * The writes a reconcile pass (reconcile.ts) makes inside its transaction, counted: every step of the
 * pass (reconcile-takeover.ts, reconcile-ends.ts, reconcile-dispatch.ts) writes through one writer, so
 * the pass knows whether it changed anything (and notifies the runs channel only then).
 */
import { RunStatus } from '@perftest/model';
import type { Queryable } from '@perftest/store';
import type { RunnerLog } from '../log.js';
import { ShareStatus, SQL } from './statuses.js';

/** The transaction of one pass, its log, and the rows it changed so far. */
export class PassWriter {
  changes = 0;

  constructor(
    readonly tx: Queryable,
    readonly log: RunnerLog,
  ) {}

  /** Runs an update (or delete) and counts the rows it changed. */
  async update(sql: string, params: readonly unknown[] = []): Promise<number> {
    const rows = await this.tx.query(`${sql} returning 1`, params);
    this.changes += rows.length;
    return rows.length;
  }

  async setShare(caseRunId: number, index: number, status: ShareStatus, error: string | null): Promise<void> {
    await this.update('update case_run_shares set status = $3, error = $4, updated_at = now() where case_run_id = $1 and share_index = $2', [
      caseRunId,
      index,
      status,
      error,
    ]);
  }

  /**
   * Ends a task run and everything in it that has not ended in 3 with `reason` (its case runs with
   * `caseRunReason`, by default the same); data written is kept.
   */
  async abortTaskRun(taskRunId: number, reason: string, caseRunReason = reason): Promise<void> {
    await this.update(
      `update case_run_shares s set status = '${ShareStatus.Failed}', error = $2, updated_at = now()
         from case_runs c where c.id = s.case_run_id and c.task_run_id = $1 and s.status in ${SQL.openShares}`,
      [taskRunId, caseRunReason],
    );
    await this.update(
      `update case_runs set status = ${RunStatus.Aborted}, reason = $2, ended_at = now() where task_run_id = $1 and status in ${SQL.active}`,
      [taskRunId, caseRunReason],
    );
    await this.update(
      `update task_runs set status = ${RunStatus.Aborted}, reason = $2, ended_at = now() where id = $1 and status in ${SQL.active}`,
      [taskRunId, reason],
    );
    this.log('warn', 'run aborted', { taskRun: taskRunId, reason });
  }
}

/** A live worker as a pass sees it; `load` (its open shares) grows as the pass gives it shares. */
export interface LiveWorker {
  id: string;
  threads: number;
  load: number;
  /** Users its open shares take (each share a case run's users over its share count, rounded up). */
  held: number;
  /** Users it holds (threads x users_per_thread); null when it advertises none (an older version). */
  capacity: number | null;
}
