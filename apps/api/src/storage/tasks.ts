/**
 * Storage of tasks and of their ordered case lists (`task_cases`). A task belongs to the tenant that
 * owns its test suite; every lookup here joins through `test_suites.project`.
 */
import { apiError, RunStatus } from '@perftest/model';
import { json, type Database, type Queryable } from '@perftest/store';
import type { CaseRow } from './cases.js';
import type { CaseRunHead } from './related-running.js';

/** The task fields kept in `doc`. */
export interface TaskDoc {
  operate_mode?: number;
  bench_concurrent?: number;
  /** Whether the task is a full-link test (new-edition create); stored, not used by the engine. */
  enable_full_link?: boolean;
}

/** A stored task. */
export interface TaskRow {
  id: number;
  test_suite_id: number;
  name: string;
  description: string;
  parallel: boolean;
  doc: TaskDoc;
  created_at: Date;
  updated_at: Date;
}

/** The writable fields of a task. */
export interface TaskFields {
  name: string;
  description: string;
  parallel: boolean;
  doc: TaskDoc;
}

/**
 * The task `id` of tenant `project`, or a 404 naming it. With `lock`, the row stays locked until the
 * transaction ends, so that concurrent changes of the task's case list apply one after the other.
 */
export async function requireTask(db: Queryable, project: string, id: number, lock = false): Promise<TaskRow> {
  const [row] = await db.query<TaskRow>(
    `select t.* from tasks t join test_suites s on s.id = t.test_suite_id
      where t.id = $1 and s.project = $2${lock ? ' for update of t' : ''}`,
    [id, project],
  );
  if (!row) throw apiError('NOT_FOUND', { resource: 'task', id });
  return row;
}

/** A page of the tasks of a test suite, newest first. */
export async function listTasks(db: Queryable, testSuiteId: number, offset: number, limit: number): Promise<TaskRow[]> {
  return db.query<TaskRow>('select * from tasks where test_suite_id = $1 order by id desc limit $2 offset $3', [
    testSuiteId,
    limit,
    offset,
  ]);
}

/** Creates a task in a test suite and returns its id. */
export async function createTask(db: Queryable, testSuiteId: number, fields: TaskFields): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    `insert into tasks(test_suite_id, name, description, parallel, doc)
     values ($1, $2, $3, $4, $5::jsonb) returning id`,
    [testSuiteId, fields.name, fields.description, fields.parallel, json(fields.doc)],
  );
  return row.id;
}

/** Replaces a task's fields and marks it updated. */
export async function updateTask(db: Queryable, id: number, fields: TaskFields): Promise<void> {
  await db.query(
    `update tasks set name = $2, description = $3, parallel = $4, doc = $5::jsonb, updated_at = now()
      where id = $1`,
    [id, fields.name, fields.description, fields.parallel, json(fields.doc)],
  );
}

/** Marks a task updated (its case list changed). */
export async function touchTask(db: Queryable, id: number): Promise<void> {
  await db.query('update tasks set updated_at = now() where id = $1', [id]);
}

/** Deletes a task of tenant `project`; its case associations and runs go by cascade, its cases stay. */
export async function deleteTask(db: Queryable, project: string, id: number): Promise<void> {
  const rows = await db.query(
    `delete from tasks t using test_suites s
      where t.id = $1 and s.id = t.test_suite_id and s.project = $2 returning t.id`,
    [id, project],
  );
  if (rows.length === 0) throw apiError('NOT_FOUND', { resource: 'task', id });
}

/** The position the next case appended to a task gets (1-based). */
export async function nextTaskCasePosition(db: Queryable, taskId: number): Promise<number> {
  const [row] = await db.query<{ next: number }>(
    'select coalesce(max(position), 0) + 1 as next from task_cases where task_id = $1',
    [taskId],
  );
  return Number(row.next);
}

/** Adds a case to a task at `position`. */
export async function addTaskCase(db: Queryable, taskId: number, caseId: number, position: number): Promise<void> {
  await db.query('insert into task_cases(task_id, case_id, position) values ($1, $2, $3)', [taskId, caseId, position]);
}

/** Replaces a task's case list with `caseIds`, in that order (positions 1..n). */
export async function setTaskCases(db: Queryable, taskId: number, caseIds: readonly number[]): Promise<void> {
  await db.query('delete from task_cases where task_id = $1', [taskId]);
  if (caseIds.length === 0) return;
  await db.query(
    `insert into task_cases(task_id, case_id, position)
     select $1, e.value::bigint, e.ordinality from jsonb_array_elements_text($2::jsonb) with ordinality as e`,
    [taskId, json(caseIds)],
  );
}

/**
 * A case of a task as the task view reads it: its id and revision (one version of its document,
 * rendered once: routes/case-json-cache.ts) and the columns of its tree.
 */
export type TaskViewCase = Pick<CaseRow, 'id' | 'name' | 'status' | 'sort' | 'directory_id' | 'revision'>;

/** Where a queued run stands (docs/run-lifecycle.md, "Queue and capacity"): 1 is the next to leave the queue. */
export interface RunQueue {
  position: number;
  reason: string;
}

/** A task with everything its `taskInfo` shows: its cases in order, its latest run and that run's case runs. */
export interface TaskView {
  task: TaskRow;
  cases: TaskViewCase[];
  /** The latest run's id and status, and why it waits when it is queued; null when the task never ran. */
  latestRun: { id: number; status: number; queue?: RunQueue } | null;
  /** The case runs of the latest run, in the task's order (none when it never ran), without their cards. */
  caseRuns: CaseRunHead[];
}

/**
 * One statement for the task view: the task (through its suite's tenant), its cases ordered as
 * `casesOfTask` orders them, its latest run as `taskRunStates` picks it, and that run's case runs
 * ordered as `relatedRunningData` orders them. One snapshot, one round trip.
 */
const TASK_VIEW_SQL = `
  select t.*, r.id as run_id, r.status as run_status, r.queued as run_queued,
    (case when r.queued is not null then
       (select count(*) from task_runs q where q.status = ${RunStatus.Waiting} and q.queued is not null and q.id <= r.id) end)::int as run_queue_position,
    (select coalesce(json_agg(json_build_object('id', c.id, 'name', c.name, 'status', c.status, 'sort', c.sort,
              'directory_id', c.directory_id, 'revision', c.revision) order by tc.position, tc.case_id), '[]'::json)
       from task_cases tc join cases c on c.id = tc.case_id where tc.task_id = t.id) as view_cases,
    (select coalesce(json_agg(json_build_object('id', cr.id, 'task_run_id', cr.task_run_id, 'case_id', cr.case_id,
              'name', cr.name, 'status', cr.status) order by cr.position, cr.id), '[]'::json)
       from case_runs cr where cr.task_run_id = r.id) as view_case_runs
  from tasks t join test_suites s on s.id = t.test_suite_id
  left join lateral (select id, status, queued from task_runs where task_id = t.id order by id desc limit 1) r on true`;
const TASK_VIEW_OF_TENANT_SQL = `${TASK_VIEW_SQL} where t.id = $1 and s.project = $2`;
const TASK_VIEW_BY_ID_SQL = `${TASK_VIEW_SQL} where t.id = $1`;

type TaskViewRow = TaskRow & {
  run_id: number | null;
  run_status: number | null;
  run_queued: string | null;
  run_queue_position: number | null;
  view_cases: TaskViewCase[];
  view_case_runs: CaseRunHead[];
};

function taskView(row: TaskViewRow): TaskView {
  const { run_id, run_status, run_queued, run_queue_position, view_cases, view_case_runs, ...task } = row;
  const queued = run_queued !== null && run_status === RunStatus.Waiting && run_queue_position !== null;
  return {
    task,
    cases: view_cases,
    latestRun:
      run_id === null
        ? null
        : { id: run_id, status: run_status as number, ...(queued ? { queue: { position: run_queue_position, reason: run_queued } } : {}) },
    caseRuns: view_case_runs,
  };
}

/**
 * On PGlite, planning TASK_VIEW_SQL costs three times what running it does (about 0.4 of 0.55 ms):
 * there it is prepared once per database (SQL PREPARE; PGlite has one session) and run with EXECUTE,
 * whose arguments must be literals (EXECUTE takes no bind parameters). Only safe-integer ids and
 * project names of PLAIN_PROJECT characters (nothing to escape) take that path; anything else, and
 * Postgres, runs the plain query.
 */
const TASK_VIEW_STATEMENT = 'perftest_task_view_v3';
const PLAIN_PROJECT = /^[\w.:@-]{1,128}$/;
const prepared = new WeakMap<Queryable, Promise<boolean>>();

/** True once TASK_VIEW_STATEMENT is prepared on `db` (a PGlite database); false if it cannot be. */
function preparedView(db: Queryable): Promise<boolean> {
  let done = prepared.get(db);
  if (done === undefined) {
    done = db.query(`prepare ${TASK_VIEW_STATEMENT}(bigint, text) as ${TASK_VIEW_OF_TENANT_SQL}`).then(
      () => true,
      () => false,
    );
    prepared.set(db, done);
  }
  return done;
}

async function taskViewRows(db: Queryable, project: string, id: number): Promise<TaskViewRow[]> {
  if ((db as Partial<Database>).kind === 'pglite' && Number.isSafeInteger(id) && PLAIN_PROJECT.test(project) && (await preparedView(db))) {
    return db.query<TaskViewRow>(`execute ${TASK_VIEW_STATEMENT}(${id}, '${project}')`);
  }
  return db.query<TaskViewRow>(TASK_VIEW_OF_TENANT_SQL, [id, project]);
}

/** The view of task `id` of tenant `project` (see TASK_VIEW_SQL), or a 404 naming it. */
export async function requireTaskView(db: Queryable, project: string, id: number): Promise<TaskView> {
  const [row] = await taskViewRows(db, project, id);
  if (!row) throw apiError('NOT_FOUND', { resource: 'task', id });
  return taskView(row);
}

/** The view of task `id` whatever its tenant, or undefined when there is none. */
export async function findTaskView(db: Queryable, id: number): Promise<TaskView | undefined> {
  const [row] = await db.query<TaskViewRow>(TASK_VIEW_BY_ID_SQL, [id]);
  return row && taskView(row);
}
