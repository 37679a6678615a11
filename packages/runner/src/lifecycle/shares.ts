/**
 * A worker's side of the shares of case runs: claiming the shares assigned to it (only while their
 * case run runs), reading what became of the shares it runs (stops, targets, takeovers), and
 * recording how a share ended. Only the worker that owns a share records its end: a share taken over
 * meanwhile is left to its new owner.
 */
import { RunStatus } from '@perftest/model';
import type { Queryable } from '@perftest/store';
import type { CaseRunRow, CaseRunShareRow } from './rows.js';
import { ShareStatus } from './statuses.js';

/** A share as a claim returns it, with what the worker needs of its case run. */
export type ClaimRow = Pick<CaseRunShareRow, 'case_run_id' | 'share_index' | 'share_count'> &
  Pick<CaseRunRow, 'input' | 'target'> & { start_at: Date };

/** What a worker follows of a share it runs. */
export type ShareWatchRow = Pick<CaseRunShareRow, 'case_run_id' | 'share_index' | 'worker_id'> & Pick<CaseRunRow, 'status' | 'target'>;

/**
 * Claims every share assigned to `workerId` whose case run is running; they become 'running', with
 * the claim's instant and a started count to add to.
 */
export async function claimShares(db: Queryable, workerId: string): Promise<ClaimRow[]> {
  return db.query<ClaimRow>(
    `update case_run_shares s set status = '${ShareStatus.Running}', updated_at = now(), claimed_at = now(),
            started = coalesce(s.started, 0)
       from case_runs c
      where s.worker_id = $1 and s.status = '${ShareStatus.Assigned}' and c.id = s.case_run_id and c.status = ${RunStatus.Running}
      returning s.case_run_id, s.share_index, s.share_count, c.input, c.start_at, c.target`,
    [workerId],
  );
}

/** Every share of the case runs `caseRunIds`, with its case run's status and target. */
export async function watchShares(db: Queryable, caseRunIds: readonly number[]): Promise<ShareWatchRow[]> {
  if (caseRunIds.length === 0) return [];
  return db.query<ShareWatchRow>(
    `select s.case_run_id, s.share_index, s.worker_id, c.status, c.target
       from case_run_shares s join case_runs c on c.id = s.case_run_id
      where s.case_run_id in (select jsonb_array_elements_text($1::jsonb)::bigint)`,
    [JSON.stringify(caseRunIds)],
  );
}

/** How a share ended on its worker. */
export type ShareEnd = typeof ShareStatus.Done | typeof ShareStatus.Stopped | typeof ShareStatus.Failed;

/** A share as its owner names it. */
export interface OwnedShare {
  caseRunId: number;
  shareIndex: number;
  workerId: string;
}

/**
 * Adds `iterations` begun to the started count of a running share of `workerId` (nothing when it is
 * no longer its own). The owner calls it at the first second that began any, so that a worker that
 * dies later has still said that its users started.
 */
export async function addStarted(db: Queryable, share: OwnedShare, iterations: number): Promise<void> {
  await db.query(
    `update case_run_shares set started = coalesce(started, 0) + $4
      where case_run_id = $1 and share_index = $2 and worker_id = $3 and status = '${ShareStatus.Running}'`,
    [share.caseRunId, share.shareIndex, share.workerId, iterations],
  );
}

/**
 * Records the end of a running share of `workerId` (nothing when it is no longer its own), adding
 * the `iterations` begun that it had not recorded yet.
 */
export async function endShare(db: Queryable, share: OwnedShare, status: ShareEnd, error: string | null, iterations = 0): Promise<void> {
  await db.query(
    `update case_run_shares set status = $4, error = $5, updated_at = now(), started = coalesce(started, 0) + $6
      where case_run_id = $1 and share_index = $2 and worker_id = $3 and status = '${ShareStatus.Running}'`,
    [share.caseRunId, share.shareIndex, share.workerId, status, error, iterations],
  );
}
