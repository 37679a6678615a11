/**
 * The run life cycle, the one writer of `task_runs`, `case_runs`, `case_run_shares`, `intervals`
 * and `workers` (and `run_limits`): start and stop (start-stop.ts), the reconcile pass that dispatches, takes over and
 * ends runs (reconcile.ts), a worker's claims and share ends (shares.ts), its registration and
 * heartbeat (workers.ts), live capacity and runs at once (capacity.ts), interval rows (intervals.ts) and manual regulation (regulation.ts).
 */
export * from './capacity.js';
export * from './intervals.js';
export * from './reconcile.js';
export * from './regulation.js';
export * from './rows.js';
export * from './shares.js';
export * from './start-stop.js';
export * from './statuses.js';
export * from './workers.js';
