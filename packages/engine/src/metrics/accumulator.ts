/**
 * Intervals in, report figures out: a case run's interval rows folded one by one into the per-second
 * series of the case (curves, KPIs, the knee), each request card's seconds (card-series.ts) and
 * whole-run statistics (counters and a compact histogram: percentiles, response-time buckets), and
 * the case iterations'. Rows are folded once each, in any order, and remembered by key, so an
 * accumulator can be brought up to date with only the rows written since and gives the same
 * figures as merging every row at once. A card costs nothing until a row carries it, then a few
 * hundred bytes plus 88 per second it ran in. Its state is what a report rollup stores; one restored
 * from a rollup folds no more rows.
 *
 * Every report, live view and merged report reads its numbers from here (summaries via
 * summary.ts), so they agree to the last digit.
 */
import { OUTCOMES, PACKED_STATS as P, type EncodedStats, type IntervalRow, type PackedStats, type StatsCounters, type StoredIntervalRow } from '@perftest/model';
import { CardSeries } from './card-series.js';
import { CompactHistogram } from './compact-histogram.js';
import { decodeInto } from './histogram.js';
import { addCounters, addPackedCounters, emptyCounters } from './merge.js';
import { CASE_COLUMNS, Col, SecondSeries } from './second-series.js';
import { summarize, type StatsSummary } from './summary.js';

/** Whole-run statistics of one cell (a card, or the case iterations) with its histogram (us). */
export interface CellTotals extends StatsCounters {
  histogram: CompactHistogram;
}

/** A request card of an accumulator: its whole-run statistics and its seconds. */
export interface CardTotals extends CellTotals {
  seconds: CardSeries;
  /** Why one of its requests failed (a row's reason; any of them), for the report's `failedReason`. */
  error?: string;
}

/** Process-wide count of interval rows folded (tests and benchmarks read it). */
export const foldStats = { rows: 0 };

/** The case columns of the outcomes in OUTCOMES order. */
const OUTCOME_COLUMNS: readonly number[] = OUTCOMES.map((o) => Col[o]);

/** Empty whole-run statistics (`buckets`: how many its histogram will hold, when known). */
export function emptyCell(buckets?: number): CellTotals {
  return { ...emptyCounters(), histogram: new CompactHistogram(buckets) };
}

/** An empty card. */
function emptyCard(): CardTotals {
  return { ...emptyCell(), seconds: new CardSeries() };
}

/** Everything an accumulator holds, as a rollup stores it. */
export interface AccumulatorState {
  series: SecondSeries;
  /** By key, in the order the keys were first seen. */
  cards: Map<string, CardTotals>;
  iterations: CellTotals;
  /** Rows folded into it. */
  rows: number;
}

/** The folded state of one case run. */
export class CaseRunAccumulator {
  readonly series: SecondSeries;
  /** Request cards that completed requests, by key, in the order the keys were first seen. */
  readonly cards: Map<string, CardTotals>;
  readonly iterations: CellTotals;
  /** Whether it was restored from a rollup: it knows how many rows it holds, not which, and folds no more. */
  readonly restored: boolean;
  private readonly folded = new Set<string>();
  private readonly restoredRows: number;
  /** requestTotals() as of the last fold (made again after the next one). */
  private totals: CellTotals | undefined;

  /** An empty accumulator, or the one a rollup held (`state`). */
  constructor(state?: AccumulatorState) {
    this.series = state?.series ?? new SecondSeries(CASE_COLUMNS);
    this.cards = state?.cards ?? new Map();
    this.iterations = state?.iterations ?? emptyCell();
    this.restored = state !== undefined;
    this.restoredRows = state?.rows ?? 0;
  }

  /** Rows folded so far. */
  get rowCount(): number {
    return this.restoredRows + this.folded.size;
  }

  /** Its state (shared, not copied), for a rollup. */
  state(): AccumulatorState {
    return { series: this.series, cards: this.cards, iterations: this.iterations, rows: this.rowCount };
  }

  /** Whether the row was folded already. */
  has(row: Pick<IntervalRow, 'second' | 'share_index' | 'worker_id'>): boolean {
    return this.folded.has(rowKey(row));
  }

  /**
   * Folds one row, its cells as messages carry them or as stored (packed: a report folds the rows it
   * reads without making an object of each cell; packages/model/src/interval-codec.ts); a row folded
   * before is ignored. Returns whether it was new.
   */
  fold(row: IntervalRow | StoredIntervalRow): boolean {
    if (this.restored) throw new Error('an accumulator restored from a rollup folds no more rows');
    const key = rowKey(row);
    if (this.folded.has(key)) return false;
    this.folded.add(key);
    this.totals = undefined;
    foldStats.rows++;
    const data = row.data;
    const second = Number(row.second);
    const series = this.series;
    const slot = series.slot(second);
    series.add(slot, Col.rows, 1);
    series.add(slot, Col.users, data.users);
    series.raise(slot, Col.stage, data.stage);
    series.add(slot, Col.started, data.started ?? 0);
    series.add(slot, Col.dropped, data.dropped ?? 0);
    if (data.aborted !== undefined) series.add(slot, Col.aborted, data.aborted);
    const iterations = data.iterations;
    if (Array.isArray(iterations)) {
      foldPackedCell(this.iterations, iterations);
      series.add(slot, Col.iterations, iterations[P.requests]);
      series.add(slot, Col.iterationsOk, iterations[P.success]);
    } else if (iterations !== undefined && iterations !== null) {
      foldCell(this.iterations, iterations);
      series.add(slot, Col.iterations, iterations.requests);
      series.add(slot, Col.iterationsOk, iterations.outcomes.success ?? 0);
    }
    const cards = data.cards;
    for (const cardKey in cards) {
      const stats = cards[cardKey];
      let card = this.cards.get(cardKey);
      if (card === undefined) {
        card = emptyCard();
        this.cards.set(cardKey, card);
      }
      if (Array.isArray(stats)) {
        this.foldPackedCard(card, slot, second, stats);
        continue;
      }
      foldCell(card, stats);
      if (stats.error !== undefined) card.error = stats.error;
      card.seconds.add(second, stats);
      series.add(slot, Col.requests, stats.requests);
      for (let i = 0; i < OUTCOMES.length; i++) series.add(slot, OUTCOME_COLUMNS[i], stats.outcomes[OUTCOMES[i]] ?? 0);
      series.add(slot, Col.rtSumUs, stats.rtSumUs);
      series.add(slot, Col.sentBytes, stats.sentBytes);
      series.add(slot, Col.recBytes, stats.recBytes);
    }
    return true;
  }

  /** One card's cell of a stored row (PACKED_STATS positions) into the card and the case's second `slot`. */
  private foldPackedCard(card: CardTotals, slot: number, second: number, cell: PackedStats): void {
    foldPackedCell(card, cell);
    if (cell.length > P.error) card.error = cell[P.error];
    card.seconds.addPacked(second, cell);
    const series = this.series;
    series.add(slot, Col.requests, cell[P.requests]);
    for (let i = 0; i < OUTCOMES.length; i++) series.add(slot, OUTCOME_COLUMNS[i], cell[P.success + i] as number);
    series.add(slot, Col.rtSumUs, cell[P.rtSumUs]);
    series.add(slot, Col.sentBytes, cell[P.sentBytes]);
    series.add(slot, Col.recBytes, cell[P.recBytes]);
  }

  /** Every request of every card in one cell (the case's request-level statistics; shared, do not change it). */
  requestTotals(): CellTotals {
    if (this.totals === undefined) {
      const total = emptyCell();
      for (const card of this.cards.values()) {
        addCounters(total, card);
        total.histogram.add(card.histogram);
      }
      this.totals = total;
    }
    return this.totals;
  }

  /** The summary of card `key` (zeros when it completed no request). */
  cardSummary(key: string): StatsSummary {
    return summarize(this.cards.get(key) ?? emptyCell());
  }
}

function foldCell(target: CellTotals, stats: EncodedStats): void {
  addCounters(target, stats);
  if (stats.requests > 0) decodeInto(target.histogram, stats.histogram, stats.requests);
}

function foldPackedCell(target: CellTotals, cell: PackedStats): void {
  addPackedCounters(target, cell);
  if (cell[P.requests] > 0) decodeInto(target.histogram, cell[P.histogram], cell[P.requests]);
}

/** The identity of a row: its second, share and worker (the table's key within a case run). */
function rowKey(row: Pick<IntervalRow, 'second' | 'share_index' | 'worker_id'>): string {
  return `${row.second}/${row.share_index}/${row.worker_id}`;
}
