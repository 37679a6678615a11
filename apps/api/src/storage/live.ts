/**
 * Reads of the live stream (apps/api/src/live): the task run checked against the tenant, the state
 * of its case runs and shares with the first and last second each has written, and the interval
 * rows of a window of seconds for several case runs at once. Nothing here writes.
 */
import { apiError, unpackRows, type CardInfo, type IntervalRow, type StoredIntervalRow } from '@perftest/model';
import type { Queryable } from '@perftest/store';

/** A share of a case run: its index and status ('assigned', 'running', 'done', 'stopped', 'failed'). */
export type LiveShare = [index: number, status: string];

/** A case run as the live stream follows it. */
export interface LiveCaseRunState {
  id: number;
  case_id: number | null;
  name: string;
  status: number;
  reason: string | null;
  /** Epoch ms of stage 0 (null until dispatched). */
  start_ms: number | null;
  cards: CardInfo[];
  shares: LiveShare[];
  /** First and last second with a row (null before any). */
  first_second: number | null;
  last_second: number | null;
}

/** A task run and its case runs in position order. */
export interface LiveTaskRunState {
  status: number;
  reason: string | null;
  case_runs: LiveCaseRunState[];
}

/** Throws a 404 unless task run `taskRunId` belongs to tenant `project`. */
export async function requireLiveTaskRun(db: Queryable, project: string, taskRunId: number): Promise<void> {
  const [row] = await db.query<{ id: number }>(
    `select tr.id from task_runs tr join tasks t on t.id = tr.task_id join test_suites s on s.id = t.test_suite_id
      where tr.id = $1 and s.project = $2`,
    [taskRunId, project],
  );
  if (!row) throw apiError('NOT_FOUND', { resource: 'task run', id: taskRunId });
}

/** The state of task run `taskRunId` (undefined once deleted). */
export async function liveTaskRunState(db: Queryable, taskRunId: number): Promise<LiveTaskRunState | undefined> {
  const [row] = await db.query<LiveTaskRunState>(
    `select tr.status, tr.reason, coalesce((
        select jsonb_agg(jsonb_build_object(
                 'id', cr.id, 'case_id', cr.case_id, 'name', cr.name, 'status', cr.status, 'reason', cr.reason,
                 'start_ms', (extract(epoch from cr.start_at) * 1000)::float8, 'cards', cr.cards,
                 'shares', coalesce((select jsonb_agg(jsonb_build_array(s.share_index, s.status))
                                       from case_run_shares s where s.case_run_id = cr.id), '[]'::jsonb),
                 'first_second', (select min(i.second) from intervals i where i.case_run_id = cr.id),
                 'last_second', (select max(i.second) from intervals i where i.case_run_id = cr.id))
               order by cr.position)
          from case_runs cr where cr.task_run_id = tr.id), '[]'::jsonb) as case_runs
       from task_runs tr where tr.id = $1`,
    [taskRunId],
  );
  if (!row) return undefined;
  for (const run of row.case_runs) {
    run.id = Number(run.id);
    if (run.first_second !== null) run.first_second = Number(run.first_second);
    if (run.last_second !== null) run.last_second = Number(run.last_second);
  }
  return row;
}

/** Rows of the case runs `from` (id -> first second wanted) with second <= `to`, in second order. */
export async function liveRows(db: Queryable, from: ReadonlyMap<number, number>, to: number): Promise<IntervalRow[]> {
  if (from.size === 0) return [];
  const wanted = JSON.stringify([...from].map(([id, second]) => ({ id, second })));
  const rows = await db.query<StoredIntervalRow>(
    `select i.case_run_id, i.second, i.share_index, i.worker_id, i.data
       from jsonb_to_recordset($1::jsonb) as f(id bigint, second bigint)
       join intervals i on i.case_run_id = f.id and i.second >= f.second and i.second <= $2
      order by i.second, i.case_run_id, i.share_index, i.worker_id`,
    [wanted, to],
  );
  for (const row of rows) {
    row.case_run_id = Number(row.case_run_id);
    row.second = Number(row.second);
  }
  return unpackRows(rows);
}

/** Rows stored for a case run. */
export async function liveRowCount(db: Queryable, caseRunId: number): Promise<number> {
  const [row] = await db.query<{ n: number }>('select count(*)::int as n from intervals where case_run_id = $1', [caseRunId]);
  return row.n;
}
