/**
 * Live capacity and the run queue (docs/run-lifecycle.md, "Queue and capacity"). The run life cycle
 * (packages/runner/src/lifecycle) alone writes these columns.
 *
 * workers — memory_mb: the memory budget the worker was started with (PERFTEST_WORKER_MEMORY_MB);
 *   users_per_thread, connections_per_thread: what each of its engine threads can hold within that
 *   budget (lifecycle/capacity.ts derives them from the measured bytes per user). Null for a worker
 *   registered by an older version: its capacity is unknown and not counted as a limit.
 *
 * case_runs — users: the most users the case run asks for at once (the highest `maxUsers` of its
 *   prepared stage plan), recorded at the start; what it takes of the live capacity while dispatched.
 *
 * task_runs — queued: why a waiting task run is not dispatched yet (its turn, the runs at once, the
 *   capacity left), null when it is not queued; ready_at: when it left the queue (its no-worker wait
 *   counts from there), null while queued.
 *
 * run_limits — one row (id 1): max_runs_at_once, task runs dispatched at once (PERFTEST_MAX_RUNS_AT_ONCE
 *   of the server that last started), read by every reconcile pass of every process; no row: the
 *   default of lifecycle/capacity.ts.
 */
export const up = `
alter table workers add column memory_mb integer;
alter table workers add column users_per_thread integer;
alter table workers add column connections_per_thread integer;
alter table case_runs add column users integer not null default 0;
alter table task_runs add column queued text;
alter table task_runs add column ready_at timestamptz;
create table run_limits (
  id integer primary key check (id = 1),
  max_runs_at_once integer not null,
  updated_at timestamptz not null default now()
);
`;
