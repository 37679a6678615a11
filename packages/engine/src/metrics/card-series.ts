/**
 * The per-second figures of one request card, sparse: one entry per second in which the card
 * completed requests (its bytes, requests, outcomes and response-time sum, CardCol below), so a card
 * costs 88 bytes per second it ran in, not a column per second of the run. Rows of several shares
 * and workers for the same second add into the same entry; rows arrive mostly in order, and one
 * that arrives late joins its second's entry or is put in order before the next read.
 */
import { OUTCOMES, PACKED_STATS as P, type EncodedStats, type PackedStats } from '@perftest/model';
import { CASE_COLUMNS, Col, SecondSeries } from './second-series.js';

/** A card's figures of one second, as offsets within its entry. */
export const CardCol = {
  sentBytes: 0,
  recBytes: 1,
  requests: 2,
  success: 3,
  checkPointFailed: 4,
  parsedFailed: 5,
  refusedFailed: 6,
  timeout: 7,
  othersFailed: 8,
  rtSumUs: 9,
} as const;

/** Figures per entry. */
export const CARD_COLUMNS = 10;

/** The case columns a card's figures stand in for when the card is drawn as a case (cardView). */
const STANDS_IN: ReadonlyArray<readonly [number, number]> = [
  [Col.requests, CardCol.requests],
  [Col.success, CardCol.success],
  [Col.checkPointFailed, CardCol.checkPointFailed],
  [Col.parsedFailed, CardCol.parsedFailed],
  [Col.refusedFailed, CardCol.refusedFailed],
  [Col.timeout, CardCol.timeout],
  [Col.othersFailed, CardCol.othersFailed],
  [Col.rtSumUs, CardCol.rtSumUs],
  [Col.sentBytes, CardCol.sentBytes],
  [Col.recBytes, CardCol.recBytes],
];

const OUTCOME_COLUMNS: readonly number[] = OUTCOMES.map((o) => CardCol[o]);
/** Numbers per entry: its second, then its figures. */
const STRIDE = 1 + CARD_COLUMNS;

/** The seconds of one card. */
export class CardSeries {
  private data: Float64Array;
  private length = 0;
  /** Whether the entries are in order of their seconds. */
  private ordered = true;

  constructor(data?: Float64Array) {
    this.data = data ?? new Float64Array(STRIDE * 4);
    this.length = data === undefined ? 0 : data.length / STRIDE;
  }

  /** Seconds with an entry. */
  get size(): number {
    return this.length;
  }

  /** Adds a row's cell of this card at `second`. */
  add(second: number, stats: EncodedStats): void {
    const at = this.entryOf(second) + 1;
    const d = this.data;
    d[at + CardCol.sentBytes] += stats.sentBytes;
    d[at + CardCol.recBytes] += stats.recBytes;
    d[at + CardCol.requests] += stats.requests;
    for (let i = 0; i < OUTCOMES.length; i++) d[at + OUTCOME_COLUMNS[i]] += stats.outcomes[OUTCOMES[i]] ?? 0;
    d[at + CardCol.rtSumUs] += stats.rtSumUs;
  }

  /** add() of a cell in its stored form (PACKED_STATS positions: the outcomes follow OUTCOMES from `success` on). */
  addPacked(second: number, cell: PackedStats): void {
    const at = this.entryOf(second) + 1;
    const d = this.data;
    d[at + CardCol.sentBytes] += cell[P.sentBytes];
    d[at + CardCol.recBytes] += cell[P.recBytes];
    d[at + CardCol.requests] += cell[P.requests];
    for (let i = 0; i < OUTCOMES.length; i++) d[at + OUTCOME_COLUMNS[i]] += cell[P.success + i] as number;
    d[at + CardCol.rtSumUs] += cell[P.rtSumUs];
  }

  /** Calls `fn` for each second with an entry, in order, with the entry's figures (CardCol offsets). */
  forEachSecond(fn: (second: number, figures: Float64Array) => void): void {
    this.order();
    for (let i = 0; i < this.length; i++) fn(this.data[i * STRIDE], this.data.subarray(i * STRIDE + 1, (i + 1) * STRIDE));
  }

  /** The highest per-second value of a figure (0 without entries). */
  max(column: number): number {
    let max = 0;
    for (let i = 0; i < this.length; i++) max = Math.max(max, this.data[i * STRIDE + 1 + column]);
    return max;
  }

  /**
   * The case series with its request figures (requests, outcomes, response-time sum, bytes) replaced
   * by this card's, second for second: the curves of the case narrowed to the card. Users, stage and
   * rows stay the case's.
   */
  asCase(caseSeries: SecondSeries): SecondSeries {
    if (caseSeries.span === 0) return new SecondSeries(CASE_COLUMNS);
    const columns: Float64Array[] = [];
    for (let c = 0; c < CASE_COLUMNS; c++) columns.push(caseSeries.values(c).slice());
    for (const [caseColumn] of STANDS_IN) columns[caseColumn].fill(0);
    this.forEachSecond((second, figures) => {
      const slot = second - caseSeries.first;
      if (slot < 0 || slot >= caseSeries.span) return;
      for (const [caseColumn, offset] of STANDS_IN) columns[caseColumn][slot] = figures[offset];
    });
    return SecondSeries.fromColumns(caseSeries.first, columns);
  }

  /** The entries as stored (second, then CARD_COLUMNS figures, each), in order of seconds. */
  raw(): Float64Array {
    this.order();
    return this.data.subarray(0, this.length * STRIDE);
  }

  /** The offset of `second`'s entry, made when missing. */
  private entryOf(second: number): number {
    for (let i = this.length - 1; i >= 0; i--) {
      const s = this.data[i * STRIDE];
      if (s === second) return i * STRIDE;
      if (s < second && this.ordered) break;
    }
    if (this.length > 0 && this.data[(this.length - 1) * STRIDE] > second) this.ordered = false;
    if ((this.length + 1) * STRIDE > this.data.length) {
      const grown = new Float64Array(Math.max(STRIDE * 2, this.data.length * 2));
      grown.set(this.data);
      this.data = grown;
    }
    const at = this.length * STRIDE;
    this.data[at] = second;
    this.length++;
    return at;
  }

  private order(): void {
    if (this.ordered) return;
    const order = Array.from({ length: this.length }, (_, i) => i).sort((a, b) => this.data[a * STRIDE] - this.data[b * STRIDE]);
    const sorted = new Float64Array(this.data.length);
    order.forEach((from, to) => sorted.set(this.data.subarray(from * STRIDE, (from + 1) * STRIDE), to * STRIDE));
    this.data = sorted;
    this.ordered = true;
  }
}
