/** Test suites (projects), reference 4.1: list, create, read, update, delete, import progress. */
import {
  CreateProjectRequest,
  PageQuery,
  ProjectParams,
  TestSuiteParams,
  UpdateProjectRequest,
} from '@perftest/model';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { page, success } from '../http/envelope.js';
import { isoTime } from '../http/time.js';
import {
  createTestSuite,
  deleteTestSuite,
  listTestSuites,
  requireTestSuite,
  updateTestSuite,
} from '../storage/test-suites.js';

/** The test-suite routes. */
export const testSuiteRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Registered before /test-suites/:test_suite_id so that "upload" is never read as an id.
  app.get('/v1/:project_id/test-suites/upload/processes', { schema: { params: ProjectParams } }, async () =>
    success({ json: { details: [], process_status: 1 }, extend: '' }),
  );

  app.get('/v1/:project_id/test-suites', { schema: { params: ProjectParams, querystring: PageQuery } }, async (request) => {
    const { offset, limit } = page(request.query);
    const rows = await listTestSuites(app.db, request.params.project_id, offset, limit);
    return success({
      projects: rows.map((r) => ({
        id: r.id,
        name: r.name,
        description: r.description,
        variables_no_file: r.doc.variables_no_file ?? [],
        CreateTime: isoTime(r.created_at),
        UpdateTime: isoTime(r.updated_at),
        source: r.doc.source ?? 0,
        external_params: r.doc.external_params ?? {},
      })),
    });
  });

  app.post('/v1/:project_id/test-suites', { schema: { params: ProjectParams, body: CreateProjectRequest } }, async (request, reply) => {
    const id = await createTestSuite(app.db, request.params.project_id, request.body.name, request.body.description ?? '');
    void reply.status(201);
    return success({ project_id: id });
  });

  app.get('/v1/:project_id/test-suites/:test_suite_id', { schema: { params: TestSuiteParams } }, async (request) => {
    const r = await requireTestSuite(app.db, request.params.project_id, request.params.test_suite_id);
    return success({
      project: {
        id: r.id,
        name: r.name,
        description: r.description,
        group: r.project,
        source: r.doc.source ?? 0,
        create_time: isoTime(r.created_at),
        update_time: isoTime(r.updated_at),
      },
    });
  });

  app.put(
    '/v1/:project_id/test-suites/:test_suite_id',
    { schema: { params: TestSuiteParams, body: UpdateProjectRequest } },
    async (request, reply) => {
      const { project_id, test_suite_id } = request.params;
      const body = request.body;
      const current = await requireTestSuite(app.db, project_id, test_suite_id);
      await updateTestSuite(app.db, project_id, test_suite_id, {
        name: body.name,
        description: body.description ?? current.description,
        doc: {
          variables_no_file: body.variables_no_file ?? current.doc.variables_no_file ?? [],
          source: body.source ?? current.doc.source ?? 0,
          external_params: body.external_params ?? current.doc.external_params ?? {},
        },
      });
      void reply.status(204);
    },
  );

  app.delete('/v1/:project_id/test-suites/:test_suite_id', { schema: { params: TestSuiteParams } }, async (request, reply) => {
    await deleteTestSuite(app.db, request.params.project_id, request.params.test_suite_id);
    void reply.status(204);
  });
};
