/**
 * The API's resources. Each resource keeps its queryable columns plus `doc`, the JSON of every other
 * field a client sent, so that what a client PUTs it GETs back. Ownership flows from test_suites
 * (whose `project` is the path's project_id) through ON DELETE CASCADE, so deleting a project
 * removes everything under it in one statement.
 */
export const up = `
create table accounts (
  id bigserial primary key,
  name text not null unique,
  password_hash text not null,
  projects text[] not null default '{*}',
  created_at timestamptz not null default now()
);

create table access_keys (
  access_key text primary key,
  secret_key text not null,
  account_id bigint not null references accounts(id) on delete cascade,
  created_at timestamptz not null default now()
);

create table tokens (
  token_hash text primary key,
  account_id bigint not null references accounts(id) on delete cascade,
  scope_project text,
  expires_at timestamptz not null
);
create index tokens_expires on tokens(expires_at);

create table settings (
  key text primary key,
  value text not null
);

create table test_suites (
  id bigserial primary key,
  project text not null,
  name text not null,
  description text not null default '',
  doc jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index test_suites_project on test_suites(project, id);

create table directories (
  id bigserial primary key,
  test_suite_id bigint not null references test_suites(id) on delete cascade,
  parent_id bigint references directories(id) on delete cascade,
  name text not null,
  sort integer not null default 0,
  created_at timestamptz not null default now()
);

create table tasks (
  id bigserial primary key,
  test_suite_id bigint not null references test_suites(id) on delete cascade,
  name text not null,
  description text not null default '',
  parallel boolean not null default false,
  doc jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index tasks_suite on tasks(test_suite_id, id);

create table cases (
  id bigserial primary key,
  test_suite_id bigint not null references test_suites(id) on delete cascade,
  name text not null,
  status integer not null default 1,
  sort integer not null default 0,
  directory_id bigint,
  doc jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index cases_suite on cases(test_suite_id, id);

create table task_cases (
  task_id bigint not null references tasks(id) on delete cascade,
  case_id bigint not null references cases(id) on delete cascade,
  position integer not null default 0,
  primary key (task_id, case_id)
);
create index task_cases_case on task_cases(case_id);

create table variables (
  id bigserial primary key,
  test_suite_id bigint not null references test_suites(id) on delete cascade,
  name text not null,
  variable_type integer not null,
  doc jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index variables_suite on variables(test_suite_id, variable_type, id);

create table templates (
  id bigserial primary key,
  test_suite_id bigint not null references test_suites(id) on delete cascade,
  name text not null,
  temp_type integer not null default 0,
  description text not null default '',
  doc jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index templates_suite on templates(test_suite_id, id);
`;
