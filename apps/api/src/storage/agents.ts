/**
 * Storage of probe agents (migration 010), scoped by the tenant's project_id. An agent keeps the
 * configuration it is told to follow (AgentConfig without its id) and when that last changed.
 */
import { apiError, type AgentConfig } from '@perftest/model';
import { json, type Queryable } from '@perftest/store';

/** The configuration an agent is told to follow, as stored (its id is the row's). */
export type StoredAgentConfig = Omit<AgentConfig, 'agent_id'>;

/** What a new agent is told: every shadow and mock switch off, logs at INFO, no mock rules. */
export const DEFAULT_AGENT_CONFIG: Readonly<StoredAgentConfig> = Object.freeze({
  main_switch: false,
  db_enable: false,
  db_shadow_repository: '',
  db_shadow_type: '',
  redis_enable: false,
  redis_shadow_key_prefix: '',
  redis_shadow_repository: '',
  redis_shadow_type: '',
  kafka_enable: false,
  kafka_shadow_topic_prefix: '',
  clickhouse_enable: false,
  clickhouse_shadow_type: '',
  clickhouse_shadow_repository: '',
  pulsar_enable: false,
  pulsar_shadow_topic_prefix: '',
  log_level: 'INFO',
  log_path: '',
  app_log_level: 'INFO',
  app_log_path: '',
  mock_rule_list: [],
  extensions: '',
});

/** A stored agent. */
export interface AgentRow {
  id: number;
  project: string;
  app_id: number;
  address: string;
  version: string;
  alias: string;
  config: Partial<StoredAgentConfig>;
  config_updated_at: Date;
  created_at: Date;
  updated_at: Date;
  last_seen_at: Date;
}

/** What a registration sets. */
export interface AgentFields {
  app_id: number;
  address: string;
  version: string;
  alias: string;
}

/** Registers a new agent of tenant `project` with the default configuration. */
export async function insertAgent(db: Queryable, project: string, fields: AgentFields): Promise<AgentRow> {
  const [row] = await db.query<AgentRow>(
    `insert into agents(project, app_id, address, version, alias, config)
     values ($1, $2, $3, $4, $5, $6::jsonb) returning *`,
    [project, fields.app_id, fields.address, fields.version, fields.alias, json(DEFAULT_AGENT_CONFIG)],
  );
  return row;
}

/** Registers agent `id` of tenant `project` again with `fields` (its configuration stays), or a 404. */
export async function reregisterAgent(db: Queryable, project: string, id: number, fields: AgentFields): Promise<AgentRow> {
  const [row] = await db.query<AgentRow>(
    `update agents set app_id = $3, address = $4, version = $5, alias = $6, updated_at = now(), last_seen_at = now()
      where id = $1 and project = $2 returning *`,
    [id, project, fields.app_id, fields.address, fields.version, fields.alias],
  );
  if (!row) throw apiError('NOT_FOUND', { resource: 'agent', id });
  return row;
}

/** Records a heartbeat of agent `id` of tenant `project`, or a 404. */
export async function touchAgent(db: Queryable, project: string, id: number): Promise<AgentRow> {
  const [row] = await db.query<AgentRow>('update agents set last_seen_at = now() where id = $1 and project = $2 returning *', [id, project]);
  if (!row) throw apiError('NOT_FOUND', { resource: 'agent', id });
  return row;
}
