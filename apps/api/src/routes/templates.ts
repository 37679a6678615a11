/**
 * Transactions ("temps"), reference 4.5: list of a test suite, create, read, update, delete. What a
 * client writes in `contents` it reads back unchanged.
 */
import {
  apiError,
  CreateTemplateRequest,
  PageQuery,
  ProjectParams,
  TemplateParams,
  TestSuiteParams,
  UpdateTemplateRequest,
  type LogicController,
} from '@perftest/model';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { page, success } from '../http/envelope.js';
import { isoTime } from '../http/time.js';
import { requireTestSuite } from '../storage/test-suites.js';
import {
  createTemplate,
  deleteTemplate,
  listTemplates,
  requireTemplate,
  updateTemplate,
  type TemplateDoc,
  type TemplateRow,
} from '../storage/templates.js';

/** The logic controller a transaction reads back when none was written. */
const NO_LOGIC_CONTROLLER: LogicController = { for_loop_params: null, condition: null };

/** TempInfo: the wire shape of one transaction. */
function tempInfo(row: TemplateRow) {
  return {
    id: row.id,
    project_id: row.test_suite_id,
    name: row.name,
    description: row.description,
    variables: null,
    contents: row.doc.contents ?? [],
    temp_type: row.temp_type,
    for_loop_params: row.doc.for_loop_params ?? [],
    logic_controller: row.doc.logic_controller ?? NO_LOGIC_CONTROLLER,
    enable_pre: row.doc.enable_pre ?? false,
  };
}

/** The stored doc from a body, over `stored` for the fields a body leaves out. */
function templateDoc(body: UpdateTemplateRequest | CreateTemplateRequest, stored?: TemplateDoc): TemplateDoc {
  return {
    contents: body.contents ?? stored?.contents ?? [],
    for_loop_params: body.for_loop_params ?? stored?.for_loop_params ?? [],
    enable_pre: body.enable_pre ?? stored?.enable_pre ?? false,
    logic_controller: body.logic_controller ?? stored?.logic_controller ?? NO_LOGIC_CONTROLLER,
  };
}

/** The transaction routes. */
export const templateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/:project_id/all-templates/:test_suite_id',
    { schema: { params: TestSuiteParams, querystring: PageQuery } },
    async (request) => {
      const { project_id, test_suite_id } = request.params;
      await requireTestSuite(app.db, project_id, test_suite_id);
      const { offset, limit } = page(request.query);
      const rows = await listTemplates(app.db, test_suite_id, offset, limit);
      return success({
        temps: rows.map((r) => ({
          description: r.description,
          id: r.id,
          is_quoted: r.is_quoted,
          name: r.name,
          temp_type: r.temp_type,
          update_time: isoTime(r.updated_at),
        })),
      });
    },
  );

  app.post('/v1/:project_id/templates', { schema: { params: ProjectParams, body: CreateTemplateRequest } }, async (request, reply) => {
    const body = request.body;
    const doc = templateDoc(body);
    app.admission.checkTransaction(doc, body.name);
    const id = await app.db.transaction((tx) =>
      createTemplate(tx, request.params.project_id, body.project_id, {
        name: body.name,
        temp_type: body.temp_type,
        description: body.description ?? '',
        doc,
      }),
    );
    void reply.status(201);
    return success({ tempId: id });
  });

  app.get('/v1/:project_id/templates/:template_id', { schema: { params: TemplateParams } }, async (request) => {
    const row = await requireTemplate(app.db, request.params.project_id, request.params.template_id);
    return success({ temp_info: tempInfo(row) });
  });

  app.put(
    '/v1/:project_id/templates/:template_id',
    { schema: { params: TemplateParams, body: UpdateTemplateRequest } },
    async (request, reply) => {
      const { project_id, template_id } = request.params;
      const body = request.body;
      await app.db.transaction((tx) =>
        updateTemplate(tx, project_id, template_id, (stored) => {
          if (body.project_id && body.project_id !== stored.test_suite_id) {
            throw apiError('INVALID_FIELD', {
              field: 'project_id',
              detail: `${body.project_id} is not the test suite ${stored.test_suite_id} of transaction ${template_id}`,
            });
          }
          const doc = templateDoc(body, stored.doc);
          app.admission.checkTransaction(doc, body.name ?? stored.name);
          return {
            name: body.name,
            temp_type: body.temp_type ?? stored.temp_type,
            description: body.description ?? stored.description,
            doc,
          };
        }),
      );
      void reply.status(204);
    },
  );

  app.delete('/v1/:project_id/templates/:template_id', { schema: { params: TemplateParams } }, async (request) => {
    await deleteTemplate(app.db, request.params.project_id, request.params.template_id);
    return success({});
  });
};
