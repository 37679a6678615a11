/**
 * Cases of the case library (new edition; SDK operations create_new_case, show_case,
 * update_new_case, delete_new_case): a case lives in a directory of a test suite, outside any task,
 * until a task lists it. The body is a CaseInfoDetail (SDK model `case_info_detail.py`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { CaseInfoDetail } from './case.js';
import { CASE_NAME_MAX } from './case-requests.js';
import { Nullable } from './common.js';

const CaseName = Type.String({ minLength: 1, maxLength: CASE_NAME_MAX });
const DirectoryId = Type.Integer({ minimum: 1 });

/**
 * POST /v2/{project_id}/test-cases: `name` and `directory_id` are required; the case joins the test
 * suite of that directory. Every other CaseInfoDetail field is stored as given (`case_id` is not read).
 */
export const CreateNewCaseRequest = Type.Object({
  ...CaseInfoDetail.properties,
  name: CaseName,
  directory_id: DirectoryId,
});
export type CreateNewCaseRequest = Static<typeof CreateNewCaseRequest>;

/**
 * PUT /v2/{project_id}/test-cases/{case_id}: the body replaces the case's document. `name` and
 * `directory_id` left out keep their stored values; a `directory_id` must name a directory of the
 * case's test suite; a `case_id` must be the path's.
 */
export const UpdateNewCaseRequest = Type.Object({
  ...CaseInfoDetail.properties,
  name: Type.Optional(CaseName),
  directory_id: Type.Optional(Nullable(DirectoryId)),
});
export type UpdateNewCaseRequest = Static<typeof UpdateNewCaseRequest>;
