/**
 * The merged (v2) reports of a task run (SDK operations show_merge_task_case,
 * show_merge_report_logs_outline, show_merge_case_detail, show_task_case_aw_chart), answered as
 * `{code, message, extend: null, result}`. Their figures come from the same accumulation of the
 * same interval rows as the v1 report (ReportCache, buildReport) and agree with it; see
 * docs/api.md, "Merged reports". A task run or case run of another tenant is a 404.
 */
import { apiError, CaseRunParams, ChartParams, TaskRunParams } from '@perftest/model';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { success } from '../http/envelope.js';
import { DEFAULT_BROKENS_LIMIT } from '../reports/brokens.js';
import { buildReport } from '../reports/build-report.js';
import { caseAwInfo } from '../reports/merged/case-aw-info.js';
import { mergedCaseDetail } from '../reports/merged/case-detail.js';
import { cardChart, caseChart } from '../reports/merged/chart.js';
import { chartTarget, requestKeys } from '../reports/merged/ids.js';
import { mergedOutline, type CaseRunPart } from '../reports/merged/outline.js';
import type { ReportMeta } from '../reports/report-meta.js';
import { droppedStartsOf } from '../storage/dropped-starts.js';
import { requireMergedTaskRun } from '../storage/merged-reports.js';
import { requireReportMeta } from '../storage/reports.js';

/** The merged-report routes; they fold through the server's report cache, shared with the v1 report. */
export const mergedReportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const cache = app.reportCache;
  const part = async (meta: ReportMeta, brokensLimit = 1): Promise<CaseRunPart> => {
    const acc = await cache.current(meta.caseRunId);
    return { meta, acc, report: buildReport(meta, acc, brokensLimit) };
  };

  app.get('/v2/:project_id/task-run-infos/:task_run_id/cases', { schema: { params: TaskRunParams } }, async (request) => {
    const run = await requireMergedTaskRun(app.db, request.params.project_id, request.params.task_run_id);
    const dropped = await droppedStartsOf(app.db, run.caseRuns.map((meta) => meta.caseRunId));
    const list = run.caseRuns.map((meta) => caseAwInfo(meta, dropped.get(meta.caseRunId) ?? 0));
    return success({ extend: null, result: { case_aw_info_list: list, err_message: '' } });
  });

  app.get('/v2/:project_id/task-run-infos/:task_run_id/reports/log-outline', { schema: { params: TaskRunParams } }, async (request) => {
    const run = await requireMergedTaskRun(app.db, request.params.project_id, request.params.task_run_id);
    const parts: CaseRunPart[] = [];
    for (const meta of run.caseRuns) parts.push(await part(meta));
    return success({ extend: null, result: mergedOutline(run, parts) });
  });

  app.get(
    '/v2/:project_id/task-run-infos/:task_run_id/case-run-infos/:case_run_id/detail',
    { schema: { params: CaseRunParams } },
    async (request) => {
      const { project_id, task_run_id, case_run_id } = request.params;
      const { meta, acc, report } = await part(await requireReportMeta(app.db, project_id, task_run_id, case_run_id));
      return success({ extend: null, result: mergedCaseDetail(meta, acc, report) });
    },
  );

  app.get(
    '/v2/:project_id/task-run-infos/:task_run_id/case-run-infos/:case_run_id/detail/:detail_id/chart',
    { schema: { params: ChartParams } },
    async (request) => {
      const { project_id, task_run_id, case_run_id, detail_id } = request.params;
      const meta = await requireReportMeta(app.db, project_id, task_run_id, case_run_id);
      const acc = await cache.current(meta.caseRunId);
      const target = chartTarget(meta, detail_id, requestKeys(meta, acc.cards.keys()));
      if (target === undefined) throw apiError('NOT_FOUND', { resource: 'detail', id: `${detail_id} of case run ${case_run_id}` });
      const result = target === null ? caseChart(buildReport(meta, acc, DEFAULT_BROKENS_LIMIT)) : cardChart(acc, target, DEFAULT_BROKENS_LIMIT);
      return success({ extend: null, result });
    },
  );
};
