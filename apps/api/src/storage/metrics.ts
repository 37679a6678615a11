/**
 * Reads of the Prometheus endpoint (apps/api/src/metrics): live workers, runs by status, and the
 * running case runs with the interval rows of one second. Nothing here writes.
 */
import { DISPATCHED_RUN_STATUSES, sqlList, unpackInterval, type IntervalMessage, type StoredInterval } from '@perftest/model';
import type { Queryable } from '@perftest/store';

/** Count of runs in one status. */
export interface StatusCount {
  status: number;
  n: number;
}

/** Workers live now (not stopped). */
export async function liveWorkerCount(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>('select count(*)::int as n from workers where stopped_at is null');
  return row.n;
}

/** Task runs and case runs by status. */
export async function runsByStatus(db: Queryable): Promise<{ taskRuns: StatusCount[]; caseRuns: StatusCount[] }> {
  const rows = await db.query<{ kind: string; status: number; n: number }>(
    `select 'task' as kind, status, count(*)::int as n from task_runs group by status
     union all
     select 'case' as kind, status, count(*)::int as n from case_runs group by status`,
  );
  return {
    taskRuns: rows.filter((r) => r.kind === 'task').map(({ status, n }) => ({ status, n })),
    caseRuns: rows.filter((r) => r.kind === 'case').map(({ status, n }) => ({ status, n })),
  };
}

/** A running case run with what names it, and its rows of the second asked for (empty when none). */
export interface RunningCaseRun {
  id: number;
  name: string;
  case_id: number | null;
  task_id: number;
  task_name: string;
  project: string;
  rows: IntervalMessage[];
}

/** The case runs running or stopping now, each with its interval rows of `second`. */
export async function runningCaseRuns(db: Queryable, second: number): Promise<RunningCaseRun[]> {
  const rows = await db.query<Omit<RunningCaseRun, 'rows'> & { rows: StoredInterval[] }>(
    `select cr.id, cr.name, cr.case_id, t.id as task_id, t.name as task_name, s.project,
            coalesce((select jsonb_agg(i.data) from intervals i where i.case_run_id = cr.id and i.second = $1), '[]'::jsonb) as rows
       from case_runs cr
       join task_runs tr on tr.id = cr.task_run_id
       join tasks t on t.id = tr.task_id
       join test_suites s on s.id = t.test_suite_id
      where cr.status in ${sqlList(DISPATCHED_RUN_STATUSES)}
      order by cr.id`,
    [second],
  );
  for (const row of rows) {
    row.id = Number(row.id);
    row.task_id = Number(row.task_id);
    for (const data of row.rows) unpackInterval(data);
  }
  return rows as RunningCaseRun[];
}
