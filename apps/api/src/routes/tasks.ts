/**
 * Tasks of the old edition, reference 4.2.1-4.2.5: task set, read, modify, delete, create.
 * `task_id` is an integer parameter; static siblings such as `tasks/history-run-list/{id}` win over it.
 */
import {
  apiError,
  CreateTaskRequest,
  PageQuery,
  ProjectParams,
  TaskParams,
  TestSuiteParams,
  UpdateTaskRequest,
} from '@perftest/model';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { page, sendJsonText, success } from '../http/envelope.js';
import { taskRunStates } from '../storage/related-running.js';
import { createTask, deleteTask, listTasks, requireTask, requireTaskView, updateTask } from '../storage/tasks.js';
import { requireTestSuite } from '../storage/test-suites.js';
import { applyCaseList } from './task-case-list.js';
import {
  DEFAULT_BENCH_CONCURRENT,
  DEFAULT_TASK_OPERATE_MODE,
  requireOwnSuite,
  taskInfoJson,
  taskSummary,
} from './task-info.js';

/** The old-edition task routes. */
export const taskRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/:project_id/all-tasks/:test_suite_id',
    { schema: { params: TestSuiteParams, querystring: PageQuery } },
    async (request) => {
      const { project_id, test_suite_id } = request.params;
      await requireTestSuite(app.db, project_id, test_suite_id);
      const { offset, limit } = page(request.query);
      const tasks = await listTasks(app.db, test_suite_id, offset, limit);
      const states = await taskRunStates(app.db, tasks.map((t) => t.id));
      return success({ extend: [] as string[], tasks: tasks.map((t) => taskSummary(t, states.get(t.id))) });
    },
  );

  app.post('/v1/:project_id/tasks', { schema: { params: ProjectParams, body: CreateTaskRequest } }, async (request, reply) => {
    const body = request.body;
    await requireTestSuite(app.db, request.params.project_id, body.project_id);
    const id = await createTask(app.db, body.project_id, {
      name: body.name,
      description: body.description ?? '',
      parallel: body.parallel ?? false,
      doc: {
        operate_mode: body.operate_mode ?? DEFAULT_TASK_OPERATE_MODE,
        bench_concurrent: body.bench_concurrent ?? DEFAULT_BENCH_CONCURRENT,
      },
    });
    void reply.status(201);
    return success({ task_id: id });
  });

  app.get('/v1/:project_id/tasks/:task_id', { schema: { params: TaskParams } }, async (request, reply) => {
    return sendJsonText(reply, await taskInfoJson(await requireTaskView(app.db, request.params.project_id, request.params.task_id), app.caseJson));
  });

  app.put('/v1/:project_id/tasks/:task_id', { schema: { params: TaskParams, body: UpdateTaskRequest } }, async (request, reply) => {
    const { project_id, task_id } = request.params;
    const body = request.body;
    if (body.id !== undefined && body.id !== null && body.id !== task_id) {
      throw apiError('INVALID_FIELD', { field: 'id', detail: `${body.id} does not match the task_id ${task_id} of the path` });
    }
    await app.db.transaction(async (tx) => {
      const task = await requireTask(tx, project_id, task_id, true);
      await requireOwnSuite(tx, project_id, task, body.project_id);
      if (body.case_list && body.case_list.length > 0) await applyCaseList(tx, project_id, task, body.case_list, (doc, name) => app.admission.checkCase(doc, name));
      await updateTask(tx, task.id, {
        name: body.name,
        description: body.description ?? task.description,
        parallel: body.parallel ?? task.parallel,
        doc: {
          ...task.doc,
          operate_mode: body.operate_mode ?? task.doc.operate_mode,
          bench_concurrent: body.bench_concurrent ?? task.doc.bench_concurrent,
        },
      });
    });
    return sendJsonText(reply, await taskInfoJson(await requireTaskView(app.db, project_id, task_id), app.caseJson));
  });

  app.delete('/v1/:project_id/tasks/:task_id', { schema: { params: TaskParams } }, async (request, reply) => {
    await deleteTask(app.db, request.params.project_id, request.params.task_id);
    void reply.status(204);
  });
};
