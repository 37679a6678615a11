/**
 * Step 5 of a reconcile pass (reconcile.ts): ready case runs to the live workers. Task runs go first
 * come first served within the runs at once (run_limits) and the live capacity; one share per live
 * worker; stage 0 at now + a lead long enough for the workers' engine threads to be up.
 */
import { RunStatus } from '@perftest/model';
import { DEFAULT_MAX_RUNS_AT_ONCE, MAX_RUNS_AT_ONCE_SQL } from './capacity.js';
import type { LiveWorker, PassWriter } from './reconcile-writer.js';
import { SQL } from './statuses.js';
import { START_LEAD_MS, THREADED_START_LEAD_MS, WARM_THREADED_START_LEAD_MS } from '../timing.js';

/** How long a run out of the queue waits for a worker, and a fixed lead (tests), of a pass. */
export interface DispatchTiming {
  noWorkerWaitMs: number;
  leadMs: number | undefined;
}

/**
 * Dispatches ready case runs, task runs first come first served (by id). A task run not yet
 * dispatched (9) takes one of the runs at once (run_limits) and must fit the users the dispatched
 * case runs leave of the live capacity; when it cannot it stays queued with the reason (`queued`),
 * and every later one waits behind it. A run that left the queue waits for a live worker (or for
 * enough capacity in total) NO_WORKER_WAIT_MS from then, and ends in 3 after that; a queued run
 * never does (docs/run-lifecycle.md, "Queue and capacity").
 */
export async function dispatch(w: PassWriter, live: LiveWorker[], timing: DispatchTiming): Promise<void> {
  const [use] = await w.tx.query<{ max_runs_at_once: number | null; runs: number; users: string }>(
    `select ${MAX_RUNS_AT_ONCE_SQL} as max_runs_at_once,
            (select count(*) from task_runs
               where status in ${SQL.dispatched} or (status = ${RunStatus.Waiting} and ready_at is not null))::int as runs,
            (select coalesce(sum(users), 0) from case_runs where status in ${SQL.dispatched}) as users`,
  );
  const maxRunsAtOnce = use.max_runs_at_once ?? DEFAULT_MAX_RUNS_AT_ONCE;
  let runsAtOnce = use.runs;
  let inUse = Number(use.users);
  const capacity = live.some((w) => w.capacity === null) ? Infinity : live.reduce((sum, w) => sum + (w.capacity ?? 0), 0);
  const runs = await w.tx.query<{
    id: number;
    status: number;
    parallel: boolean;
    overdue: boolean | null;
    queued: string | null;
    left: boolean;
    ready: Array<{ id: number; users: number }> | null;
  }>(
    `select t.id, t.status, t.parallel, t.queued, t.ready_at is not null as left,
            greatest(t.ready_at, (select max(c.ended_at) from case_runs c where c.task_run_id = t.id))
              < now() - $1::float8 * interval '1 millisecond' as overdue,
            case when t.parallel or not exists(select 1 from case_runs c where c.task_run_id = t.id and c.status in ${SQL.dispatched})
              then (select json_agg(json_build_object('id', c.id, 'users', c.users) order by c.position, c.id)
                      from case_runs c where c.task_run_id = t.id and c.status = ${RunStatus.Waiting}) end as ready
       from task_runs t where t.status in (${RunStatus.Waiting}, ${RunStatus.Running}) order by t.id`,
    [timing.noWorkerWaitMs],
  );
  let ahead: number | undefined;
  for (const run of runs) {
    if (run.ready === null || run.ready.length === 0) continue;
    const ready = run.parallel ? run.ready : run.ready.slice(0, 1);
    const users = ready.reduce((sum, c) => sum + c.users, 0);
    const fits = live.length === 0 || users > capacity || inUse + users <= capacity;
    if (run.status === RunStatus.Waiting && !run.left) {
      const queued =
        ahead !== undefined
          ? `queued behind task run ${ahead}`
          : runsAtOnce >= maxRunsAtOnce
            ? `queued: ${runsAtOnce} runs at once, the most PERFTEST_MAX_RUNS_AT_ONCE allows (${maxRunsAtOnce})`
            : !fits
              ? `queued: it asks ${users} users at once, the live workers hold ${capacity} and the running runs take ${inUse}`
              : null;
      if (queued !== null) {
        ahead ??= run.id;
        if (queued !== run.queued) await w.update('update task_runs set queued = $2 where id = $1 and status = $3', [run.id, queued, RunStatus.Waiting]);
        continue;
      }
      runsAtOnce++;
    } else if (!fits) {
      // a run out of the queue (its next case, or back from no worker) waits for capacity to free,
      // ahead of the runs queued after it
      ahead ??= run.id;
      continue;
    }
    if (live.length === 0 || users > capacity) {
      // it left the queue: from now on it waits for a worker (or capacity) NO_WORKER_WAIT_MS at most
      if (run.status === RunStatus.Waiting && !run.left) {
        await w.update('update task_runs set queued = null, ready_at = now() where id = $1 and ready_at is null', [run.id]);
      }
      if (run.overdue === true) {
        await w.abortTaskRun(
          run.id,
          live.length === 0
            ? `no worker: no live worker joined within ${timing.noWorkerWaitMs / 1000} s to run it`
            : `no capacity: it asks ${users} users at once and the live workers hold ${capacity} (for ${timing.noWorkerWaitMs / 1000} s)`,
        );
      }
      continue;
    }
    inUse += users;
    await dispatchTaskRun(w, run.id, ready, live, leadOf(live, ready.length, timing.leadMs));
  }
}

/**
 * How far ahead stage 0 of `count` case runs dispatched together starts: a worker on several
 * threads has a warm pool for one share at a time; a second share (running already, or dispatched
 * with this one) starts extra threads, which load the engine first.
 */
function leadOf(live: LiveWorker[], count: number, fixed: number | undefined): number {
  if (fixed !== undefined) return fixed;
  const threaded = live.filter((w) => w.threads > 1);
  if (threaded.length === 0) return START_LEAD_MS;
  return count > 1 || threaded.some((w) => w.load > 0) ? THREADED_START_LEAD_MS : WARM_THREADED_START_LEAD_MS;
}

/**
 * Dispatches the case runs `ready` of task run `taskRunId` in one statement (a pass holds the
 * database while it runs, and on PGlite every statement costs ~0.3 ms at least): one share per live
 * worker for each case run that still waits, the case runs running from the start instant, and the
 * task run out of the queue and running. The start instant is `lead` ms after the moment of dispatch
 * (clock_timestamp(), not the pass transaction's now(): a pass whose transaction began before the
 * previous pass committed, and then took the lock, would date its runs before that pass's, and a long
 * pass would eat into the lead); one per task run, so that its parallel cases start together.
 */
async function dispatchTaskRun(
  w: PassWriter,
  taskRunId: number,
  ready: ReadonlyArray<{ id: number }>,
  live: LiveWorker[],
  lead: number,
): Promise<void> {
  const [row] = await w.tx.query<{ cases: number; tasks: number }>(
    `with instant as (select to_timestamp((extract(epoch from clock_timestamp()) * 1000 + $4::float8) / 1000) as at),
          cases as (
            update case_runs set status = ${RunStatus.Running}, start_at = (select at from instant)
             where id in (select jsonb_array_elements_text($2::jsonb)::bigint) and status = ${RunStatus.Waiting}
            returning id),
          shares as (
            insert into case_run_shares(case_run_id, share_index, share_count, worker_id)
            select cases.id, (e.ordinality - 1)::int, $3::int, e.value
              from cases, jsonb_array_elements_text($5::jsonb) with ordinality as e
            returning 1),
          task as (
            update task_runs set status = ${RunStatus.Running}, queued = null, ready_at = coalesce(ready_at, now()),
                   started_at = coalesce(started_at, (select at from instant))
             where id = $1 and status in (${RunStatus.Waiting}, ${RunStatus.Running})
            returning 1)
     select (select count(*) from cases)::int as cases, (select count(*) from task)::int as tasks`,
    [taskRunId, JSON.stringify(ready.map((c) => c.id)), live.length, lead, JSON.stringify(live.map((l) => l.id))],
  );
  w.changes += row.cases + row.tasks;
  for (const l of live) l.load += ready.length;
  w.log('info', 'case runs dispatched', { taskRun: taskRunId, caseRuns: ready.map((c) => c.id), workers: live.length });
}
