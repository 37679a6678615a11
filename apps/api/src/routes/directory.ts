/** GET /v1/{project_id}/test-suites/{test_suite_id}/directory, reference 4.7.1: the case tree. */
import { TestSuiteParams, type ProjectDirectory } from '@perftest/model';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { success } from '../http/envelope.js';
import { isoTime } from '../http/time.js';
import { directoryEntries } from '../storage/directory.js';
import { requireTestSuite } from '../storage/test-suites.js';

/** The case-tree route. */
export const directoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/:project_id/test-suites/:test_suite_id/directory', { schema: { params: TestSuiteParams } }, async (request) => {
    const { project_id, test_suite_id } = request.params;
    await requireTestSuite(app.db, project_id, test_suite_id);
    const entries = await directoryEntries(app.db, test_suite_id);
    const directory: ProjectDirectory[] = entries.map((e) => ({
      id: e.id,
      name: e.name,
      status: e.status,
      create_time: isoTime(e.created_at),
      update_time: isoTime(e.updated_at),
      parent_id: e.parent_id,
      type: e.type,
    }));
    return success({ directory });
  });
};
