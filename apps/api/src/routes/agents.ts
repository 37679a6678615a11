/**
 * Probe agents of full-link tests (SDK operations show_agent_config, update_agent_health_status):
 * `POST /v1/{p}/stress/agents` registers an agent (or, with `agent_id`, updates the one it names) and
 * answers its configuration; `PUT /v1/{p}/stress/agents/{agent_id}` is a heartbeat that records the
 * agent as seen and answers the configuration again when it changed after the `update_time` the
 * agent holds. See docs/api.md, "Probe agents".
 */
import {
  AGENT_STATUS_NORMAL,
  AgentParams,
  apiError,
  ProjectParams,
  ShowAgentConfigRequest,
  UpdateAgentHealthStatusRequest,
  type AgentConfig,
  type AgentHeartbeatResult,
} from '@perftest/model';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { success } from '../http/envelope.js';
import { DEFAULT_AGENT_CONFIG, insertAgent, reregisterAgent, touchAgent, type AgentRow } from '../storage/agents.js';

/** An agent's configuration on the wire: the defaults, what is stored over them, and its id. */
function agentConfig(row: AgentRow): AgentConfig {
  return { ...DEFAULT_AGENT_CONFIG, ...row.config, agent_id: row.id };
}

/** When an agent's configuration last changed, in ms since the epoch (heartbeats compare it). */
function configTime(row: AgentRow): number {
  return Math.floor(row.config_updated_at.getTime());
}

/** The agent id a registration names: a whole number, else nothing of the tenant's (404). */
function namedAgent(text: string): number {
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1) throw apiError('NOT_FOUND', { resource: 'agent', id: text });
  return Number(text);
}

/** The probe-agent routes. */
export const agentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/:project_id/stress/agents', { schema: { params: ProjectParams, body: ShowAgentConfigRequest } }, async (request) => {
    const body = request.body;
    const fields = { app_id: body.app_id, address: body.address, version: body.version ?? '', alias: body.alias ?? '' };
    const named = body.agent_id ?? '';
    const row =
      named === ''
        ? await insertAgent(app.db, request.params.project_id, fields)
        : await reregisterAgent(app.db, request.params.project_id, namedAgent(named), fields);
    return success({ extend: null, result: agentConfig(row) });
  });

  app.put(
    '/v1/:project_id/stress/agents/:agent_id',
    {
      schema: { params: AgentParams, body: UpdateAgentHealthStatusRequest },
      // A heartbeat may come with no body at all: that is `{}` (it asks for the configuration).
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const row = await touchAgent(app.db, request.params.project_id, request.params.agent_id);
      const held = request.body.update_time ?? 0;
      const changed = configTime(row);
      const result: AgentHeartbeatResult = {
        id: row.app_id,
        status: AGENT_STATUS_NORMAL,
        update_time: changed,
        result: changed > held ? agentConfig(row) : null,
      };
      return success({ extend: null, result });
    },
  );
};
