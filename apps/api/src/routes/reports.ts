/**
 * Querying a report, reference 4.6.1:
 * `GET /v1/{p}/task-run-infos/{task_run_id}/case-run-infos/{case_run_id}/reports?brokens_limit_count=N`
 * answers `{code, message, extend: null, result: {brokens, details, outline, rtproportion, taskInfo,
 * respTimeRange}}` built from the case run's intervals (every share, every worker), live while it
 * runs. `brokens_limit_count` caps the curve points (default DEFAULT_BROKENS_LIMIT); the card rows
 * (`details.data[0].detailDatas`) come a page at a time: `details_page` (1-based, default 1) of
 * `details_page_size` rows (default and most MAX_DETAIL_ROWS). A case run that is not in that task
 * run, or a task run of another tenant, is a 404.
 */
import { ProjectId } from '@perftest/model';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { success } from '../http/envelope.js';
import { buildReport } from '../reports/build-report.js';
import { DEFAULT_BROKENS_LIMIT } from '../reports/brokens.js';
import { MAX_DETAIL_ROWS } from '../reports/details.js';
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
  details_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  details_page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DETAIL_ROWS })),
});

/** The report route; it folds through the server's report cache, shared with the merged reports. */
export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const cache = app.reportCache;
  app.get(
    '/v1/:project_id/task-run-infos/:task_run_id/case-run-infos/:case_run_id/reports',
    { schema: { params: ReportParams, querystring: ReportQuery } },
    async (request) => {
      const { project_id, task_run_id, case_run_id } = request.params;
      const meta = await requireReportMeta(app.db, project_id, task_run_id, case_run_id);
      const acc = await cache.current(meta.caseRunId);
      const limit = request.query.brokens_limit_count ?? DEFAULT_BROKENS_LIMIT;
      const page = { index: request.query.details_page ?? 1, size: request.query.details_page_size ?? MAX_DETAIL_ROWS };
      return success({ extend: null, result: buildReport(meta, acc, limit, page) });
    },
  );
};
