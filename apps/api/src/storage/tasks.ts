/**
 * Storage of tasks and of their ordered case lists (`task_cases`). A task belongs to the tenant that
 * owns its test suite; every lookup here joins through `test_suites.project`.
 */
import { apiError } from '@perftest/model';
import { json, type Queryable } from '@perftest/store';

/** The task fields kept in `doc`. */
export interface TaskDoc {
  operate_mode?: number;
  bench_concurrent?: number;
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
