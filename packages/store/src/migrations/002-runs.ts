/**
 * Runs and their metrics. A task run (the report) has one case run per enabled case; a case run is
 * split into shares, one per live worker, each claimed by its worker. Workers write one interval per
 * second per share. Case runs keep a snapshot of what they ran (`input`), so reports and reruns do not
 * change when the case is edited or deleted later.
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
  started_at timestamptz,
  ended_at timestamptz,
  target jsonb
);
create index case_runs_task_run on case_runs(task_run_id, position);

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
`;
