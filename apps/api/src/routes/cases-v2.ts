/**
 * Cases of the case library (SDK operations create_new_case, show_case, update_new_case,
 * delete_new_case): a case is created in a directory, which names its test suite, and joins tasks
 * through their case lists (POST and PUT /v3/{p}/tasks). See docs/api.md, "Cases of the case library".
 */
import { apiError, CaseParams, CreateNewCaseRequest, ProjectParams, UpdateNewCaseRequest } from '@perftest/model';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { success } from '../http/envelope.js';
import { CASE_DOCUMENT_FIELDS, caseInfoDetail, deleteCase, insertCase, pickFields, requireCase, saveCase } from '../storage/cases.js';
import { nextCaseSort, requireDirectory } from '../storage/directory.js';

/** The case-library routes. */
export const caseLibraryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v2/:project_id/test-cases', { schema: { params: ProjectParams, body: CreateNewCaseRequest } }, async (request, reply) => {
    const body = request.body;
    const id = await app.db.transaction(async (tx) => {
      const directory = await requireDirectory(tx, request.params.project_id, body.directory_id, true);
      const doc = pickFields(body as Record<string, unknown>, CASE_DOCUMENT_FIELDS);
      app.admission.checkCase(doc, body.name);
      const sort = await nextCaseSort(tx, directory.test_suite_id, directory.id);
      return insertCase(tx, directory.test_suite_id, body.name, doc, sort);
    });
    void reply.status(201);
    return success({ json: { test_case_id: id } });
  });

  app.get('/v2/:project_id/test-cases/:case_id', { schema: { params: CaseParams } }, async (request) => {
    const row = await requireCase(app.db, request.params.project_id, request.params.case_id);
    return success({ test_case: caseInfoDetail(row) });
  });

  app.put('/v2/:project_id/test-cases/:case_id', { schema: { params: CaseParams, body: UpdateNewCaseRequest } }, async (request, reply) => {
    const { project_id, case_id } = request.params;
    const body = request.body;
    if (body.case_id !== undefined && body.case_id !== null && body.case_id !== case_id) {
      throw apiError('INVALID_FIELD', { field: 'case_id', detail: `${body.case_id} does not match the case_id ${case_id} of the path` });
    }
    await app.db.transaction(async (tx) => {
      const current = await requireCase(tx, project_id, case_id, true);
      const doc = pickFields(body as Record<string, unknown>, CASE_DOCUMENT_FIELDS);
      if (body.directory_id === undefined || body.directory_id === null) {
        if (current.doc.directory_id === undefined) delete doc.directory_id;
        else doc.directory_id = current.doc.directory_id;
      } else if (body.directory_id !== current.directory_id) {
        const directory = await requireDirectory(tx, project_id, body.directory_id, true);
        if (directory.test_suite_id !== current.test_suite_id) {
          throw apiError('INVALID_FIELD', {
            field: 'directory_id',
            detail: `directory ${directory.id} belongs to test suite ${directory.test_suite_id}, not to the case's test suite ${current.test_suite_id}`,
          });
        }
      }
      app.admission.checkCase(doc, body.name ?? current.name);
      await saveCase(tx, current, body.name ?? current.name, doc);
    });
    return reply.status(204).send();
  });

  app.delete('/v2/:project_id/test-cases/:case_id', { schema: { params: CaseParams } }, async (request, reply) => {
    await deleteCase(app.db, request.params.project_id, request.params.case_id);
    return reply.status(204).send();
  });
};
