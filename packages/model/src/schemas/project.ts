/** Request schemas of the test-suite (project) endpoints, reference 4.1. */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, ProjectId } from './common.js';

/** Path of the project-scoped endpoints: the tenant's project_id. */
export const ProjectParams = Type.Object({ project_id: ProjectId });
export type ProjectParams = Static<typeof ProjectParams>;

/** Path naming one test suite. */
export const TestSuiteParams = Type.Object({
  project_id: ProjectId,
  test_suite_id: Type.Integer({ minimum: 1 }),
});
export type TestSuiteParams = Static<typeof TestSuiteParams>;

/** POST /v1/{project_id}/test-suites */
export const CreateProjectRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 4096 }))),
});
export type CreateProjectRequest = Static<typeof CreateProjectRequest>;

/** PUT /v1/{project_id}/test-suites/{test_suite_id} */
export const UpdateProjectRequest = Type.Object({
  id: Type.Optional(Nullable(Type.Integer())),
  name: Type.String({ minLength: 1, maxLength: 256 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 4096 }))),
  variables_no_file: Type.Optional(Nullable(Type.Array(Type.String()))),
  source: Type.Optional(Nullable(Type.Integer())),
  external_params: Type.Optional(Nullable(Type.Object({}))),
});
export type UpdateProjectRequest = Static<typeof UpdateProjectRequest>;
