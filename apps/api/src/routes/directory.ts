/**
 * The case tree of a test suite (reference 4.7.1, GET .../directory) and its directories (SDK
 * operations create_directory, update_directory, delete_directory): a directory is created at the
 * root, renamed, and deleted once it holds no case (else a 409 naming how many).
 */
import { DirectoryParams, DirectoryRequest, TestSuiteParams, type ProjectDirectory } from '@perftest/model';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { success } from '../http/envelope.js';
import { isoTime } from '../http/time.js';
import { createDirectory, deleteDirectory, directoryEntries, renameDirectory, type DirectoryEntry } from '../storage/directory.js';
import { requireTestSuite } from '../storage/test-suites.js';

/** A tree entry on the wire (ProjectDirectory; a case of a task reads the same, TestCaseBriefInfo). */
export function projectDirectory(e: DirectoryEntry): ProjectDirectory {
  return {
    id: e.id,
    name: e.name,
    status: e.status,
    create_time: isoTime(e.created_at),
    update_time: isoTime(e.updated_at),
    parent_id: e.parent_id,
    type: e.type,
  };
}

/** The case-tree and directory routes. */
export const directoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/:project_id/test-suites/:test_suite_id/directory', { schema: { params: TestSuiteParams } }, async (request) => {
    const { project_id, test_suite_id } = request.params;
    await requireTestSuite(app.db, project_id, test_suite_id);
    const entries = await directoryEntries(app.db, test_suite_id);
    return success({ directory: entries.map(projectDirectory) });
  });

  app.post(
    '/v1/:project_id/test-suites/:test_suite_id/directory',
    { schema: { params: TestSuiteParams, body: DirectoryRequest } },
    async (request, reply) => {
      const { project_id, test_suite_id } = request.params;
      const id = await app.db.transaction((tx) => createDirectory(tx, project_id, test_suite_id, request.body.name));
      void reply.status(201);
      return success({ directory_id: id });
    },
  );

  app.put(
    '/v1/:project_id/test-suites/:test_suite_id/directory/:directory_id',
    { schema: { params: DirectoryParams, body: DirectoryRequest } },
    async (request, reply) => {
      const { project_id, test_suite_id, directory_id } = request.params;
      await app.db.transaction((tx) => renameDirectory(tx, project_id, test_suite_id, directory_id, request.body.name));
      return reply.status(204).send();
    },
  );

  app.delete(
    '/v1/:project_id/test-suites/:test_suite_id/directory/:directory_id',
    { schema: { params: DirectoryParams } },
    async (request, reply) => {
      const { project_id, test_suite_id, directory_id } = request.params;
      await app.db.transaction((tx) => deleteDirectory(tx, project_id, test_suite_id, directory_id));
      return reply.status(204).send();
    },
  );
};
