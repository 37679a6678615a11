/**
 * Reads for reports, history and debug: a case run with its task run (checked against the tenant
 * through the task's test suite), its interval rows in key order or by second, a task's runs, and
 * the case or transaction a debug run executes with the project's variables and transactions.
 * Nothing here writes.
 */
import {
  apiError,
  PREPARED_CASE_VERSION,
  unpackRows,
  type CardInfo,
  type CaseInfoDetail,
  type IntervalRow,
  type Interruption,
  type StoredIntervalRow,
  type PreparedStage,
  type Transaction,
  type VariableDetail,
} from '@perftest/model';
import type { Queryable } from '@perftest/store';
import type { ReportMeta } from './case-run-meta.js';
import { droppedStartsSql } from './dropped-starts.js';
import { caseInfoDetail, requireCase } from './cases.js';
import { requireTask } from './tasks.js';
import { requireTemplate, suiteTransactions } from './templates.js';
import { requireTestSuite } from './test-suites.js';
import { listVariables } from './variables.js';

/** The key of an interval row within its case run. */
export interface IntervalKey {
  second: number;
  share_index: number;
  worker_id: string;
}

interface MetaRow {
  id: number;
  case_id: number | null;
  name: string;
  status: number;
  reason: string | null;
  interruptions: Interruption[] | null;
  start_at: Date | null;
  ended_at: Date | null;
  cards: CardInfo[];
  kase: CaseInfoDetail | null;
  prepared: number | null;
  plan: PreparedStage[] | null;
  task_run_id: number;
  task_id: number;
  test_suite_id: number;
  task_status: number;
  created_at: Date;
  total: number;
  executed: number;
  complete: number;
  passed: number;
}

/** The case run `caseRunId` of task run `taskRunId` of tenant `project`, or a 404. */
export async function requireReportMeta(db: Queryable, project: string, taskRunId: number, caseRunId: number): Promise<ReportMeta> {
  const [row] = await db.query<MetaRow>(
    `select cr.id, cr.case_id, cr.name, cr.status, cr.reason, cr.interruptions, cr.start_at, cr.ended_at, cr.cards, jsonb_build_object('stages', cr.input->'case'->'stages', 'increase_setting', cr.input->'case'->'increase_setting') as kase,
            (cr.input->>'prepared')::int as prepared, cr.input->'plan' as plan,
            tr.id as task_run_id, tr.task_id, tr.test_suite_id, tr.status as task_status, tr.created_at,
            n.total, n.executed, n.complete, n.passed
       from case_runs cr
       join task_runs tr on tr.id = cr.task_run_id
       join tasks t on t.id = tr.task_id
       join test_suites s on s.id = t.test_suite_id
       cross join lateral (
         select count(*)::int as total,
                count(*) filter (where x.status <> 9)::int as executed,
                count(*) filter (where x.status in (2, 3, 4))::int as complete,
                count(*) filter (where x.status = 2)::int as passed
           from case_runs x where x.task_run_id = tr.id) n
      where cr.id = $1 and cr.task_run_id = $2 and s.project = $3`,
    [caseRunId, taskRunId, project],
  );
  if (!row) throw apiError('NOT_FOUND', { resource: 'case run', id: `${caseRunId} of task run ${taskRunId}` });
  return {
    testSuiteId: row.test_suite_id,
    taskId: row.task_id,
    taskRunId: row.task_run_id,
    taskRunStatus: row.task_status,
    taskRunCreatedAt: row.created_at,
    caseRunId: row.id,
    caseId: row.case_id,
    caseName: row.name,
    caseRunStatus: row.status,
    reason: row.reason,
    interruptions: Array.isArray(row.interruptions) ? row.interruptions : [],
    startAt: row.start_at,
    endedAt: row.ended_at,
    cards: Array.isArray(row.cards) ? row.cards : [],
    kase: row.kase ?? {},
    plan: row.prepared === PREPARED_CASE_VERSION && Array.isArray(row.plan) ? row.plan : undefined,
    caseRuns: { total: row.total, executed: row.executed, complete: row.complete, passed: row.passed },
  };
}

/** Interval rows stored for a case run. */
export async function intervalCount(db: Queryable, caseRunId: number): Promise<number> {
  const [row] = await db.query<{ n: number }>('select count(*)::int as n from intervals where case_run_id = $1', [caseRunId]);
  return row.n;
}

/**
 * Up to `limit` interval rows of a case run from second `minSecond` on, in key order, after the key
 * `after` when given (keyset paging), as stored: the report's accumulator folds packed cells as they
 * are (packages/engine/src/metrics/accumulator.ts), without making an object of each.
 */
export async function intervalPage(
  db: Queryable,
  caseRunId: number,
  minSecond: number,
  after: IntervalKey | undefined,
  limit: number,
): Promise<StoredIntervalRow[]> {
  if (after === undefined) {
    return db.query<StoredIntervalRow>(
      `select case_run_id, second, share_index, worker_id, data from intervals
        where case_run_id = $1 and second >= $2 order by second, share_index, worker_id limit $3`,
      [caseRunId, minSecond, limit],
    );
  }
  return db.query<StoredIntervalRow>(
    `select case_run_id, second, share_index, worker_id, data from intervals
      where case_run_id = $1 and second >= $2 and (second, share_index, worker_id) > ($3::bigint, $4::integer, $5::text)
      order by second, share_index, worker_id limit $6`,
    [caseRunId, minSecond, after.second, after.share_index, after.worker_id, limit],
  );
}

/** The keys of a case run's rows before second `beforeSecond`. */
export async function intervalKeysBefore(db: Queryable, caseRunId: number, beforeSecond: number): Promise<IntervalKey[]> {
  return db.query<IntervalKey>(
    'select second, share_index, worker_id from intervals where case_run_id = $1 and second < $2',
    [caseRunId, beforeSecond],
  );
}

/** Every row of a case run at the given seconds. */
export async function intervalRowsAt(db: Queryable, caseRunId: number, seconds: readonly number[]): Promise<IntervalRow[]> {
  if (seconds.length === 0) return [];
  const rows = await db.query<StoredIntervalRow>(
    `select case_run_id, second, share_index, worker_id, data from intervals
      where case_run_id = $1 and second in (select jsonb_array_elements_text($2::jsonb)::bigint)`,
    [caseRunId, JSON.stringify(seconds)],
  );
  return unpackRows(rows);
}

/** One run of a task as history lists it. */
export interface TaskRunHistoryRow {
  id: number;
  name: string;
  run_type: number;
  parallel: boolean;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  case_names: string[];
  reason: string | null;
  /** The interruptions of its case runs, each with its case run's id, in case run order. */
  interruptions: Array<Interruption & { case_run_id: number }>;
  /** TPS starts its case runs dropped (bigint: may come as text). */
  dropped_starts: string | number;
}

/** Every run of the task `taskId` of tenant `project`, newest first (404 for another tenant's task). */
export async function taskRunHistory(db: Queryable, project: string, taskId: number): Promise<TaskRunHistoryRow[]> {
  await requireTask(db, project, taskId);
  return db.query<TaskRunHistoryRow>(
    `select tr.id, tr.name, tr.run_type, tr.parallel, tr.created_at, tr.started_at, tr.ended_at, tr.reason,
            coalesce((select jsonb_agg(cr.name order by cr.position) from case_runs cr where cr.task_run_id = tr.id), '[]'::jsonb)
              as case_names,
            coalesce((select sum(${droppedStartsSql('cr')}) from case_runs cr where cr.task_run_id = tr.id), 0)
              as dropped_starts,
            coalesce((select jsonb_agg(i.e || jsonb_build_object('case_run_id', cr.id) order by cr.position, i.n)
                        from case_runs cr, jsonb_array_elements(cr.interruptions) with ordinality as i(e, n)
                       where cr.task_run_id = tr.id and jsonb_typeof(cr.interruptions) = 'array'), '[]'::jsonb)
              as interruptions
       from task_runs tr where tr.task_id = $1 order by tr.id desc`,
    [taskId],
  );
}

/** What a debug run executes. */
export interface DebugInput {
  case: CaseInfoDetail;
  variables: VariableDetail[];
  transactions: Transaction[];
}

/** Debug `type` values: a transaction (the reference's default) or a case. */
export const DebugTarget = { Transaction: 0, Case: 1 } as const;

/**
 * The case (type 1) or transaction (type 0) `id` of test suite `testSuiteId` of tenant `project`,
 * with the suite's variables and transactions. `taskId` 0 names no task (as the reference's example
 * sends); another id must be a task of the suite. A transaction runs as a case whose one card
 * references it.
 */
export async function debugInput(
  db: Queryable,
  project: string,
  testSuiteId: number,
  taskId: number,
  id: number,
  type: number,
): Promise<DebugInput> {
  await requireTestSuite(db, project, testSuiteId);
  if (taskId !== 0) {
    const task = await requireTask(db, project, taskId);
    if (task.test_suite_id !== testSuiteId) throw apiError('NOT_FOUND', { resource: 'task', id: taskId });
  }
  let kase: CaseInfoDetail;
  if (type === DebugTarget.Case) {
    const row = await requireCase(db, project, id);
    if (row.test_suite_id !== testSuiteId) throw apiError('NOT_FOUND', { resource: 'case', id });
    kase = caseInfoDetail(row);
  } else {
    const template = await requireTemplate(db, project, id).catch((err: unknown) => {
      throw (err as { kind?: string }).kind === 'NOT_FOUND'
        ? apiError('NOT_FOUND', { resource: 'transaction (type 0, the default; send type 1 to debug a case)', id })
        : err;
    });
    if (template.test_suite_id !== testSuiteId) throw apiError('NOT_FOUND', { resource: 'transaction', id });
    kase = { case_id: 0, name: template.name, contents: [{ content_id: template.id, index: 0, data_type: 0, content: [] }], stages: [] };
  }
  const variables = (await listVariables(db, testSuiteId)) as VariableDetail[];
  const transactions = await suiteTransactions(db, testSuiteId);
  return { case: kase, variables, transactions };
}
