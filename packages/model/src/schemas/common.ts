import { Type, type TSchema, type TUnion, type TNull } from '@sinclair/typebox';

/** A value the reference's examples send as `null` as often as they omit it. */
export const Nullable = <T extends TSchema>(schema: T): TUnion<[T, TNull]> =>
  Type.Union([schema, Type.Null()]);

/** Longest tenant project_id accepted (path parameter, X-Project-Id, account rights). */
export const PROJECT_ID_MAX = 128;

/** The tenant's project_id as it appears in every path: 1-128 characters. */
export const ProjectId = Type.String({ minLength: 1, maxLength: PROJECT_ID_MAX });

/** Every success with a body carries this code. */
export const SUCCESS_CODE = 'SVCSTG.CPTS.0000000';

/** The `code`/`message` pair every success body starts with. */
export const SuccessEnvelope = {
  code: Type.String({ examples: [SUCCESS_CODE] }),
  message: Type.String({ examples: ['success'] }),
};

/** Pagination query shared by the list endpoints: `offset` rows skipped, at most `limit` returned. */
export const PAGE_DEFAULT_LIMIT = 100;
export const PAGE_MAX_LIMIT = 1000;
export const PageQuery = Type.Object({
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: PAGE_MAX_LIMIT, default: PAGE_DEFAULT_LIMIT })),
});
