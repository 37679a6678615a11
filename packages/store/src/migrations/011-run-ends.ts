/**
 * Honest ends and the crash-loop guard of the run life cycle (docs/run-lifecycle.md, "Takeover").
 * The life cycle (packages/runner/src/lifecycle) alone writes these columns:
 *
 * workers.stop_cause — why stopped_at was set: 'left' (it left cleanly), 'no heartbeat' (declared
 *   dead by a reconcile pass), 'restarted' (declared dead at the start of the next embedded worker on
 *   the same PGlite data directory, which no other process can hold); null while live, and for rows
 *   written before this migration.
 *
 * case_run_shares.takeovers — how many times the share was taken from a worker that died (not left)
 *   while running it. A share whose worker dies while running it a second time is not resumed: its
 *   case run and task run end in 3.
 * case_run_shares.claimed_at — when its current owner claimed it (database clock); null until then.
 * case_run_shares.started — iterations (users' or TPS starts') its owners began, as they record it:
 *   at the first second that began any and at the share's end; null until claimed by a worker that
 *   records it. A case run whose shares began none ends in 3, not 2.
 *
 * case_runs.interruptions — null, or one entry per share taken from a dead or departed worker:
 *   {share, share_count, worker, host, from, to, seconds, reason, resumed}: `from` is when the worker
 *   was last seen running it (its last heartbeat, or the end of the last second it wrote, whichever is
 *   later), `to` when the share was given to a live worker (resumed) or the run ended instead;
 *   ISO-8601 UTC instants; `reason` as `worker <id> on <host> stopped heartbeating`.
 */
export const up = `
alter table workers add column stop_cause text;
alter table case_run_shares add column takeovers integer not null default 0;
alter table case_run_shares add column claimed_at timestamptz;
alter table case_run_shares add column started bigint;
alter table case_runs add column interruptions jsonb;
`;
