/**
 * Previewing a load plan, beyond the reference (docs/live.md):
 * `POST /v1/{project_id}/load-shape` with `{stages, increase_setting?}` answers the users or TPS
 * the engine's stage plan applies over time (packages/engine/src/pressure/load-shape.ts), at most
 * LOAD_SHAPE_MAX_POINTS points. Stages that cannot run are a 400 naming each field. Nothing is
 * stored; the project only scopes the credential.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { loadShape, planStages, type CaseProblem } from '@perftest/engine';
import { apiError, LoadShapeParams, LoadShapeRequest, LoadShapeResponse } from '@perftest/model';
import { success } from '../http/envelope.js';

/** The load-shape route. */
export const loadShapeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v1/:project_id/load-shape',
    {
      schema: {
        summary: 'Preview the users or TPS a case\'s stages apply over time',
        params: LoadShapeParams,
        body: LoadShapeRequest,
        response: { 200: LoadShapeResponse },
      },
    },
    async (request) => {
      const problems: CaseProblem[] = [];
      const plan = planStages(request.body, problems);
      if (plan === undefined) throw apiError('INVALID_CASE', { detail: problems.map((p) => p.message).join('; ') });
      return success(loadShape(plan));
    },
  );
};
