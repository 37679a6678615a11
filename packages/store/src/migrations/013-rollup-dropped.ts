/**
 * report_rollups — dropped_starts: the TPS starts the case run dropped (docs/reports.md, "Dropped
 * starts"), counted when the rollup is written, so that the history of a task reads them without
 * decoding rollups or summing every interval row of every run. Null for a rollup written before:
 * readers then sum the case run's intervals.
 */
export const up = `
alter table report_rollups add column dropped_starts bigint;
`;
