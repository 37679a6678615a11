/**
 * Starting and stopping a task from the API (reference 4.2.6), for every route that does it: the
 * single start/stop route and any batch endpoint call startTask and stopTask, so that they behave
 * alike. The task, its enabled cases, the project's variables and the transactions the cases use are
 * read here (the API's tables); the run is recorded by the run life cycle of packages/runner, which
 * alone writes the run tables, and the process's run machinery is poked so that dispatch does not
 * wait for its next poll. Starts pass a gate of a few at a time (start-gate.ts).
 */
import { apiError, type VariableDetail } from '@perftest/model';
import { referencedTransactions, startTaskRun, stopTaskRun, type AdmitStart, type TaskToStart } from '@perftest/runner';
import type { Database } from '@perftest/store';
import { caseInfoDetail, casesOfTask } from '../storage/cases.js';
import { requireTask, type TaskRow } from '../storage/tasks.js';
import { suiteTransactions } from '../storage/templates.js';
import { listVariables } from '../storage/variables.js';
import { throughStartGate } from './start-gate.js';

/** What the API needs from the process's run machinery: a nudge to reconcile at once. */
export interface RunControl {
  poke(): void;
}

/** A RunControl for a server without run machinery (tests of the CRUD routes). */
export const NO_RUN_CONTROL: RunControl = { poke: () => {} };

/** `status` of a case that takes part in runs (0 deleted, 2 disabled do not). */
const CASE_ENABLED = 1;

/** The task `taskId` of tenant `project` in test suite `testSuiteId`, or a 404. */
async function requireSuiteTask(db: Database, project: string, testSuiteId: number, taskId: number): Promise<TaskRow> {
  const task = await requireTask(db, project, taskId);
  if (task.test_suite_id !== testSuiteId) throw apiError('NOT_FOUND', { resource: 'task', id: taskId });
  return task;
}

/** The task as it is now, with each enabled case snapshotted for its run. */
async function taskToStart(db: Database, task: TaskRow): Promise<TaskToStart> {
  const cases = (await casesOfTask(db, task.id)).filter((c) => c.status === CASE_ENABLED);
  const variables = cases.length === 0 ? [] : ((await listVariables(db, task.test_suite_id)) as VariableDetail[]);
  const transactions = cases.length === 0 ? [] : await suiteTransactions(db, task.test_suite_id);
  return {
    taskId: task.id,
    testSuiteId: task.test_suite_id,
    name: task.name,
    parallel: task.parallel,
    cases: cases.map((row) => {
      const kase = caseInfoDetail(row);
      return { caseId: row.id, name: row.name, input: { case: kase, variables, transactions: referencedTransactions(kase, transactions) } };
    }),
  };
}

/**
 * Starts task `taskId` and returns its task_run_id: a 404 when it is not the project's, a 409 when
 * it runs, a 400 when it has no enabled case or when a case cannot run
 * (that attempt is recorded as a run ended in 3, named in the message); `admit` (the server's
 * admission, docs/security.md "Limits") may refuse it with a 400 before anything is recorded.
 */
export async function startTask(
  db: Database,
  control: RunControl,
  project: string,
  testSuiteId: number,
  taskId: number,
  admit: AdmitStart,
): Promise<number> {
  const started = await throughStartGate(db, async () => {
    const task = await requireSuiteTask(db, project, testSuiteId, taskId);
    return startTaskRun(db, await taskToStart(db, task), admit);
  });
  if (started.invalid !== undefined) {
    throw apiError('INVALID_CASE', {
      detail: `${started.invalid} (the attempt is recorded as task_run_id ${started.taskRunId}, run_status 3)`,
    });
  }
  control.poke();
  return started.taskRunId;
}

/** Stops the run of task `taskId` and returns its task_run_id: a 404 as startTask, a 409 when it does not run. */
export async function stopTask(db: Database, control: RunControl, project: string, testSuiteId: number, taskId: number): Promise<number> {
  const task = await requireSuiteTask(db, project, testSuiteId, taskId);
  const taskRunId = await stopTaskRun(db, task.id);
  control.poke();
  return taskRunId;
}
