/**
 * Keeps the folded intervals of recently read case runs, so that a report read again (a client
 * polling a live run, or reading a finished one twice) folds only the rows written since. Interval
 * rows are only ever inserted (never rewritten or deleted, short of deleting the whole case run),
 * so an accumulator is current when it has folded as many rows as the table holds. Bringing one up
 * to date reads, in key order and in pages, the rows from a few seconds before its latest second
 * (rows of one second land from several workers at slightly different times); when that still
 * leaves rows unaccounted for — a worker's batch that landed much later — it diffs the keys of the
 * older rows and reads the seconds that have new ones.
 *
 * The first read of a case run takes its rollup (rollup-store.ts) when one covers every stored row,
 * and folds all of its rows otherwise (also when the rollup cannot be decoded), page by page. A read of a case run that has ended (and may be
 * rolled up) with no rollup covering what it folded writes one, so that this happens once.
 */
import type { Queryable } from '@perftest/store';
import { intervalKeysBefore, intervalRowsAt } from '../storage/reports.js';
import { CaseRunAccumulator } from '@perftest/engine';
import { foldIntervals } from './interval-fold.js';
import { decodeRollup } from './rollup-codec.js';
import { rollupState, rollupStats, writeRollup } from './rollup-store.js';

/** Case runs kept (least recently read dropped first); about 1-3 MB each for an hour of 10 cards. */
export const REPORT_CACHE_ENTRIES = 8;
/** Rows read per query while folding. */
export const FOLD_PAGE_ROWS = 1000;
/** Seconds before the latest folded one that each update re-reads (rows already folded are skipped). */
export const TAIL_SECONDS = 5;

interface Entry {
  acc: CaseRunAccumulator;
  /** Not read yet: a rollup may stand in for the fold. */
  fresh: boolean;
  /** One update at a time per case run; later readers wait for it. */
  updating: Promise<void> | undefined;
}

/** Folded intervals by case run id, for one database. */
export class ReportCache {
  private readonly entries = new Map<number, Entry>();

  constructor(
    private readonly db: Queryable,
    private readonly maxEntries = REPORT_CACHE_ENTRIES,
  ) {}

  /** The accumulator of `caseRunId` with every row stored so far folded. */
  async current(caseRunId: number): Promise<CaseRunAccumulator> {
    let entry = this.entries.get(caseRunId);
    if (entry === undefined) {
      entry = { acc: new CaseRunAccumulator(), fresh: true, updating: undefined };
    } else {
      this.entries.delete(caseRunId);
    }
    this.entries.set(caseRunId, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as number);
    while (entry.updating !== undefined) await entry.updating.catch(() => undefined);
    const update = this.update(caseRunId, entry);
    entry.updating = update;
    try {
      await update;
    } finally {
      entry.updating = undefined;
    }
    return entry.acc;
  }

  /**
   * The accumulator of `caseRunId` when this cache holds it with exactly `stored` rows folded and no
   * update under way, else undefined: the rollup job takes it instead of folding the same rows again.
   */
  folded(caseRunId: number, stored: number): CaseRunAccumulator | undefined {
    const entry = this.entries.get(caseRunId);
    if (entry === undefined || entry.fresh || entry.updating !== undefined || entry.acc.rowCount !== stored) return undefined;
    return entry.acc;
  }

  /** Forgets every case run (tests, benchmarks). */
  clear(): void {
    this.entries.clear();
  }

  private async update(caseRunId: number, entry: Entry): Promise<void> {
    const state = await rollupState(this.db, caseRunId, entry.fresh);
    entry.fresh = false;
    let unreadable = false;
    if (state.data !== undefined && state.rolledRows !== undefined && state.stored <= state.rolledRows) {
      try {
        entry.acc = decodeRollup(state.data);
        rollupStats.read++;
        return;
      } catch {
        unreadable = true; // fold the rows instead, and write the rollup over
      }
    }
    if (entry.acc.restored) {
      if (state.stored <= entry.acc.rowCount) return;
      entry.acc = new CaseRunAccumulator(); // rows landed after the rollup: fold them all again
    }
    await this.catchUp(caseRunId, entry.acc, state.stored);
    if (state.sealed && (unreadable || !(state.rolledRows !== undefined && state.rolledRows >= entry.acc.rowCount))) {
      await writeRollup(this.db, caseRunId, entry.acc, unreadable);
    }
  }

  /** Folds the rows of `caseRunId` not in `acc` yet; `stored`: rows the table held just before. */
  private async catchUp(caseRunId: number, acc: CaseRunAccumulator, stored: number): Promise<void> {
    if (stored === acc.rowCount) return;
    const from = Number.isNaN(acc.series.last) ? Number.MIN_SAFE_INTEGER : acc.series.last - TAIL_SECONDS;
    await foldIntervals(this.db, caseRunId, acc, from, { pageRows: FOLD_PAGE_ROWS });
    if (acc.rowCount >= stored || from === Number.MIN_SAFE_INTEGER) return;
    const keys = await intervalKeysBefore(this.db, caseRunId, from);
    const seconds = new Set<number>();
    for (const key of keys) if (!acc.has(key)) seconds.add(Number(key.second));
    for (const row of await intervalRowsAt(this.db, caseRunId, [...seconds])) acc.fold(row);
  }
}
