/**
 * Probe agents of full-link tests (SDK operations show_agent_config, update_agent_health_status;
 * apps/api/src/storage/agents.ts reads and writes them).
 *
 * agents — one row per registered probe agent of a tenant.
 *   project: the tenant's project_id; app_id: the full-link application it probes; address, version,
 *   alias: as the agent last registered them; config: the AgentConfig it is told to follow (switches,
 *   log levels, mock rules), config_updated_at: when that last changed (heartbeats answer the config
 *   when it changed after the time the agent holds); created_at; updated_at: last registration;
 *   last_seen_at: last registration or heartbeat.
 */
export const up = `
create table agents (
  id bigserial primary key,
  project text not null,
  app_id bigint not null,
  address text not null,
  version text not null default '',
  alias text not null default '',
  config jsonb not null default '{}',
  config_updated_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);
create index agents_project on agents(project, id);
`;
