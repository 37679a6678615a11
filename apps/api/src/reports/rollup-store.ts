/**
 * Reads and writes of report_rollups (migration 005). A case run is rolled up once it has ended
 * (status 2, 3 or 4) and ROLLUP_GRACE_SECONDS have passed since, by the database's clock, so that
 * the rows its workers flush in their last second are in. A rollup records how many interval rows it
 * folded; rows are only ever added to a case run, so one that has more rows than that (a flush later
 * still) is stale and is rebuilt from the intervals, while one that has as many or fewer (raw rows
 * pruned) stands.
 */
import type { Queryable } from '@perftest/store';
import { Col, type CaseRunAccumulator } from '@perftest/engine';
import { encodeRollup, ROLLUP_VERSION } from './rollup-codec.js';

/** Seconds after a case run's end before it is rolled up. */
export const ROLLUP_GRACE_SECONDS = 3;

/** Process-wide counts of rollup work (tests and benchmarks read them). */
export const rollupStats = { read: 0, written: 0 };

/** What a report read needs to know about a case run before folding. */
export interface RollupState {
  /** Interval rows stored. */
  stored: number;
  /** Whether the case run has ended at least ROLLUP_GRACE_SECONDS ago (it may be rolled up). */
  sealed: boolean;
  /** Rows in its rollup of the current version (undefined: none, or of another version). */
  rolledRows: number | undefined;
  /** That rollup's bytes, when asked for and present. */
  data: Uint8Array | undefined;
}

interface StateRow {
  stored: number;
  sealed: boolean | null;
  version: number | null;
  row_count: number | null;
  data: Uint8Array | null;
}

/** The SQL condition "case run `cr` may be rolled up" ($1 is the grace in seconds). */
const SEALED = `cr.status in (2, 3, 4) and cr.ended_at is not null and cr.ended_at <= now() - make_interval(secs => $1)`;

/** The rollup state of `caseRunId`, with its rollup's bytes when `withData`. */
export async function rollupState(db: Queryable, caseRunId: number, withData: boolean): Promise<RollupState> {
  const [row] = await db.query<StateRow>(
    `select (select count(*)::int from intervals i where i.case_run_id = cr.id) as stored,
            (${SEALED}) as sealed, r.version, r.row_count,
            case when $3::boolean and r.version = $4 then r.data end as data
       from case_runs cr left join report_rollups r on r.case_run_id = cr.id
      where cr.id = $2`,
    [ROLLUP_GRACE_SECONDS, caseRunId, withData, ROLLUP_VERSION],
  );
  if (row === undefined) return { stored: 0, sealed: false, rolledRows: undefined, data: undefined };
  return {
    stored: row.stored,
    sealed: row.sealed === true,
    rolledRows: row.version === ROLLUP_VERSION && row.row_count !== null ? row.row_count : undefined,
    data: row.data ?? undefined,
  };
}

/**
 * Stores the rollup of `acc` for `caseRunId`, unless one of a later version or with more rows is
 * there already (`replace`: over one of this version whatever its rows, when it could not be
 * decoded). Returns false when the case run no longer exists (deleted meanwhile).
 */
export async function writeRollup(db: Queryable, caseRunId: number, acc: CaseRunAccumulator, replace = false): Promise<boolean> {
  const data = encodeRollup(acc);
  let dropped = 0;
  for (const d of acc.series.values(Col.dropped)) dropped += d;
  try {
    await db.query(
      `insert into report_rollups(case_run_id, version, row_count, data, dropped_starts) values ($1, $2, $3, $4, $6)
       on conflict (case_run_id) do update
         set version = excluded.version, row_count = excluded.row_count, data = excluded.data,
             dropped_starts = excluded.dropped_starts, created_at = now()
         where report_rollups.version < excluded.version
            or (report_rollups.version = excluded.version and (report_rollups.row_count < excluded.row_count or $5::boolean))`,
      [caseRunId, ROLLUP_VERSION, acc.rowCount, data, replace, dropped],
    );
  } catch (err) {
    if ((err as { code?: string }).code === FOREIGN_KEY_VIOLATION) return false;
    throw err;
  }
  rollupStats.written++;
  return true;
}

/** SQLSTATE of an insert whose case run is gone. */
const FOREIGN_KEY_VIOLATION = '23503';

/** A case run waiting for its rollup. */
export interface RollupCandidate {
  id: number;
}

/**
 * Up to `limit` case runs that ended `graceSeconds` ago or more and have no rollup of the current
 * version, most recently ended first, skipping the ids in `skip`.
 */
export async function rollupCandidates(
  db: Queryable,
  limit: number,
  skip: readonly number[],
  graceSeconds = ROLLUP_GRACE_SECONDS,
): Promise<RollupCandidate[]> {
  return db.query<RollupCandidate>(
    `select cr.id from case_runs cr
      where ${SEALED}
        and not exists (select 1 from report_rollups r where r.case_run_id = cr.id and r.version >= $2)
        and cr.id not in (select jsonb_array_elements_text($3::jsonb)::bigint)
      order by cr.ended_at desc, cr.id desc
      limit $4`,
    [graceSeconds, ROLLUP_VERSION, JSON.stringify(skip), limit],
  );
}
