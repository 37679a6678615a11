/**
 * The public API calls the console makes, by resource (docs/api.md). Paths name the signed-in
 * project; bodies and answers are the reference's.
 */
import type { ReportResult } from '@perftest/report/web';
import type { DirectoryEntry } from '../app/case-tree.js';
import { del, get, post, project, put } from './client.js';

/** A test suite as the list answers it. */
export interface Suite {
  id: number;
  name: string;
  description: string;
}
/** A task of a task set. */
export interface TaskSummary {
  id: number;
  name: string;
  description: string;
  parallel: boolean;
  task_run_info: { id: number };
}
/** A case (CaseInfoDetail) as `taskInfo.case_list` holds it. */
export interface CaseDetail {
  case_id: number;
  name: string;
  contents: unknown[];
  setup_contents?: unknown[];
  stages: Stage[];
  increase_setting?: unknown[];
  [key: string]: unknown;
}
/** A stage of a case (TestCaseStage). */
export interface Stage {
  name?: string | null;
  operate_mode?: number | null;
  pressure_mode?: number | null;
  time?: number | null;
  issue_num?: number | null;
  tps_value?: number | null;
  count?: number | null;
  [key: string]: unknown;
}
/** A case run of the latest run (`related_temp_running_data`). */
export interface RelatedRun {
  related_temp_running_id: number;
  task_run_info_id: number;
  temp_id: number;
  temp_name: string;
  temp_running_status?: number;
  [key: string]: unknown;
}
/** `taskInfo`. */
export interface TaskInfo {
  id: number;
  name: string;
  description: string;
  project_id: number;
  parallel: boolean;
  case_list: CaseDetail[];
  related_temp_running_data: RelatedRun[];
  run_status: number;
}
/** One run in a task's history. */
export interface HistoryRun {
  run_id: number;
  name: string;
  start_time: string;
  end_time: string | null;
  continue_time: number;
  temp_names: Array<{ name: string }>;
}
/** One point of a load shape. */
export interface ShapePoint {
  t: number;
  stage: number;
  users: number | null;
  tps: number | null;
}
/** The load-shape answer. */
export interface LoadShape {
  /** Seconds of the plan; null when a stage runs by count. */
  duration: number | null;
  max_users?: number;
  points: ShapePoint[];
}
/** One request of a debug run. */
export interface DebugResult {
  name: string;
  url: string;
  header: Record<string, string>;
  body: string;
  statusCode: string;
  responseTime: number;
  returnHeader: Record<string, string>;
  returnBody: string;
  result: number;
  errorReason: string;
}
/** A case run of a task run: its id and case name. */
export interface CaseRunRef {
  caseRunId: number;
  name: string;
}

const p = () => `/v1/${project()}`;

export const api = {
  suites: async (): Promise<Suite[]> => (await get(`${p()}/test-suites?limit=1000`)).projects,
  createSuite: async (name: string): Promise<number> => (await post(`${p()}/test-suites`, { name, description: '' })).project_id,
  renameSuite: (id: number, name: string) => put(`${p()}/test-suites/${id}`, { name }),
  deleteSuite: (id: number) => del(`${p()}/test-suites/${id}`),

  /** The suite's case library: its directories and cases, flat, each with its parent (docs/api.md, "Directory"). */
  directory: async (suite: number): Promise<DirectoryEntry[]> => (await get(`${p()}/test-suites/${suite}/directory`)).directory,
  createDirectory: async (suite: number, name: string): Promise<number> => (await post(`${p()}/test-suites/${suite}/directory`, { name })).directory_id,
  /** A case of the library, whatever task it is in (GET /v2 test-cases). */
  libraryCase: async (id: number): Promise<CaseDetail> => (await get(`/v2/${project()}/test-cases/${id}`)).test_case,

  tasks: async (suite: number): Promise<TaskSummary[]> => (await get(`${p()}/all-tasks/${suite}?limit=1000`)).tasks,
  createTask: async (suite: number, name: string): Promise<number> => (await post(`${p()}/tasks`, { name, project_id: suite })).task_id,
  task: async (id: number): Promise<TaskInfo> => (await get(`${p()}/tasks/${id}`)).taskInfo,
  renameTask: (suite: number, id: number, name: string) => put(`${p()}/tasks/${id}`, { name, project_id: suite }),
  deleteTask: (id: number) => del(`${p()}/tasks/${id}`),
  startTask: async (suite: number, id: number): Promise<number> =>
    (await post(`${p()}/test-suites/${suite}/tasks/${id}`, { status: 9 })).result.task_run_id,
  stopTask: async (suite: number, id: number): Promise<number> =>
    (await post(`${p()}/test-suites/${suite}/tasks/${id}`, { status: 2 })).result.task_run_id,
  history: async (task: number): Promise<HistoryRun[]> => (await get(`${p()}/tasks/history-run-list/${task}`)).log_list,

  createCase: async (task: number, body: Record<string, unknown>): Promise<number> =>
    (await post(`${p()}/task-cases`, { type: 0, ...body, task_id: task })).json.task_case_id,
  renameCase: (id: number, name: string) => put(`${p()}/task-cases/${id}/target/name`, { name }),
  saveCase: (id: number, kase: Record<string, unknown>) => put(`${p()}/task-cases/${id}/target/case`, kase),
  saveStages: (id: number, stages: Stage[], increase_setting?: unknown[]) =>
    put(`${p()}/task-cases/${id}/target/stage`, increase_setting ? { stages, increase_setting } : { stages }),
  deleteCase: (id: number) => del(`${p()}/task-cases/${id}`),
  debugCase: async (suite: number, task: number, id: number): Promise<{ extend: string | null; result: DebugResult[] }> =>
    await post(`${p()}/test-suites/${suite}/tasks/${task}/cases/${id}/debug`, { status: 9, type: 1 }),

  loadShape: async (stages: Stage[], increase_setting?: unknown[]): Promise<LoadShape> =>
    await post(`${p()}/load-shape`, increase_setting && increase_setting.length > 0 ? { stages, increase_setting } : { stages }),

  report: async (taskRun: number, caseRun: number, limit = 3600): Promise<ReportResult> =>
    (await get(`${p()}/task-run-infos/${taskRun}/case-run-infos/${caseRun}/reports?brokens_limit_count=${limit}`)).result,

  /** The case runs of a task run (the v2 case list of a run; SDK show_merge_task_case). */
  caseRuns: async (taskRun: number): Promise<CaseRunRef[]> => {
    const body = await get(`/v2/${project()}/task-run-infos/${taskRun}/cases`);
    const list: any[] = body?.result?.case_aw_info_list ?? body?.case_aw_info_list ?? [];
    return list.map((c) => ({ caseRunId: Number(c.case_uri_i), name: String(c.case_name ?? c.name ?? `case run ${c.case_uri_i}`) }));
  },

  livePath: (taskRun: number) => `${p()}/task-run-infos/${taskRun}/live`,
};

/** The case runs of `taskRun`: from the task's latest run when it is that one, else the v2 list. */
export async function caseRunsOf(task: TaskInfo | null, taskRun: number): Promise<CaseRunRef[]> {
  const latest = task?.related_temp_running_data.filter((r) => r.task_run_info_id === taskRun) ?? [];
  if (latest.length > 0) return latest.map((r) => ({ caseRunId: r.related_temp_running_id, name: r.temp_name }));
  return api.caseRuns(taskRun);
}
