/**
 * The TPS starts a case run dropped (docs/reports.md, "Dropped starts") as history and the merged
 * case list show them: its rollup's count (report_rollups.dropped_starts, migration 13) when the
 * rollup covers every stored interval row, else the sum over its interval rows (a run still
 * running, not rolled up yet, or rolled up before rollups counted them). Same figure as the report's
 * `droppedStarts`, without folding a histogram.
 */
import type { Queryable } from '@perftest/store';

/** SQL of the dropped starts of the case run whose row is `alias` (a bigint, 0 when none). */
export function droppedStartsSql(alias: string): string {
  return `coalesce(
    (select r.dropped_starts from report_rollups r
      where r.case_run_id = ${alias}.id and r.dropped_starts is not null
        and r.row_count >= (select count(*) from intervals i where i.case_run_id = ${alias}.id)),
    (select sum((i.data->>'dropped')::bigint) from intervals i where i.case_run_id = ${alias}.id),
    0)`;
}

/** The dropped starts of each of `caseRunIds`. */
export async function droppedStartsOf(db: Queryable, caseRunIds: readonly number[]): Promise<Map<number, number>> {
  if (caseRunIds.length === 0) return new Map();
  const rows = await db.query<{ id: number; dropped: string | number }>(
    `select cr.id, ${droppedStartsSql('cr')} as dropped from case_runs cr
      where cr.id in (select jsonb_array_elements_text($1::jsonb)::bigint)`,
    [JSON.stringify(caseRunIds)],
  );
  return new Map(rows.map((r) => [Number(r.id), Number(r.dropped)]));
}
