/** PUT /v3/{project_id}/tasks/{task_id}, reference 4.2.7: rename a task and set its cases in order. */
import { TaskParams, UpdateTaskCasesRequest } from '@perftest/model';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { success } from '../http/envelope.js';
import { requireTask, updateTask } from '../storage/tasks.js';
import { setCaseIdList } from './task-case-list.js';
import { buildTaskInfo, requireOwnSuite } from './task-info.js';

/** The new-edition task update route. */
export const taskV3Routes: FastifyPluginAsyncTypebox = async (app) => {
  app.put('/v3/:project_id/tasks/:task_id', { schema: { params: TaskParams, body: UpdateTaskCasesRequest } }, async (request) => {
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
    return success({ taskInfo: await buildTaskInfo(app.db, task) });
  });
};
