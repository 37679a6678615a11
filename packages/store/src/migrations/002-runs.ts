/**
 * Runs and their metrics. What each column means (the report, history and task endpoints read these;
 * the run life cycle, packages/runner/src/lifecycle, alone writes them):
 *
 * workers — one row per load-generating process (a separate `apps/worker`, or the API's embedded one).
 *   id: random uuid chosen by the process; host, pid: where it runs; threads: engine threads it runs
 *   each share on; embedded: true for the worker inside the API process; started_at; heartbeat_at:
 *   refreshed every second (database clock); stopped_at: set when it left cleanly or was declared dead
 *   (heartbeat older than 10 s). A worker is live while stopped_at is null.
 *
 * task_runs — one start of a task = one report (`task_run_id`, `task_run_info_id`).
 *   task_id, test_suite_id: what was started; name: the task's name at start; parallel: cases all at
 *   once (true) or one after another in position order (false); run_type: 0 (a task run; history's
 *   `run_type`); status: RunStatus 9 waiting (no case run dispatched yet), 0 running, 5 stopping,
 *   2 ended, 3 aborted (`reason` says why: no worker, invalid case, engine failure), 4 stopped by the
 *   user; created_at: the start call; started_at: stage 0 of its first case run (null until then);
 *   ended_at: when it reached 2, 3 or 4.
 *
 * case_runs — one enabled case of a task run (`case_run_id`, `related_temp_running_id`).
 *   case_id: the case (null once the case is deleted: the run keeps its snapshot); position: order in
 *   the task (1-based); name: the case's name at start; status and reason: as task_runs (9 until it is
 *   dispatched to workers); input: the snapshot it runs, {case: CaseInfoDetail, variables:
 *   VariableDetail[], transactions: Transaction[]}, so edits after the start change nothing;
 *   cards: CardInfo[] of its request cards in order ({key, name, method, url, protocolType}), the
 *   keys of IntervalMessage.cards; start_at: the instant of stage 0, the same for every worker (null
 *   until dispatched); ended_at; target: manual regulation, {"value": users or TPS, "at": iso time}
 *   or null (workers apply it to their share).
 *
 * case_run_shares — a case run divided among the workers live when it was dispatched: share
 *   share_index of share_count (users, iterations and TPS divided by the engine's Share), run by
 *   worker_id. status: 'assigned' (waiting for its worker to claim it), 'running', then 'done'
 *   (ended by itself), 'stopped' (a user stop) or 'failed' (engine error in `error`). A share whose
 *   worker dies is reassigned to a live worker (same index and count; it resumes the timeline at the
 *   current offset of start_at).
 *
 * intervals — one row per second per share per worker, written as the engine emits them.
 *   second: Unix epoch second covered; data: the IntervalMessage (packages/model/src/messages.ts)
 *   in its stored form (packages/model/src/interval-codec.ts): users, started, dropped, stage,
 *   `iterations` and `cards` (by CardInfo.key) each a positional array of counters and an encoded
 *   HDR histogram (microseconds); rows of earlier versions hold these cells as objects, and readers
 *   accept both. A case run's curve for second S merges every row of S
 *   (all shares, all workers). A reassigned share has rows under both worker ids; rows are never
 *   rewritten, so everything written before a worker died is kept. A worker writes a share's last
 *   rows before it marks the share ended, so once a case run has ended (2, 3, 4) its rows are final.
 *   While it runs, the rows of the last second or two may still be on their way (a row lands about
 *   0.2 s after its second ends).
 *
 * rendezvous — run-wide rendezvous points (card data_type 301) of a case run split over several
 *   workers: `arrived` users are waiting at point `key` in round `generation`; the worker whose
 *   arrival completes the round (or whose wait times out) bumps the generation and notifies every
 *   worker to release its waiters. Internal to the runner.
 */
export const up = `
create table workers (
  id text primary key,
  host text not null,
  pid integer not null,
  threads integer not null,
  embedded boolean not null default false,
  started_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now(),
  stopped_at timestamptz
);
create index workers_live on workers(started_at) where stopped_at is null;

create table task_runs (
  id bigserial primary key,
  task_id bigint not null references tasks(id) on delete cascade,
  test_suite_id bigint not null,
  name text not null,
  parallel boolean not null,
  run_type integer not null default 0,
  status integer not null,
  reason text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  ended_at timestamptz
);
create index task_runs_task on task_runs(task_id, id);
create index task_runs_active on task_runs(status) where status in (0, 5, 9);

create table case_runs (
  id bigserial primary key,
  task_run_id bigint not null references task_runs(id) on delete cascade,
  case_id bigint,
  position integer not null,
  name text not null,
  status integer not null,
  reason text,
  input jsonb not null,
  cards jsonb not null default '[]',
  start_at timestamptz,
  ended_at timestamptz,
  target jsonb
);
create index case_runs_task_run on case_runs(task_run_id, position);
create index case_runs_active on case_runs(status) where status in (0, 5, 9);

create table case_run_shares (
  case_run_id bigint not null references case_runs(id) on delete cascade,
  share_index integer not null,
  share_count integer not null,
  worker_id text not null,
  status text not null default 'assigned',
  error text,
  updated_at timestamptz not null default now(),
  primary key (case_run_id, share_index)
);
create index case_run_shares_worker on case_run_shares(worker_id, status);

create table intervals (
  case_run_id bigint not null references case_runs(id) on delete cascade,
  share_index integer not null,
  worker_id text not null,
  second bigint not null,
  data jsonb not null,
  primary key (case_run_id, second, share_index, worker_id)
);

create table rendezvous (
  case_run_id bigint not null references case_runs(id) on delete cascade,
  key text not null,
  generation integer not null default 0,
  arrived integer not null default 0,
  primary key (case_run_id, key)
);
`;
