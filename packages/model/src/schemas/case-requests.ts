/**
 * Request schemas of the old-edition case endpoints, reference 4.3.1-4.3.3 (SDK models
 * `create_case_request_body.py`, `update_case_request.py` whose body is a CaseInfoDetail).
 */
import { Type, type Static } from '@sinclair/typebox';
import { CaseInfoDetail } from './case.js';
import { Nullable, ProjectId } from './common.js';

/** Longest case name accepted. */
export const CASE_NAME_MAX = 256;

const CaseName = Type.String({ minLength: 1, maxLength: CASE_NAME_MAX });

/** Path naming one case. */
export const CaseParams = Type.Object({
  project_id: ProjectId,
  case_id: Type.Integer({ minimum: 1 }),
});
export type CaseParams = Static<typeof CaseParams>;

/** Path of a case update: `target` says which part of the case the body replaces. */
export const CaseTargetParams = Type.Object({
  project_id: ProjectId,
  case_id: Type.Integer({ minimum: 1 }),
  target: Type.String({ minLength: 1, maxLength: 64 }),
});
export type CaseTargetParams = Static<typeof CaseTargetParams>;

/**
 * POST /v1/{project_id}/task-cases: `name` and `task_id` (the task the case joins) are required,
 * `type` (0 common, 1 video stream, 2 preset) becomes `case_type`; any CaseInfoDetail field may come
 * along and is stored as given.
 */
export const CreateCaseRequest = Type.Object({
  ...CaseInfoDetail.properties,
  name: CaseName,
  type: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 2 }))),
  task_id: Type.Integer({ minimum: 1 }),
});
export type CreateCaseRequest = Static<typeof CreateCaseRequest>;

/** PUT /v1/{project_id}/task-cases/{case_id}/target/{target}: a CaseInfoDetail; a name is never null. */
export const UpdateCaseRequest = Type.Object({
  ...CaseInfoDetail.properties,
  name: Type.Optional(CaseName),
});
export type UpdateCaseRequest = Static<typeof UpdateCaseRequest>;

/** The targets with their own meaning; any other target applies every field present in the body. */
export const CASE_TARGETS = {
  /** Replaces `contents` (required), and `setup_contents` / `for_loop_params` when present. */
  content: ['contents', 'setup_contents', 'for_loop_params'],
  /** Replaces `stages` (required), and `increase_setting` when present. */
  stage: ['stages', 'increase_setting'],
  /** Renames the case (`name` required). */
  name: ['name'],
} as const satisfies Record<string, readonly string[]>;
export type CaseTarget = keyof typeof CASE_TARGETS;
