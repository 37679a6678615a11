/**
 * Cases of the old edition, reference 4.3.1-4.3.3: create (into a task), delete, and modify one part
 * of a case selected by `target` (see docs/api.md, "Cases").
 */
import {
  apiError,
  CASE_TARGETS,
  CaseParams,
  CaseTargetParams,
  CreateCaseRequest,
  ProjectParams,
  UpdateCaseRequest,
} from '@perftest/model';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { success } from '../http/envelope.js';
import {
  CASE_DOCUMENT_FIELDS,
  deleteCase,
  insertCase,
  pickFields,
  requireCase,
  saveCase,
  type CaseDocument,
} from '../storage/cases.js';
import { addTaskCase, nextTaskCasePosition, requireTask, touchTask } from '../storage/tasks.js';

/** What a case update changes: maybe the name, and the document fields it replaces. */
interface CasePatch {
  name?: string;
  doc: CaseDocument;
}

/**
 * The part of `body` that `target` applies: `content`, `stage` and `name` replace their own fields
 * (the first of which is required); any other target applies every field present.
 */
export function casePatch(target: string, body: UpdateCaseRequest): CasePatch {
  const record = body as Record<string, unknown>;
  if (!Object.hasOwn(CASE_TARGETS, target)) return { name: body.name, doc: pickFields(record, CASE_DOCUMENT_FIELDS) };
  const fields: readonly string[] = CASE_TARGETS[target as keyof typeof CASE_TARGETS];
  if (record[fields[0]] === undefined) {
    throw apiError('INVALID_FIELD', { field: fields[0], detail: `is required for target ${target}` });
  }
  return {
    name: fields.includes('name') ? body.name : undefined,
    doc: pickFields(record, fields.filter((f) => f !== 'name')),
  };
}

/** The case routes. */
export const taskCaseRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/:project_id/task-cases', { schema: { params: ProjectParams, body: CreateCaseRequest } }, async (request, reply) => {
    const body = request.body;
    const caseId = await app.db.transaction(async (tx) => {
      const task = await requireTask(tx, request.params.project_id, body.task_id, true);
      const position = await nextTaskCasePosition(tx, task.id);
      const doc = pickFields(body as Record<string, unknown>, CASE_DOCUMENT_FIELDS);
      if (doc.case_type === undefined && body.type !== undefined && body.type !== null) doc.case_type = body.type;
      app.admission.checkCase(doc, body.name);
      const id = await insertCase(tx, task.test_suite_id, body.name, doc, position);
      await addTaskCase(tx, task.id, id, position);
      await touchTask(tx, task.id);
      return id;
    });
    void reply.status(201);
    return success({ json: { task_case_id: caseId } });
  });

  app.delete('/v1/:project_id/task-cases/:case_id', { schema: { params: CaseParams } }, async (request, reply) => {
    await deleteCase(app.db, request.params.project_id, request.params.case_id);
    void reply.status(204);
  });

  app.put(
    '/v1/:project_id/task-cases/:case_id/target/:target',
    { schema: { params: CaseTargetParams, body: UpdateCaseRequest } },
    async (request, reply) => {
      const { project_id, case_id, target } = request.params;
      const patch = casePatch(target, request.body);
      await app.db.transaction(async (tx) => {
        const current = await requireCase(tx, project_id, case_id, true);
        const doc = { ...current.doc, ...patch.doc };
        app.admission.checkCase(doc, patch.name ?? current.name);
        await saveCase(tx, current, patch.name ?? current.name, doc);
      });
      return reply.status(202).send();
    },
  );
};
