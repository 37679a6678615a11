/**
 * cases — revision: how many times the case was saved (1 when created). Every change of a case goes
 * through one update, which counts it; a case's id and revision name one version of its document,
 * so that the task view renders a case's JSON once per version instead of on every read
 * (apps/api/src/routes/case-json-cache.ts).
 */
export const up = `
alter table cases add column revision bigint not null default 1;
`;
