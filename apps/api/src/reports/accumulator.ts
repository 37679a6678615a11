/**
 * Everything a report needs from a case run's intervals, folded row by row: the per-second series
 * (curves, KPIs, the knee) and the whole-run statistics of each request card and of the case
 * iterations (details, percentiles, response-time buckets). Rows are folded once each, in any
 * order, and remembered by key, so an accumulator can be brought up to date with only the rows
 * written since (report-cache.ts) and gives the same figures as merging every row at once. Its
 * state is what a rollup stores (rollup-codec.ts); one restored from a rollup folds no more rows.
 */
import { OUTCOMES, type EncodedStats, type IntervalRow, type StatsCounters } from '@perftest/model';
import { addCounters, emptyCounters } from '@perftest/engine';
import { createAccumulator, foldEncoded, settle, type Accumulator } from './histogram-fold.js';
import { CARD_COLUMNS, CardCol, CASE_COLUMNS, Col, SecondSeries } from './second-series.js';

/** Whole-run statistics of one cell (a card, or the case iterations) with its histogram (us). */
export interface CellTotals extends StatsCounters {
  histogram: Accumulator;
}

/** Process-wide count of interval rows folded (tests and benchmarks read it). */
export const foldStats = { rows: 0 };

/** The columns of the outcomes in OUTCOMES order, of the case and as offsets within a card's columns. */
const OUTCOME_COLUMNS: readonly number[] = OUTCOMES.map((o) => Col[o]);
const CARD_OUTCOME_COLUMNS: readonly number[] = OUTCOMES.map((o) => CardCol[o]);

/** Empty whole-run statistics. */
export function emptyCell(): CellTotals {
  return { ...emptyCounters(), histogram: createAccumulator() };
}

/** A card of an accumulator with its columns in the series. */
export interface CardState {
  key: string;
  /** The card's first column (CardCol offsets from it). */
  column: number;
  cell: CellTotals;
}

/** Everything an accumulator holds, as a rollup stores it (rollup-codec.ts). */
export interface AccumulatorState {
  series: SecondSeries;
  /** In the order the keys were first seen. */
  cards: CardState[];
  iterations: CellTotals;
  /** Rows folded into it. */
  rows: number;
}

/** The folded state of one case run. */
export class CaseRunAccumulator {
  readonly series: SecondSeries;
  /** Whole-run statistics per card key, in the order the keys were first seen. */
  readonly cards = new Map<string, CellTotals>();
  readonly iterations: CellTotals;
  /** Whether it was restored from a rollup: it knows how many rows it holds, not which, and folds no more. */
  readonly restored: boolean;
  /** The first column of each card in `series` (CardCol offsets from it). */
  private readonly cardColumns = new Map<string, number>();
  private readonly folded = new Set<string>();
  private readonly restoredRows: number;
  private settled = true;

  /**
   * `cardKeys`: the case run's cards, so that their rows exist (with zeros) before any request.
   * `state`: what a rollup held (then `cardKeys` is ignored).
   */
  constructor(cardKeys: Iterable<string> = [], state?: AccumulatorState) {
    this.series = state?.series ?? new SecondSeries(CASE_COLUMNS);
    this.iterations = state?.iterations ?? emptyCell();
    this.restored = state !== undefined;
    this.restoredRows = state?.rows ?? 0;
    if (state === undefined) {
      for (const key of cardKeys) this.cardCell(key);
    } else {
      for (const card of state.cards) {
        this.cards.set(card.key, card.cell);
        this.cardColumns.set(card.key, card.column);
      }
      this.settled = false;
    }
  }

  /** Rows folded so far. */
  get rowCount(): number {
    return this.restoredRows + this.folded.size;
  }

  /** Its state (shared, not copied), settled, for a rollup. */
  state(): AccumulatorState {
    this.settle();
    const cards = [...this.cards].map(([key, cell]) => ({ key, cell, column: this.cardColumns.get(key) as number }));
    return { series: this.series, cards, iterations: this.iterations, rows: this.rowCount };
  }

  /** Whether the row was folded already. */
  has(row: Pick<IntervalRow, 'second' | 'share_index' | 'worker_id'>): boolean {
    return this.folded.has(rowKey(row));
  }

  /** Folds one row; a row folded before is ignored. Returns whether it was new. */
  fold(row: IntervalRow): boolean {
    if (this.restored) throw new Error('an accumulator restored from a rollup folds no more rows');
    const key = rowKey(row);
    if (this.folded.has(key)) return false;
    this.folded.add(key);
    this.settled = false;
    foldStats.rows++;
    const data = row.data;
    const series = this.series;
    const slot = series.slot(Number(row.second));
    series.add(slot, Col.rows, 1);
    series.add(slot, Col.users, data.users);
    series.raise(slot, Col.stage, data.stage);
    series.add(slot, Col.started, data.started ?? 0);
    series.add(slot, Col.dropped, data.dropped ?? 0);
    const iterations = data.iterations;
    if (iterations !== undefined && iterations !== null) {
      this.foldCell(this.iterations, iterations);
      series.add(slot, Col.iterations, iterations.requests);
      series.add(slot, Col.iterationsOk, iterations.outcomes.success ?? 0);
    }
    for (const cardKey of Object.keys(data.cards)) {
      const stats = data.cards[cardKey];
      this.foldCell(this.cardCell(cardKey), stats);
      series.add(slot, Col.requests, stats.requests);
      for (let i = 0; i < OUTCOMES.length; i++) series.add(slot, OUTCOME_COLUMNS[i], stats.outcomes[OUTCOMES[i]] ?? 0);
      series.add(slot, Col.rtSumUs, stats.rtSumUs);
      series.add(slot, Col.sentBytes, stats.sentBytes);
      series.add(slot, Col.recBytes, stats.recBytes);
      const column = this.cardColumns.get(cardKey) as number;
      series.add(slot, column + CardCol.sentBytes, stats.sentBytes);
      series.add(slot, column + CardCol.recBytes, stats.recBytes);
      series.add(slot, column + CardCol.requests, stats.requests);
      for (let i = 0; i < OUTCOMES.length; i++) series.add(slot, column + CARD_OUTCOME_COLUMNS[i], stats.outcomes[OUTCOMES[i]] ?? 0);
      series.add(slot, column + CardCol.rtSumUs, stats.rtSumUs);
    }
    return true;
  }

  /** The first column of a card in `series` (CardCol offsets from it; its bytes come first). */
  bytesColumn(cardKey: string): number | undefined {
    return this.cardColumns.get(cardKey);
  }

  /** Makes the histograms' min, max and totals current; call before reading them. */
  settle(): void {
    if (this.settled) return;
    settle(this.iterations.histogram);
    for (const cell of this.cards.values()) settle(cell.histogram);
    this.settled = true;
  }

  private cardCell(key: string): CellTotals {
    let cell = this.cards.get(key);
    if (cell === undefined) {
      cell = emptyCell();
      this.cards.set(key, cell);
      const first = this.series.addColumn();
      for (let i = 1; i < CARD_COLUMNS; i++) this.series.addColumn();
      this.cardColumns.set(key, first);
    }
    return cell;
  }

  private foldCell(target: CellTotals, stats: EncodedStats): void {
    addCounters(target, stats);
    if (stats.requests > 0) foldEncoded(target.histogram, stats.histogram);
  }
}

/** The identity of a row: its second, share and worker (the table's key within a case run). */
function rowKey(row: Pick<IntervalRow, 'second' | 'share_index' | 'worker_id'>): string {
  return `${row.second}/${row.share_index}/${row.worker_id}`;
}
