/**
 * Step 4 of a reconcile pass (reconcile.ts): the case runs whose shares all ended, ended honestly: 4
 * when stopped, 3 when a share failed, 3 with the reason when their shares began no iteration (or
 * one was claimed after its whole plan was over and began none), else 2.
 */
import { RunStatus } from '@perftest/model';
import type { PassWriter } from './reconcile-writer.js';
import { ShareStatus, SQL } from './statuses.js';

/** A dispatched case run with the tally of its shares. */
interface EndRow {
  id: number;
  status: number;
  open: number;
  failed: number;
  error: string | null;
  /** Shares whose started count nobody recorded (claimed by a worker older than migration 011). */
  unrecorded: number;
  /** Iterations begun over all shares. */
  started: number;
  /** Shares never taken over that began none. */
  idle: number;
}

/** A share of an ended case run that began no iteration. */
interface IdleShareRow {
  share_index: number;
  share_count: number;
  worker_id: string;
  host: string;
  takeovers: number;
  /** Seconds from the start instant to its claim (null: never claimed). */
  late: number | null;
  /** Seconds of the whole stage plan (null: a stage runs by count, or the plan is not stored). */
  plan: number | null;
}

/**
 * Ends the case runs whose shares all ended: 4 when stopped, 3 when a share failed, 3 when their
 * shares began no iteration (or one was claimed after its plan was over and began none), else 2.
 */
export async function endCaseRuns(w: PassWriter): Promise<void> {
  const rows = await w.tx.query<EndRow>(
    `select c.id, c.status,
            count(*) filter (where s.status in ${SQL.openShares})::int as open,
            count(*) filter (where s.status = '${ShareStatus.Failed}')::int as failed,
            min(s.error) filter (where s.status = '${ShareStatus.Failed}') as error,
            count(*) filter (where s.started is null)::int as unrecorded,
            coalesce(sum(s.started), 0)::float8 as started,
            count(*) filter (where s.started = 0 and s.takeovers = 0)::int as idle
       from case_runs c join case_run_shares s on s.case_run_id = c.id
      where c.status in ${SQL.dispatched}
      group by c.id, c.status`,
  );
  for (const row of rows) {
    if (row.open > 0) continue;
    let status: RunStatus = RunStatus.Finished;
    let reason: string | null = null;
    if (row.status === RunStatus.Stopping) {
      status = RunStatus.StoppedByUser;
    } else if (row.failed > 0) {
      status = RunStatus.Aborted;
      reason = `engine failure: ${row.error ?? 'unknown'}`;
    } else if (row.unrecorded === 0 && (row.started === 0 || row.idle > 0)) {
      reason = await startedNothing(w, row.id, row.started === 0);
      if (reason !== null) status = RunStatus.Aborted;
    }
    const ended = await w.update('update case_runs set status = $2, reason = $3, ended_at = now() where id = $1 and status = $4', [
      row.id,
      status,
      reason,
      row.status,
    ]);
    if (ended > 0 && status === RunStatus.Aborted) w.log('warn', 'case run ended in 3', { caseRun: row.id, reason });
  }
}

/**
 * Why a case run whose shares all ended by themselves did not run its load, or null when it did:
 * with `none` its shares began no iteration at all; else one share claimed after its whole plan
 * was over (never taken over) began none. The share named is the one claimed latest.
 */
async function startedNothing(w: PassWriter, caseRunId: number, none: boolean): Promise<string | null> {
  const idle = await w.tx.query<IdleShareRow>(
    `select s.share_index, s.share_count, s.worker_id, coalesce(w.host, 'an unknown host') as host, s.takeovers,
            extract(epoch from s.claimed_at - c.start_at)::float8 as late,
            (select case when count(*) > 0 and bool_and(jsonb_typeof(p->'duration') = 'number') then sum((p->>'duration')::float8) end
               from jsonb_array_elements(case when jsonb_typeof(c.input->'plan') = 'array' then c.input->'plan' else '[]'::jsonb end) p) as plan
       from case_run_shares s join case_runs c on c.id = s.case_run_id left join workers w on w.id = s.worker_id
      where s.case_run_id = $1 and s.started = 0
      order by s.claimed_at - c.start_at desc nulls first, s.share_index`,
    [caseRunId],
  );
  const overAtClaim = (r: IdleShareRow) => r.plan !== null && r.late !== null && r.late >= r.plan;
  const named = (r: IdleShareRow) => `the share ${r.share_index + 1}/${r.share_count} of worker ${r.worker_id} on ${r.host}`;
  const claimed = (r: IdleShareRow) =>
    `was claimed ${(r.late as number).toFixed(1)} s after its start instant${overAtClaim(r) ? `, after its ${r.plan} s plan was over` : ''}`;
  if (none) {
    const worst = idle[0];
    if (worst === undefined) return 'no user started: its shares began no iteration';
    if (worst.late === null) return `no user started: ${named(worst)} was never claimed`;
    if (worst.late > 0) return `no user started: ${named(worst)} ${claimed(worst)}`;
    const shares = worst.share_count === 1 ? 'its share began no iteration although claimed' : `none of its ${worst.share_count} shares began an iteration although all were claimed`;
    return `no user started: ${shares} ${(-worst.late).toFixed(1)} s or more before its start instant (engine threads up too late for the plan, or every start dropped)`;
  }
  const missed = idle.find((r) => r.takeovers === 0 && overAtClaim(r));
  return missed === undefined ? null : `not every user started: ${named(missed)} ${claimed(missed)} and began no iteration`;
}
