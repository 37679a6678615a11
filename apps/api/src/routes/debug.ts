/**
 * Debugging a case, reference 4.3.4:
 * `POST /v1/{p}/test-suites/{ts}/tasks/{task_id}/cases/{case_id}/debug` with `status` 9 runs a case
 * (`type` 1) or a transaction (`type` 0, the reference's default; then `case_id` names the
 * transaction) once with one user, synchronously, and answers `{code, message, extend, result[]}`
 * with one DebugCaseResult per request (debug-result.ts). `task_id` may be 0 (no task, as in the
 * reference's example). The resource-group fields are accepted and ignored. An invalid case is a
 * 400 listing every problem; a run cut at DEBUG_TIMEOUT_MS returns the requests so far and says so
 * in `extend`.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { apiError, ProjectId } from '@perftest/model';
import { describeProblems } from '@perftest/runner';
import { success } from '../http/envelope.js';
import { debugCaseResult } from '../debug/debug-result.js';
import { DEBUG_TIMEOUT_MS, runDebug } from '../debug/debug-run.js';
import { debugInput, DebugTarget } from '../storage/reports.js';

/** `status` that starts a debug run. */
export const DEBUG_START = 9;

/** Path of the debug endpoint. */
export const DebugParams = Type.Object({
  project_id: ProjectId,
  test_suite_id: Type.Integer({ minimum: 1 }),
  task_id: Type.Integer({ minimum: 0 }),
  case_id: Type.Integer({ minimum: 1 }),
});

/** Body of the debug endpoint (DebugCaseRequestBody); other fields are accepted and ignored. */
export const DebugCaseRequest = Type.Object({
  status: Type.Optional(Type.Integer()),
  type: Type.Optional(Type.Union([Type.Literal(DebugTarget.Transaction), Type.Literal(DebugTarget.Case), Type.Null()])),
  cluster_id: Type.Optional(Type.Any()),
  cluster_type: Type.Optional(Type.Any()),
  without_package: Type.Optional(Type.Any()),
});
type DebugCaseRequest = Static<typeof DebugCaseRequest>;

/** The debug route. */
export const debugRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v1/:project_id/test-suites/:test_suite_id/tasks/:task_id/cases/:case_id/debug',
    { schema: { params: DebugParams, body: DebugCaseRequest } },
    async (request) => {
      const { project_id, test_suite_id, task_id, case_id } = request.params;
      const body = (request.body as DebugCaseRequest | undefined) ?? {};
      if (body.status !== undefined && body.status !== DEBUG_START) {
        throw apiError('INVALID_FIELD', { field: 'status', detail: `must be ${DEBUG_START} (start debugging), got ${body.status}` });
      }
      const type = body.type ?? DebugTarget.Transaction;
      const input = await debugInput(app.db, project_id, test_suite_id, task_id, case_id, type);
      const outcome = await runDebug(input, DEBUG_TIMEOUT_MS, app.targetPolicy());
      if (!outcome.ok) throw apiError('INVALID_CASE', { detail: describeProblems(outcome.problems) });
      const extend = outcome.timedOut ? `debug run stopped after ${DEBUG_TIMEOUT_MS / 1000} s; the requests so far are listed` : null;
      return success({ extend, result: outcome.requests.map(debugCaseResult) });
    },
  );
};
