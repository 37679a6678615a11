/**
 * Tasks of the new edition (SDK operations create_new_task, delete_new_task, list_task_cases,
 * batch_update_task_status; models `new_task_info.py`, `batch_update_task_status_request_body.py`,
 * `test_case_brief_info.py`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, ProjectId } from './common.js';
import { TASK_CASES_MAX, TASK_NAME_MAX, TaskOperateMode } from './task.js';

/** Most tasks one batch start or stop names. */
export const BATCH_TASKS_MAX = 100;

/**
 * POST /v3/{project_id}/tasks (NewTaskInfo): `name` and `project_id` (the test suite) are required;
 * `case_id_list` (default empty) names cases of that suite, in task order; `parallel` defaults to
 * false, `operate_mode` to 2; `enable_full_link` is stored.
 */
export const CreateNewTaskRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: TASK_NAME_MAX }),
  project_id: Type.Integer({ minimum: 1 }),
  parallel: Type.Optional(Nullable(Type.Boolean())),
  enable_full_link: Type.Optional(Nullable(Type.Boolean())),
  operate_mode: Type.Optional(Nullable(TaskOperateMode)),
  case_id_list: Type.Optional(Nullable(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: TASK_CASES_MAX, uniqueItems: true }))),
});
export type CreateNewTaskRequest = Static<typeof CreateNewTaskRequest>;

/** Path naming a task within its test suite. */
export const SuiteTaskParams = Type.Object({
  project_id: ProjectId,
  test_suite_id: Type.Integer({ minimum: 1 }),
  task_id: Type.Integer({ minimum: 1 }),
});
export type SuiteTaskParams = Static<typeof SuiteTaskParams>;

/** `status` of a batch: start (9) or stop (2). */
export const BatchTaskCommand = { Start: 9, Stop: 2 } as const;

/**
 * POST /v1/{project_id}/test-suites/{test_suite_id}/tasks/batch-update-task-status: `status` 9 starts,
 * 2 stops, every task of `task_id_list` (each once, each a task of the path's test suite). A body
 * `project_id` other than 0 must be that test suite. `type` (0 old-, 1 new-edition task) and the
 * resource-group fields are accepted and ignored.
 */
export const BatchUpdateTaskStatusRequest = Type.Object({
  task_id_list: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: BATCH_TASKS_MAX, uniqueItems: true }),
  status: Type.Integer(),
  project_id: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  type: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1 }))),
  cluster_id: Type.Optional(Type.Any()),
  cluster_type: Type.Optional(Type.Any()),
  without_package: Type.Optional(Type.Any()),
  network_info: Type.Optional(Type.Any()),
  enterprise_project_id: Type.Optional(Type.Any()),
});
export type BatchUpdateTaskStatusRequest = Static<typeof BatchUpdateTaskStatusRequest>;

/** One entry of a batch's `result`: the task and the run the call started or stopped. */
export const BatchTaskResult = Type.Object({
  task_id: Type.Integer(),
  task_run_id: Type.Integer(),
});
export type BatchTaskResult = Static<typeof BatchTaskResult>;
