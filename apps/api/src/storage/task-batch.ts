/**
 * What a batch start or stop checks before it changes anything: each named task of the tenant, its
 * test suite and its run that has not ended (waiting, running or stopping), if any.
 */
import { RunStatus } from '@perftest/model';
import { json, type Queryable } from '@perftest/store';

/** A task named in a batch, with its active run. */
export interface BatchTask {
  id: number;
  test_suite_id: number;
  /** Its run that has not ended, or null. */
  run_id: number | null;
  run_status: number | null;
}

const ACTIVE = [RunStatus.Waiting, RunStatus.Running, RunStatus.Stopping].join(', ');

/** The tasks of tenant `project` among `ids` (others are left out), with their active runs. */
export async function batchTasks(db: Queryable, project: string, ids: readonly number[]): Promise<Map<number, BatchTask>> {
  const rows = await db.query<BatchTask>(
    `select t.id, t.test_suite_id, r.id as run_id, r.status as run_status
       from tasks t join test_suites s on s.id = t.test_suite_id
       left join lateral (select id, status from task_runs where task_id = t.id and status in (${ACTIVE})
                           order by id desc limit 1) r on true
      where s.project = $2 and t.id in (select jsonb_array_elements_text($1::jsonb)::bigint)`,
    [json(ids), project],
  );
  return new Map(rows.map((row) => [row.id, row]));
}
