/**
 * Rows of `intervals`: the one insert of the workers' interval writer, and the read of a case run's
 * rows after a second (the run-wide step feed of intelligent high pressure). Rows are never
 * rewritten: an insert lands only for shares its worker still owns, and a row already there stays.
 * `data` is stored packed (packages/model/src/interval-codec.ts) and unpacked when read.
 */
import { packRows, unpackRows, type IntervalRow, type StoredIntervalRow } from '@perftest/model';
import type { Queryable } from '@perftest/store';

const INSERT = `insert into intervals(case_run_id, share_index, worker_id, second, data)
  select x.case_run_id, x.share_index, x.worker_id, x.second, x.data
    from jsonb_to_recordset($1::jsonb) as x(case_run_id bigint, share_index integer, worker_id text, second bigint, data jsonb)
   where exists (select 1 from case_run_shares s
                  where s.case_run_id = x.case_run_id and s.share_index = x.share_index and s.worker_id = x.worker_id)
  on conflict do nothing`;

/** Inserts `rows` in one statement; rows of shares their worker no longer owns are left out. */
export async function insertIntervals(db: Queryable, rows: readonly IntervalRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(INSERT, [JSON.stringify(packRows(rows))]);
}

/** The rows of case run `caseRunId` after second `after`, in (second, share, worker) order. */
export async function intervalsAfter(db: Queryable, caseRunId: number, after: number): Promise<Omit<IntervalRow, 'case_run_id'>[]> {
  const rows = await db.query<Omit<StoredIntervalRow, 'case_run_id'>>(
    `select second, share_index, worker_id, data from intervals
      where case_run_id = $1 and second > $2 order by second, share_index, worker_id`,
    [caseRunId, after],
  );
  return unpackRows(rows);
}
