/**
 * Report rollups: the merged figures of a case run that has ended, written once (by the API's
 * rollup job shortly after the end, or by the first report read) and read instead of its interval
 * rows afterwards, so that the report of a finished run does not refold thousands of histograms.
 *
 * report_rollups — one row per case run.
 *   version: format of `data` (apps/api/src/reports/rollup-codec.ts); a reader ignores another
 *   version and rebuilds. row_count: interval rows folded into it; rows are only ever added, so a
 *   case run with more rows than that (a worker's late flush) is rebuilt from its intervals.
 *   data: the per-second counters the curves, KPIs and knee read, and one whole-run histogram per
 *   request card and for the case iterations, zlib-compressed. created_at: when it was written.
 */
export const up = `
create table report_rollups (
  case_run_id bigint primary key references case_runs(id) on delete cascade,
  version integer not null,
  row_count integer not null,
  data bytea not null,
  created_at timestamptz not null default now()
);
`;
