/**
 * Starting and stopping task runs (reference 4.2.6). A start snapshots each enabled case of the task,
 * in the task's order, with the project's variables and the transactions it references, checks every
 * one (stage plan and compiled case), and records a waiting task run with one case run per case; the
 * runner's reconcile pass dispatches it to the live workers. A stop marks the run stopping; workers
 * abort their shares and the reconcile pass records the end (4).
 *
 * A start with a case that cannot run is recorded too, ended in 3 with every problem as its reason
 * (history shows the attempt), and the caller answers 400 naming the problems.
 */
import { apiError, RunStatus, type VariableDetail } from '@perftest/model';
import { checkCaseInput, describeProblems, notifyRuns, referencedTransactions, type CaseInput } from '@perftest/runner';
import type { CardInfo } from '@perftest/model';
import type { Database, Queryable } from '@perftest/store';
import { caseInfoDetail, casesOfTask } from './cases.js';
import { requireTask, type TaskRow } from './tasks.js';
import { suiteTransactions } from './templates.js';
import { listVariables } from './variables.js';

/** `status` of a case that takes part in runs (0 deleted, 2 disabled do not). */
const CASE_ENABLED = 1;

/** What a start recorded. */
export interface StartedRun {
  taskRunId: number;
  /** Set when a case cannot run: the run was recorded ended in 3 with this reason. */
  invalid?: string;
}

/** A case run about to be recorded. */
interface PlannedCaseRun {
  caseId: number;
  name: string;
  input: CaseInput;
  cards: CardInfo[];
  problems?: string;
}

/** The task `taskId` of tenant `project` in test suite `testSuiteId` (locked), or a 404. */
async function requireSuiteTask(tx: Queryable, project: string, testSuiteId: number, taskId: number): Promise<TaskRow> {
  const task = await requireTask(tx, project, taskId, true);
  if (task.test_suite_id !== testSuiteId) throw apiError('NOT_FOUND', { resource: 'task', id: taskId });
  return task;
}

/** The run of `taskId` that has not ended (waiting, running or stopping), if any. */
export async function activeTaskRun(db: Queryable, taskId: number): Promise<{ id: number; status: number } | undefined> {
  const [row] = await db.query<{ id: number; status: number }>(
    `select id, status from task_runs where task_id = $1 and status in (${RunStatus.Waiting}, ${RunStatus.Running}, ${RunStatus.Stopping})
      order by id desc limit 1`,
    [taskId],
  );
  return row;
}

/** Starts task `taskId`: a 409 when it already runs, a 400 when it has no enabled case. */
export async function startTaskRun(db: Database, project: string, testSuiteId: number, taskId: number): Promise<StartedRun> {
  return db.transaction(async (tx) => {
    const task = await requireSuiteTask(tx, project, testSuiteId, taskId);
    const active = await activeTaskRun(tx, task.id);
    if (active) {
      throw apiError('CONFLICT', {
        detail: `task ${task.id} is already running as task_run_id ${active.id} (run_status ${active.status}): stop it first`,
      });
    }
    const cases = (await casesOfTask(tx, task.id)).filter((c) => c.status === CASE_ENABLED);
    if (cases.length === 0) {
      throw apiError('BAD_REQUEST', { detail: `task ${task.id} has no enabled case (status 1) to run` });
    }
    const variables = (await listVariables(tx, task.test_suite_id)) as VariableDetail[];
    const transactions = await suiteTransactions(tx, task.test_suite_id);
    const planned: PlannedCaseRun[] = [];
    for (const row of cases) {
      const kase = caseInfoDetail(row);
      const input: CaseInput = { case: kase, variables, transactions: referencedTransactions(kase, transactions) };
      const checked = await checkCaseInput(input);
      planned.push({
        caseId: row.id,
        name: row.name,
        input,
        cards: checked.ok ? checked.cards : [],
        problems: checked.ok ? undefined : `case "${row.name}" (${row.id}): ${describeProblems(checked.problems)}`,
      });
    }
    const invalid = planned.filter((p) => p.problems !== undefined).map((p) => p.problems).join(' | ') || undefined;
    const status = invalid === undefined ? RunStatus.Waiting : RunStatus.Aborted;
    const [run] = await tx.query<{ id: number }>(
      `insert into task_runs(task_id, test_suite_id, name, parallel, status, reason, ended_at)
       values ($1, $2, $3, $4, $5, $6, case when $5 = ${RunStatus.Aborted} then now() end) returning id`,
      [task.id, task.test_suite_id, task.name, task.parallel, status, invalid === undefined ? null : `invalid case: ${invalid}`],
    );
    for (const [i, p] of planned.entries()) {
      const reason = invalid === undefined ? null : (p.problems ?? 'not run: another case of the task cannot run');
      await tx.query(
        `insert into case_runs(task_run_id, case_id, position, name, status, reason, input, cards, ended_at)
         values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, case when $5 = ${RunStatus.Aborted} then now() end)`,
        [run.id, p.caseId, i + 1, p.name, status, reason, JSON.stringify(p.input), JSON.stringify(p.cards)],
      );
    }
    if (invalid === undefined) await notifyRuns(tx, `start:${run.id}`);
    return { taskRunId: run.id, invalid };
  });
}

/** Stops the running task `taskId` and returns its task run id; a 409 when it is not running. */
export async function stopTaskRun(db: Database, project: string, testSuiteId: number, taskId: number): Promise<number> {
  return db.transaction(async (tx) => {
    const task = await requireSuiteTask(tx, project, testSuiteId, taskId);
    const active = await activeTaskRun(tx, task.id);
    if (!active) throw apiError('CONFLICT', { detail: `task ${task.id} is not running: nothing to stop` });
    if (active.status === RunStatus.Stopping) return active.id;
    await tx.query(`update task_runs set status = ${RunStatus.Stopping} where id = $1`, [active.id]);
    await tx.query(`update case_runs set status = ${RunStatus.Stopping} where task_run_id = $1 and status = ${RunStatus.Running}`, [active.id]);
    await tx.query(
      `update case_runs set status = ${RunStatus.StoppedByUser}, ended_at = now() where task_run_id = $1 and status = ${RunStatus.Waiting}`,
      [active.id],
    );
    await notifyRuns(tx, `stop:${active.id}`);
    return active.id;
  });
}
