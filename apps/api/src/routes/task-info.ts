/**
 * How tasks read on the wire: `taskInfo` (reference 4.2.2) and the entries of a task set (4.2.1),
 * plus the check every task change makes on the body's `project_id` (the task's test suite).
 */
import { apiError, type TaskInfo, type TaskSummary } from '@perftest/model';
import type { Queryable } from '@perftest/store';
import { success } from '../http/envelope.js';
import { isoTime } from '../http/time.js';
import { NEVER_RUN, relatedEntryJson, type TaskRunState } from '../storage/related-running.js';
import { requireTestSuite } from '../storage/test-suites.js';
import { findTaskView, type TaskRow, type TaskView } from '../storage/tasks.js';
import type { CaseJsonCache } from './case-json-cache.js';

/** `operate_mode` of a task that was given none: 2, both (what clients send). */
export const DEFAULT_TASK_OPERATE_MODE = 2;
/** `bench_concurrent` of a task that was given none. */
export const DEFAULT_BENCH_CONCURRENT = 100;

/**
 * The answer `{code, message, taskInfo}` of a task (one query for the view; a task deleted meanwhile
 * reads with no cases and no run), as JSON text: see taskInfoJson.
 */
export async function taskInfoAnswer(db: Queryable, cache: CaseJsonCache, task: TaskRow): Promise<string> {
  return taskInfoJson({ ...((await findTaskView(db, task.id)) ?? EMPTY_VIEW), task }, cache);
}

const EMPTY_VIEW: Omit<TaskView, 'task'> = Object.freeze({ cases: [], latestRun: null, caseRuns: [] });

/** The heavy keys of a `taskInfo`, which taskInfoJson writes from the cache's JSON text. */
type TaskInfoHead = Omit<TaskInfo, 'case_list' | 'related_temp_running_data'>;

/**
 * The answer `{code, message, taskInfo}` of a task view as JSON text: its fields, then `case_list`
 * (every case, in the task's order) and `related_temp_running_data` (the latest run's case runs)
 * written from the JSON text the cache keeps (case-json-cache.ts), neither parsed nor serialised again.
 */
export async function taskInfoJson(view: TaskView, cache: CaseJsonCache): Promise<string> {
  const task = view.task;
  const head: TaskInfoHead = {
    id: task.id,
    name: task.name,
    description: task.description,
    project_id: task.test_suite_id,
    parallel: task.parallel,
    bench_concurrent: task.doc.bench_concurrent ?? DEFAULT_BENCH_CONCURRENT,
    operate_mode: task.doc.operate_mode ?? DEFAULT_TASK_OPERATE_MODE,
    run_status: view.latestRun === null ? NEVER_RUN.runStatus : view.latestRun.status,
    ...(view.latestRun?.queue === undefined ? {} : { queue_position: view.latestRun.queue.position, queue_reason: view.latestRun.queue.reason }),
    create_time: isoTime(task.created_at),
    update_time: isoTime(task.updated_at),
  };
  const [cases, urls] = await Promise.all([cache.caseList(view.cases), cache.cardUrls(view.caseRuns.map((r) => r.id))]);
  const related = view.caseRuns.map((run) => relatedEntryJson(run, urls.get(run.id) ?? '[]'));
  const caseList: keyof TaskInfo = 'case_list';
  const relatedKey: keyof TaskInfo = 'related_temp_running_data';
  // the envelope's last key is taskInfo, whose text ends the answer: `...}}`
  const text = JSON.stringify(success({ taskInfo: head }));
  return `${text.slice(0, -2)},"${caseList}":[${cases.join(',')}],"${relatedKey}":[${related.join(',')}]}}`;
}

/** One entry of a task set. */
export function taskSummary(task: TaskRow, state: TaskRunState = NEVER_RUN): TaskSummary {
  return {
    id: task.id,
    name: task.name,
    description: task.description,
    bench_concurrent: task.doc.bench_concurrent ?? DEFAULT_BENCH_CONCURRENT,
    operate_mode: task.doc.operate_mode ?? DEFAULT_TASK_OPERATE_MODE,
    parallel: task.parallel,
    task_run_info: { id: state.latestRunId, run_type: 0 },
    update_time: isoTime(task.updated_at),
  };
}

/**
 * A task stays in its test suite: a body `project_id` naming another of the tenant's suites is a
 * 400, one naming no suite of the tenant a 404.
 */
export async function requireOwnSuite(db: Queryable, project: string, task: TaskRow, suiteId: number): Promise<void> {
  if (suiteId === task.test_suite_id) return;
  await requireTestSuite(db, project, suiteId);
  throw apiError('INVALID_FIELD', {
    field: 'project_id',
    detail: `${suiteId} is not the test suite ${task.test_suite_id} of task ${task.id}: a task cannot move`,
  });
}
