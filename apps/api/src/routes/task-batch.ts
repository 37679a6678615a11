/**
 * Batch start and stop (SDK operation batch_update_task_status):
 * `POST /v1/{p}/test-suites/{ts}/tasks/batch-update-task-status` with `status` 9 starts and 2 stops
 * every task of `task_id_list`, one after another in list order, each with the startTask / stopTask
 * of the single start/stop call (runs/task-runs.ts), and answers
 * `{code, message, extend: null, result: [{task_id, task_run_id}]}`. Every id is checked first,
 * before anything changes: each must be a task of the path's test suite (another
 * tenant's or an unknown id is a 404, a task of another suite a 400 naming `task_id_list[i]`), none
 * may be running for a start and each must be running for a stop (else a 409 naming it). The static
 * `batch-update-task-status` segment wins over `tasks/{task_id}` in the router.
 */
import { ApiError, apiError, BatchTaskCommand, BatchUpdateTaskStatusRequest, TestSuiteParams, type BatchTaskResult } from '@perftest/model';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { success } from '../http/envelope.js';
import { startTask, stopTask } from '../runs/task-runs.js';
import { batchTasks } from '../storage/task-batch.js';
import { requireTestSuite } from '../storage/test-suites.js';

/** `err` with the tasks this batch changed before it named, so the caller knows what happened. */
function withProgress(err: unknown, done: readonly BatchTaskResult[], verb: string): unknown {
  if (!(err instanceof ApiError) || done.length === 0) return err;
  const list = done.map((d) => `task ${d.task_id} (task_run_id ${d.task_run_id})`).join(', ');
  return new ApiError(err.kind, err.status, err.errorCode, `${err.message}; this batch ${verb} before it: ${list}`);
}

/** The batch start/stop route. */
export const taskBatchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v1/:project_id/test-suites/:test_suite_id/tasks/batch-update-task-status',
    { schema: { params: TestSuiteParams, body: BatchUpdateTaskStatusRequest } },
    async (request) => {
      const { project_id, test_suite_id } = request.params;
      const body = request.body;
      const start = body.status === BatchTaskCommand.Start;
      if (!start && body.status !== BatchTaskCommand.Stop) {
        throw apiError('INVALID_FIELD', { field: 'status', detail: `must be 9 (start) or 2 (stop), got ${body.status}` });
      }
      if (body.project_id !== undefined && body.project_id !== null && body.project_id !== 0 && body.project_id !== test_suite_id) {
        throw apiError('INVALID_FIELD', { field: 'project_id', detail: `${body.project_id} does not match the test_suite_id ${test_suite_id} of the path` });
      }
      await requireTestSuite(app.db, project_id, test_suite_id);
      const tasks = await batchTasks(app.db, project_id, body.task_id_list);
      body.task_id_list.forEach((id, i) => {
        const task = tasks.get(id);
        if (task === undefined) throw apiError('NOT_FOUND', { resource: 'task', id });
        if (task.test_suite_id !== test_suite_id) {
          throw apiError('INVALID_FIELD', {
            field: `task_id_list[${i}]`,
            detail: `task ${id} belongs to test suite ${task.test_suite_id}, not to test suite ${test_suite_id}`,
          });
        }
        if (start && task.run_id !== null) {
          throw apiError('CONFLICT', {
            detail: `task ${id} is already running as task_run_id ${task.run_id} (run_status ${task.run_status}): no task of the batch was started`,
          });
        }
        if (!start && task.run_id === null) {
          throw apiError('CONFLICT', { detail: `task ${id} is not running: nothing to stop; no task of the batch was stopped` });
        }
      });
      const result: BatchTaskResult[] = [];
      for (const taskId of body.task_id_list) {
        try {
          const taskRunId = start
            ? await startTask(app.db, app.runControl, project_id, test_suite_id, taskId, app.admission.admitStart)
            : await stopTask(app.db, app.runControl, project_id, test_suite_id, taskId);
          result.push({ task_id: taskId, task_run_id: taskRunId });
        } catch (err) {
          throw withProgress(err, result, start ? 'started' : 'stopped');
        }
      }
      return success({ extend: null, result });
    },
  );
};
