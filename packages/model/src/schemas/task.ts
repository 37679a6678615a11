/**
 * Tasks, reference 4.2.1-4.2.5 and 4.2.7: the request bodies the routes validate and the shapes they
 * answer with. Keys are those of the official SDK models (`task.py`, `task_info.py`,
 * `create_task_request_body.py`, `update_task_request_body.py`, `update_new_task_request_body.py`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { CaseInfoDetail } from './case.js';
import { Nullable, ProjectId } from './common.js';

/** Path naming one task. */
export const TaskParams = Type.Object({
  project_id: ProjectId,
  task_id: Type.Integer({ minimum: 1 }),
});
export type TaskParams = Static<typeof TaskParams>;

/** Longest task name accepted. */
export const TASK_NAME_MAX = 256;
/** Most cases one task holds. */
export const TASK_CASES_MAX = 1000;

/** Task mode, legacy: 0 by duration, 1 by count, 2 both (what clients send). */
export const TaskOperateMode = Type.Integer({ minimum: 0, maximum: 2 });
/** Benchmark concurrency of the old edition: 0-2 000 000. */
export const BenchConcurrent = Type.Integer({ minimum: 0, maximum: 2_000_000 });

const TaskName = Type.String({ minLength: 1, maxLength: TASK_NAME_MAX });
const Description = Type.String({ maxLength: 4096 });
const SuiteId = Type.Integer({ minimum: 1 });

/** POST /v1/{project_id}/tasks. `project_id` is the test suite; `temps` is accepted and ignored. */
export const CreateTaskRequest = Type.Object({
  name: TaskName,
  project_id: SuiteId,
  temps: Type.Optional(Nullable(Type.Array(Type.Any()))),
  operate_mode: Type.Optional(Nullable(TaskOperateMode)),
  bench_concurrent: Type.Optional(Nullable(BenchConcurrent)),
  description: Type.Optional(Nullable(Description)),
  parallel: Type.Optional(Nullable(Type.Boolean())),
});
export type CreateTaskRequest = Static<typeof CreateTaskRequest>;

/** `task_run_info` of a task: its latest run (0 when never run). */
export const TaskRunInfo = Type.Object({
  id: Type.Optional(Nullable(Type.Integer())),
  run_type: Type.Optional(Nullable(Type.Integer())),
});
export type TaskRunInfo = Static<typeof TaskRunInfo>;

/**
 * PUT /v1/{project_id}/tasks/{task_id}. Run state (`run_status`, `run_type`, `task_run_info`,
 * `related_temp_running_data`) belongs to the server and is ignored. A non-empty `case_list` updates
 * the listed cases of the task and puts them first, in that order.
 */
export const UpdateTaskRequest = Type.Object({
  id: Type.Optional(Nullable(Type.Integer())),
  name: TaskName,
  description: Type.Optional(Nullable(Description)),
  project_id: SuiteId,
  run_status: Type.Optional(Nullable(Type.Integer())),
  run_type: Type.Optional(Nullable(Type.Integer())),
  task_run_info: Type.Optional(Nullable(TaskRunInfo)),
  case_list: Type.Optional(Nullable(Type.Array(CaseInfoDetail, { maxItems: TASK_CASES_MAX }))),
  operate_mode: Type.Optional(Nullable(TaskOperateMode)),
  bench_concurrent: Type.Optional(Nullable(BenchConcurrent)),
  parallel: Type.Optional(Nullable(Type.Boolean())),
  related_temp_running_data: Type.Optional(Nullable(Type.Array(Type.Any()))),
});
export type UpdateTaskRequest = Static<typeof UpdateTaskRequest>;

/** PUT /v3/{project_id}/tasks/{task_id}: renames the task and sets its cases, in order. */
export const UpdateTaskCasesRequest = Type.Object({
  name: TaskName,
  parallel: Type.Boolean(),
  project_id: SuiteId,
  operate_mode: TaskOperateMode,
  case_id_list: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: TASK_CASES_MAX, uniqueItems: true }),
});
export type UpdateTaskCasesRequest = Static<typeof UpdateTaskCasesRequest>;

/** One task of a task set (GET /v1/{project_id}/all-tasks/{test_suite_id}). */
export const TaskSummary = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  bench_concurrent: Type.Integer(),
  operate_mode: Type.Integer(),
  parallel: Type.Boolean(),
  task_run_info: TaskRunInfo,
  update_time: Type.String(),
});
export type TaskSummary = Static<typeof TaskSummary>;

/** Brief data of one request of a case run (TempRunningData). */
export const TempRunningData = Type.Object({
  content_method_url: Type.Array(Type.String()),
  crawler_status: Type.Integer(),
  related_temp_running_id: Type.Integer(),
  task_run_info_id: Type.Integer(),
  temp_id: Type.Integer(),
  temp_name: Type.String(),
  temp_running_status: Type.Integer(),
});
export type TempRunningData = Static<typeof TempRunningData>;

/**
 * One case run of the task's latest run: `task_run_info_id` is the task run id and
 * `related_temp_running_id` the case run id a report is read with.
 */
export const RelatedTempRunningData = Type.Object({
  task_run_info_id: Type.Integer(),
  related_temp_running_id: Type.Integer(),
  temp_id: Type.Integer(),
  temp_name: Type.String(),
  content_method_url: Type.Optional(Type.Array(Type.String())),
  crawler_status: Type.Optional(Type.Integer()),
  temp_running_status: Type.Optional(Type.Integer()),
  related_temp_running_data: Type.Optional(Type.Array(TempRunningData)),
});
export type RelatedTempRunningData = Static<typeof RelatedTempRunningData>;

/** A task with its cases and latest run (`taskInfo`). `project_id` is the test suite id. */
export const TaskInfo = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  project_id: Type.Integer(),
  parallel: Type.Boolean(),
  bench_concurrent: Type.Integer(),
  operate_mode: Type.Integer(),
  case_list: Type.Array(CaseInfoDetail),
  related_temp_running_data: Type.Array(RelatedTempRunningData),
  run_status: Type.Integer(),
  /** Extra key: where the latest run stands in the run queue while it is queued (1: next), else absent. */
  queue_position: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Extra key: why the queued latest run waits (runs at once, capacity left, an earlier queued run), else absent. */
  queue_reason: Type.Optional(Type.String()),
  create_time: Type.String(),
  update_time: Type.String(),
});
export type TaskInfo = Static<typeof TaskInfo>;
