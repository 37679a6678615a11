/**
 * Tasks of the new edition: create with a case list (SDK create_new_task), set a task's name and case
 * list (PUT /v3/{p}/tasks/{task_id}, reference 4.2.7), delete (delete_new_task, as the v1 delete), and
 * the case list of a task (list_task_cases, `GET /v1/{p}/test-suites/{ts}/tasks/{task_id}/test-cases`).
 */
import { apiError, CreateNewTaskRequest, ProjectParams, SuiteTaskParams, TaskParams, UpdateTaskCasesRequest } from '@perftest/model';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sendJsonText, success } from '../http/envelope.js';
import { taskCaseEntries } from '../storage/directory.js';
import { createTask, deleteTask, requireTask, updateTask } from '../storage/tasks.js';
import { requireTestSuite } from '../storage/test-suites.js';
import { projectDirectory } from './directory.js';
import { setCaseIdList } from './task-case-list.js';
import { taskInfoAnswer, DEFAULT_BENCH_CONCURRENT, DEFAULT_TASK_OPERATE_MODE, requireOwnSuite } from './task-info.js';

/** The new-edition task routes. */
export const taskV3Routes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v3/:project_id/tasks', { schema: { params: ProjectParams, body: CreateNewTaskRequest } }, async (request, reply) => {
    const { project_id } = request.params;
    const body = request.body;
    const id = await app.db.transaction(async (tx) => {
      await requireTestSuite(tx, project_id, body.project_id);
      const taskId = await createTask(tx, body.project_id, {
        name: body.name,
        description: '',
        parallel: body.parallel ?? false,
        doc: {
          operate_mode: body.operate_mode ?? DEFAULT_TASK_OPERATE_MODE,
          bench_concurrent: DEFAULT_BENCH_CONCURRENT,
          enable_full_link: body.enable_full_link ?? false,
        },
      });
      const caseIds = body.case_id_list ?? [];
      if (caseIds.length > 0) await setCaseIdList(tx, project_id, await requireTask(tx, project_id, taskId, true), caseIds);
      return taskId;
    });
    void reply.status(201);
    return success({ task_id: id });
  });

  app.put('/v3/:project_id/tasks/:task_id', { schema: { params: TaskParams, body: UpdateTaskCasesRequest } }, async (request, reply) => {
    const { project_id, task_id } = request.params;
    const body = request.body;
    await app.db.transaction(async (tx) => {
      const task = await requireTask(tx, project_id, task_id, true);
      await requireOwnSuite(tx, project_id, task, body.project_id);
      await setCaseIdList(tx, project_id, task, body.case_id_list);
      await updateTask(tx, task.id, {
        name: body.name,
        description: task.description,
        parallel: body.parallel,
        doc: { ...task.doc, operate_mode: body.operate_mode },
      });
    });
    const task = await requireTask(app.db, project_id, task_id);
    // An object, as the SDKs read it (the reference's example shows an array).
    return sendJsonText(reply, await taskInfoAnswer(app.db, app.caseJson, task));
  });

  app.delete('/v3/:project_id/tasks/:task_id', { schema: { params: TaskParams } }, async (request, reply) => {
    await deleteTask(app.db, request.params.project_id, request.params.task_id);
    return reply.status(204).send();
  });

  app.get(
    '/v1/:project_id/test-suites/:test_suite_id/tasks/:task_id/test-cases',
    { schema: { params: SuiteTaskParams } },
    async (request) => {
      const { project_id, test_suite_id, task_id } = request.params;
      const task = await requireTask(app.db, project_id, task_id);
      if (task.test_suite_id !== test_suite_id) throw apiError('NOT_FOUND', { resource: 'task', id: task_id });
      const entries = await taskCaseEntries(app.db, task.id);
      return success({ test_cases: entries.map(projectDirectory) });
    },
  );
};
