/**
 * Reads for the merged (v2) reports of a task run: the task run (checked against the tenant through
 * its task's test suite) and the report meta of each of its case runs, in the task's order.
 */
import { apiError } from '@perftest/model';
import type { Queryable } from '@perftest/store';
import type { ReportMeta } from './case-run-meta.js';
import { requireReportMeta } from './reports.js';

/** A task run as the merged outline reads it. */
export interface MergedTaskRun {
  id: number;
  taskId: number;
  testSuiteId: number;
  status: number;
  parallel: boolean;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  /** Its case runs in the task's order. */
  caseRuns: ReportMeta[];
}

interface TaskRunRow {
  id: number;
  task_id: number;
  test_suite_id: number;
  status: number;
  parallel: boolean;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  case_run_ids: number[];
}

/** Task run `taskRunId` of tenant `project` with its case runs, or a 404. */
export async function requireMergedTaskRun(db: Queryable, project: string, taskRunId: number): Promise<MergedTaskRun> {
  const [row] = await db.query<TaskRunRow>(
    `select tr.id, tr.task_id, tr.test_suite_id, tr.status, tr.parallel, tr.created_at, tr.started_at, tr.ended_at,
            coalesce((select jsonb_agg(cr.id order by cr.position, cr.id) from case_runs cr where cr.task_run_id = tr.id), '[]'::jsonb)
              as case_run_ids
       from task_runs tr join tasks t on t.id = tr.task_id join test_suites s on s.id = t.test_suite_id
      where tr.id = $1 and s.project = $2`,
    [taskRunId, project],
  );
  if (!row) throw apiError('NOT_FOUND', { resource: 'task run', id: taskRunId });
  const caseRuns: ReportMeta[] = [];
  for (const id of row.case_run_ids) caseRuns.push(await requireReportMeta(db, project, row.id, Number(id)));
  return {
    id: row.id,
    taskId: row.task_id,
    testSuiteId: row.test_suite_id,
    status: row.status,
    parallel: row.parallel,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    caseRuns,
  };
}
