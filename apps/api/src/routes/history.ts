/**
 * The offline report list of a task, reference 4.6.2: `GET /v1/{p}/tasks/history-run-list/{task_id}`
 * answers `{code, message, log_list[]}`, every run of the task newest first, with the keys of the
 * SDK's HistoryRunInfo: `name` (`<task name at start>_<start time>`), `run_id` (the task_run_id, the
 * report id), `run_type`, `start_time` (stage 0 of its first case, else the start call), `end_time`
 * (null while it runs), `continue_time` (whole seconds from start to end, or to now while running),
 * `temp_names` (its cases in order, `[{name}]`) and `parallel`; and three keys of this server, which
 * the SDKs ignore: `reason` (why the run ended in 3, else null), `interruptions` (shares of its
 * case runs that lost their worker, with `case_run_id`; docs/run-lifecycle.md, "Takeover") and
 * `dropped_starts` (TPS starts its case runs dropped; docs/reports.md, "Dropped starts"). The
 * static `history-run-list` segment wins over `/v1/{p}/tasks/{task_id}` in the router.
 */
import { ProjectId, type Interruption } from '@perftest/model';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { success } from '../http/envelope.js';
import { isoTime } from '../http/time.js';
import { taskRunHistory, type TaskRunHistoryRow } from '../storage/reports.js';

/** Path of the history endpoint. */
export const HistoryParams = Type.Object({
  project_id: ProjectId,
  task_id: Type.Integer({ minimum: 1 }),
});

/** One entry of `log_list`. */
export interface HistoryRunInfo {
  name: string;
  run_id: number;
  run_type: number;
  start_time: string;
  end_time: string | null;
  continue_time: number;
  temp_names: Array<{ name: string }>;
  parallel: boolean;
  reason: string | null;
  interruptions: HistoryInterruption[];
  /** Extra key: TPS starts its case runs dropped (docs/reports.md, "Dropped starts"). */
  dropped_starts: number;
}

/** An entry of `interruptions`: a share of one of the run's case runs lost its worker. */
export type HistoryInterruption = Interruption & { case_run_id: number };

/** A stored run as history shows it, `now` being the time of the request. */
export function historyRunInfo(row: TaskRunHistoryRow, now: number): HistoryRunInfo {
  const start = row.started_at ?? row.created_at;
  const end = row.ended_at;
  const until = end === null ? now : end.getTime();
  return {
    name: `${row.name}_${isoTime(start)}`,
    run_id: row.id,
    run_type: row.run_type,
    start_time: isoTime(start),
    end_time: isoTime(end),
    continue_time: Math.max(0, Math.round((until - start.getTime()) / 1000)),
    temp_names: row.case_names.map((name) => ({ name })),
    parallel: row.parallel,
    reason: row.reason,
    interruptions: row.interruptions.map((i) => ({ ...i, case_run_id: Number(i.case_run_id), from: isoTime(i.from), to: isoTime(i.to) })),
    dropped_starts: Number(row.dropped_starts ?? 0),
  };
}

/** The history route. */
export const historyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/:project_id/tasks/history-run-list/:task_id', { schema: { params: HistoryParams } }, async (request) => {
    const rows = await taskRunHistory(app.db, request.params.project_id, request.params.task_id);
    const now = Date.now();
    return success({ log_list: rows.map((row) => historyRunInfo(row, now)) });
  });
};
