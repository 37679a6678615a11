/**
 * Request schemas of the transaction ("temp", template) endpoints, reference 4.5. A transaction's
 * `contents` are cards of the same shape as a case's; they are stored as sent and read back as sent.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Contents } from './case.js';
import { Nullable, ProjectId } from './common.js';

/** Path naming one transaction. */
export const TemplateParams = Type.Object({
  project_id: ProjectId,
  template_id: Type.Integer({ minimum: 1 }),
});
export type TemplateParams = Static<typeof TemplateParams>;

/** The logic-controller object of TempInfo (kept for old clients; the engine does not read it). */
export const LogicController = Type.Object({
  for_loop_params: Type.Optional(Type.Any()),
  condition: Type.Optional(Type.Any()),
});
export type LogicController = Static<typeof LogicController>;

const name = Type.String({ minLength: 1, maxLength: 256 });
const description = Type.Optional(Nullable(Type.String({ maxLength: 4096 })));
const contents = Type.Optional(Nullable(Type.Array(Contents)));

/** POST /v1/{project_id}/templates; `project_id` here is the test suite id. */
export const CreateTemplateRequest = Type.Object({
  project_id: Type.Integer({ minimum: 1 }),
  temp_type: Type.Integer(),
  name,
  description,
  contents,
  for_loop_params: Type.Optional(Nullable(Type.Array(Type.Any()))),
  enable_pre: Type.Optional(Nullable(Type.Boolean())),
  logic_controller: Type.Optional(Nullable(LogicController)),
});
export type CreateTemplateRequest = Static<typeof CreateTemplateRequest>;

/**
 * PUT /v1/{project_id}/templates/{template_id}. The path names the transaction: a body `id` is not
 * read, and a body `project_id` other than 0 must be the transaction's test suite. Fields left out
 * (or null) keep their stored value.
 */
export const UpdateTemplateRequest = Type.Object({
  id: Type.Optional(Nullable(Type.Integer())),
  project_id: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  name,
  temp_type: Type.Optional(Nullable(Type.Integer())),
  description,
  contents,
  for_loop_params: Type.Optional(Nullable(Type.Array(Type.Any()))),
  enable_pre: Type.Optional(Nullable(Type.Boolean())),
  logic_controller: Type.Optional(Nullable(LogicController)),
});
export type UpdateTemplateRequest = Static<typeof UpdateTemplateRequest>;
