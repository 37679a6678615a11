/**
 * Probe agents of full-link tests (SDK operations show_agent_config and update_agent_health_status;
 * models `show_agent_config_request_body.py`, `agent_config.py`, `mock_rule_config.py`,
 * `update_agent_health_status_request_body.py`, `update_agent_status_response_detail.py`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, ProjectId } from './common.js';

/** Longest address, version, alias and agent_id text accepted. */
export const AGENT_TEXT_MAX = 256;

const Text = Type.String({ maxLength: AGENT_TEXT_MAX });

/**
 * POST /v1/{project_id}/stress/agents: registers a probe agent (no `agent_id`) or updates the one
 * `agent_id` names (the id a registration answered, as text). `app_id` and `address` are required.
 */
export const ShowAgentConfigRequest = Type.Object({
  app_id: Type.Integer({ minimum: 0 }),
  address: Type.String({ minLength: 1, maxLength: AGENT_TEXT_MAX }),
  version: Type.Optional(Nullable(Text)),
  agent_id: Type.Optional(Nullable(Text)),
  alias: Type.Optional(Nullable(Text)),
});
export type ShowAgentConfigRequest = Static<typeof ShowAgentConfigRequest>;

/** Path naming one agent. */
export const AgentParams = Type.Object({
  project_id: ProjectId,
  agent_id: Type.Integer({ minimum: 1 }),
});
export type AgentParams = Static<typeof AgentParams>;

/**
 * PUT /v1/{project_id}/stress/agents/{agent_id}: a heartbeat. `update_time` is the `update_time` (ms
 * since the epoch) of the configuration the agent holds; 0 or left out asks for it.
 */
export const UpdateAgentHealthStatusRequest = Type.Object({
  update_time: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
});
export type UpdateAgentHealthStatusRequest = Static<typeof UpdateAgentHealthStatusRequest>;

/** One mock rule of an agent's configuration (MockRuleConfig). */
export const MockRuleConfig = Type.Object({
  service_type: Type.String(),
  request_url: Type.String(),
  request_method: Type.String(),
  redirect_url: Type.String(),
  mock_strategy: Type.String(),
  enable: Type.Boolean(),
  name: Type.String(),
  project_id: Type.String(),
  id: Type.Integer(),
  response_header: Type.Record(Type.String(), Type.String()),
  response_body: Type.String(),
  response_time: Type.Integer(),
  response_code: Type.Integer(),
});
export type MockRuleConfig = Static<typeof MockRuleConfig>;

/** What an agent is told to do (AgentConfig). */
export const AgentConfig = Type.Object({
  agent_id: Type.Integer(),
  main_switch: Type.Boolean(),
  db_enable: Type.Boolean(),
  db_shadow_repository: Type.String(),
  db_shadow_type: Type.String(),
  redis_enable: Type.Boolean(),
  redis_shadow_key_prefix: Type.String(),
  redis_shadow_repository: Type.String(),
  redis_shadow_type: Type.String(),
  kafka_enable: Type.Boolean(),
  kafka_shadow_topic_prefix: Type.String(),
  clickhouse_enable: Type.Boolean(),
  clickhouse_shadow_type: Type.String(),
  clickhouse_shadow_repository: Type.String(),
  pulsar_enable: Type.Boolean(),
  pulsar_shadow_topic_prefix: Type.String(),
  log_level: Type.String(),
  log_path: Type.String(),
  app_log_level: Type.String(),
  app_log_path: Type.String(),
  mock_rule_list: Type.Array(MockRuleConfig),
  extensions: Type.String(),
});
export type AgentConfig = Static<typeof AgentConfig>;

/** `status` a heartbeat answers while the agent's application is usable. */
export const AGENT_STATUS_NORMAL = 'NORMAL';

/** `result` of a heartbeat (UpdateAgentStatusResponseDetail); `result` is null when nothing changed. */
export const AgentHeartbeatResult = Type.Object({
  id: Type.Integer(),
  status: Type.String(),
  update_time: Type.Integer(),
  result: Nullable(AgentConfig),
});
export type AgentHeartbeatResult = Static<typeof AgentHeartbeatResult>;
