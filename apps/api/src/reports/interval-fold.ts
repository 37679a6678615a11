/**
 * Folding a case run's interval rows from the database into an accumulator, page by page in key
 * order, the next page read while the current one folds. A report read folds in big pages; the
 * rollup job folds in the background and yields to the event loop every few rows, so that requests
 * the server answers meanwhile wait milliseconds, not the whole fold.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { intervalPage, type IntervalKey } from '../storage/reports.js';
import type { Queryable } from '@perftest/store';
import type { CaseRunAccumulator } from '@perftest/engine';

/** How to fold. */
export interface FoldOptions {
  /** Rows read per query. */
  pageRows: number;
  /** Rows folded between two yields to the event loop (none when left out). */
  sliceRows?: number;
  /** Asked between slices; folding gives up when it answers true. */
  stopped?: () => boolean;
}

/** Folds every row of `caseRunId` from second `from` on; false when `stopped` cut it short. */
export async function foldIntervals(
  db: Queryable,
  caseRunId: number,
  acc: CaseRunAccumulator,
  from: number,
  options: FoldOptions,
): Promise<boolean> {
  const { pageRows, sliceRows, stopped } = options;
  let pending = intervalPage(db, caseRunId, from, undefined, pageRows);
  for (;;) {
    const rows = await pending;
    const full = rows.length === pageRows;
    if (full) {
      const last = rows[rows.length - 1];
      const after: IntervalKey = { second: last.second, share_index: last.share_index, worker_id: last.worker_id };
      pending = intervalPage(db, caseRunId, from, after, pageRows);
      pending.catch(() => undefined); // awaited below; not unhandled if folding throws first
    }
    for (let i = 0; i < rows.length; i++) {
      if (sliceRows !== undefined && i > 0 && i % sliceRows === 0) {
        await nextTurn();
        if (stopped?.()) return false;
      }
      acc.fold(rows[i]);
    }
    if (stopped?.()) return false;
    if (!full) return true;
  }
}
