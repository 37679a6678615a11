/**
 * The case tree of a test suite, reference 4.7.1 (SDK model `project_directory.py`), and the
 * directories of cases (SDK operations create/update/delete_directory).
 */
import { Type, type Static } from '@sinclair/typebox';
import { ProjectId } from './common.js';

/** `type` of a tree entry: 1 a directory, 2 a case. */
export const DIRECTORY_ENTRY_TYPE = { directory: 1, case: 2 } as const;

/** One entry of the tree; `parent_id` 0 is the root. */
export const ProjectDirectory = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  status: Type.Integer(),
  create_time: Type.String(),
  update_time: Type.String(),
  parent_id: Type.Integer(),
  type: Type.Integer(),
});
export type ProjectDirectory = Static<typeof ProjectDirectory>;

/** Longest directory name accepted. */
export const DIRECTORY_NAME_MAX = 256;

/** Path naming one directory of a test suite. */
export const DirectoryParams = Type.Object({
  project_id: ProjectId,
  test_suite_id: Type.Integer({ minimum: 1 }),
  directory_id: Type.Integer({ minimum: 1 }),
});
export type DirectoryParams = Static<typeof DirectoryParams>;

/**
 * POST /v1/{project_id}/test-suites/{test_suite_id}/directory and PUT .../directory/{directory_id}
 * (SDK models `create_directory_request_body.py`, `update_directory_request_body.py`): the name,
 * unique within the test suite.
 */
export const DirectoryRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: DIRECTORY_NAME_MAX }),
});
export type DirectoryRequest = Static<typeof DirectoryRequest>;

/** One case of a task as GET .../tasks/{task_id}/test-cases lists it (TestCaseBriefInfo). */
export const TestCaseBriefInfo = ProjectDirectory;
export type TestCaseBriefInfo = ProjectDirectory;
