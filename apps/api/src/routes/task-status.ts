/**
 * Starting and stopping a task, reference 4.2.6: `POST /v1/{p}/test-suites/{ts}/tasks/{task_id}` with
 * `status` 9 (start; also when `status` is left out, as the reference's second example does) or 2
 * (stop). The resource-group fields (`cluster_id`, `cluster_type`, `network_info`, `without_package`,
 * `enterprise_project_id`) are accepted and ignored: the workers joined to the database run it.
 *
 * Answers `{code, message, extend: null, result: {task_run_id}}`. A start of a running task is a 409
 * naming the running task_run_id, a stop of a task that is not running a 409; a start whose case
 * cannot run is a 400 naming every problem (the attempt is recorded as a run ended in 3).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { apiError, ProjectId } from '@perftest/model';
import { success } from '../http/envelope.js';
import { startTask, stopTask } from '../runs/task-runs.js';

/** `status` values of the body. */
export const TaskStatusCommand = { Start: 9, Stop: 2 } as const;

/** Path of the endpoint. */
const TaskStatusParams = Type.Object({
  project_id: ProjectId,
  test_suite_id: Type.Integer({ minimum: 1 }),
  task_id: Type.Integer({ minimum: 1 }),
});

/** Body of the endpoint (UpdateTaskStatusRequestBody); other fields are accepted and ignored. */
const UpdateTaskStatusRequest = Type.Object({
  status: Type.Optional(Type.Integer()),
  cluster_id: Type.Optional(Type.Any()),
  cluster_type: Type.Optional(Type.Any()),
  without_package: Type.Optional(Type.Any()),
  network_info: Type.Optional(Type.Any()),
  enterprise_project_id: Type.Optional(Type.Any()),
});
type UpdateTaskStatusRequest = Static<typeof UpdateTaskStatusRequest>;

/** The start/stop route; the server's run control is poked after each change so dispatch does not wait for a poll. */
export const taskStatusRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v1/:project_id/test-suites/:test_suite_id/tasks/:task_id',
    { schema: { params: TaskStatusParams, body: UpdateTaskStatusRequest } },
    async (request) => {
      const { project_id, test_suite_id, task_id } = request.params;
      const status = (request.body as UpdateTaskStatusRequest | undefined)?.status ?? TaskStatusCommand.Start;
      let taskRunId: number;
      if (status === TaskStatusCommand.Start) {
        taskRunId = await startTask(app.db, app.runControl, project_id, test_suite_id, task_id, app.admission.admitStart);
      } else if (status === TaskStatusCommand.Stop) {
        taskRunId = await stopTask(app.db, app.runControl, project_id, test_suite_id, task_id);
      } else {
        throw apiError('INVALID_FIELD', { field: 'status', detail: `must be 9 (start) or 2 (stop), got ${status}` });
      }
      return success({ extend: null, result: { task_run_id: taskRunId } });
    },
  );
};
