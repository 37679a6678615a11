/**
 * Starting and stopping a task run (reference 4.2.6), the only writer of new task and case runs. A
 * start prepares every case (stage plan and compiled case) before any transaction, so the database is
 * held only to record: it locks the task, refuses a second run of it (409), and records a waiting
 * task run with one case run per case, snapshotted; the reconcile pass dispatches it. A start whose
 * case cannot run is recorded too, ended in 3 with every problem as its reason (history shows the
 * attempt), and the caller answers 400 naming the problems. A stop marks the run stopping; workers
 * abort their shares and the reconcile pass records the end (4).
 */
import { apiError, RunStatus, type CardInfo, type PreparedCase } from '@perftest/model';
import type { Database, Queryable } from '@perftest/store';
import { checkCaseInput, describeProblems, type CaseInput } from '../case-input.js';
import { notifyRuns } from '../channel.js';
import type { TaskRunRow } from './rows.js';
import { SQL } from './statuses.js';

/** One enabled case of the task, in the task's order, with its snapshot. */
export interface CaseToStart {
  caseId: number;
  name: string;
  input: CaseInput;
}

/** A task as its owner read it, to be started. */
export interface TaskToStart {
  taskId: number;
  testSuiteId: number;
  /** The task's name at start (history's name). */
  name: string;
  parallel: boolean;
  cases: readonly CaseToStart[];
}

/** A case checked for the start: prepared with its request cards, or why it cannot run. */
export interface CheckedCaseToStart extends CaseToStart {
  /** The case prepared once for its run (what case_runs.input keeps); undefined when it cannot run. */
  prepared?: PreparedCase;
  cards: CardInfo[];
  problems?: string;
}

/** Checks run on a start whose cases can all run, before anything is recorded: throw to refuse. */
export type AdmitStart = (task: TaskToStart, cases: readonly CheckedCaseToStart[]) => void | Promise<void>;

/** What a start recorded. */
export interface StartedRun {
  taskRunId: number;
  /** Set when a case cannot run: the run was recorded ended in 3 with this reason. */
  invalid?: string;
}

/** The most users a prepared case asks for at once (what its case run takes of the live capacity). */
export function peakUsers(prepared: PreparedCase | undefined): number {
  let users = 0;
  for (const stage of prepared?.plan ?? []) if (Number.isFinite(stage.maxUsers)) users = Math.max(users, stage.maxUsers);
  return users;
}

/** The run of `taskId` that has not ended (waiting, running or stopping), if any. */
export async function activeTaskRun(db: Queryable, taskId: number): Promise<Pick<TaskRunRow, 'id' | 'status'> | undefined> {
  const [row] = await db.query<Pick<TaskRunRow, 'id' | 'status'>>(
    `select id, status from task_runs where task_id = $1 and status in ${SQL.active} order by id desc limit 1`,
    [taskId],
  );
  return row;
}

function conflict(taskId: number, active: Pick<TaskRunRow, 'id' | 'status'>): Error {
  return apiError('CONFLICT', {
    detail: `task ${taskId} is already running as task_run_id ${active.id} (run_status ${active.status}): stop it first`,
  });
}

/** Locks the task's row for the rest of the transaction (starts and stops of one task queue up). */
async function lockTask(tx: Queryable, taskId: number): Promise<void> {
  const rows = await tx.query('select id from tasks where id = $1 for update', [taskId]);
  if (rows.length === 0) throw apiError('NOT_FOUND', { resource: 'task', id: taskId });
}

/**
 * Starts `task`: a 409 when it already runs, a 400 when it has no case; `admit` may refuse a start
 * whose cases can all run by throwing (nothing is recorded then).
 */
export async function startTaskRun(db: Database, task: TaskToStart, admit?: AdmitStart): Promise<StartedRun> {
  const early = await activeTaskRun(db, task.taskId);
  if (early) throw conflict(task.taskId, early);
  if (task.cases.length === 0) {
    throw apiError('BAD_REQUEST', { detail: `task ${task.taskId} has no enabled case (status 1) to run` });
  }
  const checked: CheckedCaseToStart[] = [];
  for (const c of task.cases) {
    const result = await checkCaseInput(c.input);
    checked.push({
      ...c,
      prepared: result.ok ? result.prepared : undefined,
      cards: result.ok ? result.cards : [],
      problems: result.ok ? undefined : `case "${c.name}" (${c.caseId}): ${describeProblems(result.problems)}`,
    });
  }
  const invalid = checked.filter((c) => c.problems !== undefined).map((c) => c.problems).join(' | ') || undefined;
  if (invalid === undefined) await admit?.(task, checked);
  return db.transaction(async (tx) => {
    await lockTask(tx, task.taskId);
    const active = await activeTaskRun(tx, task.taskId);
    if (active) throw conflict(task.taskId, active);
    const status = invalid === undefined ? RunStatus.Waiting : RunStatus.Aborted;
    const [run] = await tx.query<{ id: number }>(
      `insert into task_runs(task_id, test_suite_id, name, parallel, status, reason, ended_at)
       values ($1, $2, $3, $4, $5, $6, case when $5 = ${RunStatus.Aborted} then now() end) returning id`,
      [task.taskId, task.testSuiteId, task.name, task.parallel, status, invalid === undefined ? null : `invalid case: ${invalid}`],
    );
    for (const [i, c] of checked.entries()) {
      const reason = invalid === undefined ? null : (c.problems ?? 'not run: another case of the task cannot run');
      await tx.query(
        `insert into case_runs(task_run_id, case_id, position, name, status, reason, input, cards, users, ended_at)
         values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, case when $5 = ${RunStatus.Aborted} then now() end)`,
        [run.id, c.caseId, i + 1, c.name, status, reason, JSON.stringify(c.prepared ?? c.input), JSON.stringify(c.cards), peakUsers(c.prepared)],
      );
    }
    if (invalid === undefined) await notifyRuns(tx, `start:${run.id}`);
    return { taskRunId: run.id, invalid };
  });
}

/** Stops the run of task `taskId` and returns its task run id; a 409 when it is not running. */
export async function stopTaskRun(db: Database, taskId: number): Promise<number> {
  return db.transaction(async (tx) => {
    await lockTask(tx, taskId);
    const active = await activeTaskRun(tx, taskId);
    if (!active) throw apiError('CONFLICT', { detail: `task ${taskId} is not running: nothing to stop` });
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
