/**
 * Querying a report, reference 4.6.1:
 * `GET /v1/{p}/task-run-infos/{task_run_id}/case-run-infos/{case_run_id}/reports?brokens_limit_count=N`
 * answers `{code, message, extend: null, result: {brokens, details, outline, rtproportion, taskInfo,
 * respTimeRange}}` built from the case run's intervals (every share, every worker), live while it
 * runs. `brokens_limit_count` caps the curve points (default DEFAULT_BROKENS_LIMIT). A case run that
 * is not in that task run, or a task run of another tenant, is a 404.
 */
import { ProjectId } from '@perftest/model';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { success } from '../http/envelope.js';
import { buildReport } from '../reports/build-report.js';
import { DEFAULT_BROKENS_LIMIT } from '../reports/brokens.js';
import { ReportCache } from '../reports/report-cache.js';
import { requireReportMeta } from '../storage/reports.js';

/** Path of the report endpoint. */
export const ReportParams = Type.Object({
  project_id: ProjectId,
  task_run_id: Type.Integer({ minimum: 1 }),
  case_run_id: Type.Integer({ minimum: 1 }),
});

/** Query of the report endpoint. */
export const ReportQuery = Type.Object({
  brokens_limit_count: Type.Optional(Type.Integer({ minimum: 1 })),
});

/** The report route; its cache of folded intervals lives as long as the server. */
export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const cache = new ReportCache(app.db);
  app.get(
    '/v1/:project_id/task-run-infos/:task_run_id/case-run-infos/:case_run_id/reports',
    { schema: { params: ReportParams, querystring: ReportQuery } },
    async (request) => {
      const { project_id, task_run_id, case_run_id } = request.params;
      const meta = await requireReportMeta(app.db, project_id, task_run_id, case_run_id);
      const acc = await cache.current(meta.caseRunId, meta.cards.map((c) => c.key));
      const limit = request.query.brokens_limit_count ?? DEFAULT_BROKENS_LIMIT;
      return success({ extend: null, result: buildReport(meta, acc, limit) });
    },
  );
};
