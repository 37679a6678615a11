/**
 * Per-second figures of one case run, dense: one Float64Array per column indexed by the second's
 * offset from the first second seen. Rows of several shares and workers for the same second add
 * into the same slot; rows may arrive in any order (a late share, a late worker), so the table grows
 * at either end. Only case-level columns live here (a fixed width, whatever the number of cards);
 * each card's own seconds are in its CardSeries (card-series.ts).
 */

/** The case-level columns, summed over the cards of every row of a second (users over rows). */
export const Col = {
  /** Interval rows folded into the second (0: no data for it). */
  rows: 0,
  /** Active virtual users: the sum over the second's rows. */
  users: 1,
  /** Stage index running at the end of the second (the highest over its rows). */
  stage: 2,
  requests: 3,
  success: 4,
  checkPointFailed: 5,
  parsedFailed: 6,
  refusedFailed: 7,
  timeout: 8,
  othersFailed: 9,
  rtSumUs: 10,
  sentBytes: 11,
  recBytes: 12,
  /** Case iterations (transactions) completed, and those that succeeded. */
  iterations: 13,
  iterationsOk: 14,
  /** Iterations started, and starts dropped because every user was busy (TPS modes). */
  started: 15,
  dropped: 16,
  /** Requests aborted in flight by a stop or the plan's end (docs/run-lifecycle.md#stop). */
  aborted: 17,
} as const;

/** Columns of the case series. */
export const CASE_COLUMNS = 18;

const INITIAL_CAPACITY = 64;

/** A growable table of per-second columns. */
export class SecondSeries {
  private columns: Float64Array[] = [];
  private origin = 0;
  private capacity = 0;
  /** First and last second holding data (NaN while empty). */
  first = Number.NaN;
  last = Number.NaN;

  constructor(columnCount: number) {
    for (let i = 0; i < columnCount; i++) this.columns.push(new Float64Array(0));
  }

  /** Number of columns. */
  get width(): number {
    return this.columns.length;
  }

  /** The slot of `second`, growing the table to hold it. */
  slot(second: number): number {
    if (this.capacity === 0) {
      this.origin = second;
      this.resize(INITIAL_CAPACITY, 0);
    } else if (second < this.origin) {
      const shift = Math.max(this.origin - second, this.capacity);
      this.resize(this.capacity + shift, shift);
      this.origin -= shift;
    } else if (second - this.origin >= this.capacity) {
      this.resize(Math.max(this.capacity * 2, second - this.origin + 1), 0);
    }
    if (!(second >= this.first)) this.first = second;
    if (!(second <= this.last)) this.last = second;
    return second - this.origin;
  }

  /** Adds `value` to `column` at `slot`. */
  add(slot: number, column: number, value: number): void {
    this.columns[column][slot] += value;
  }

  /** Raises `column` at `slot` to `value` when higher. */
  raise(slot: number, column: number, value: number): void {
    const col = this.columns[column];
    if (value > col[slot]) col[slot] = value;
  }

  /** The value of `column` at `second` (0 outside the table). */
  get(second: number, column: number): number {
    const i = second - this.origin;
    return i >= 0 && i < this.capacity ? this.columns[column][i] : 0;
  }

  /**
   * The values of `column` from `first` to `last` (a view: copy it before the series grows). Empty
   * while the series is.
   */
  values(column: number): Float64Array {
    if (Number.isNaN(this.first)) return new Float64Array(0);
    return this.columns[column].subarray(this.first - this.origin, this.last - this.origin + 1);
  }

  /** A series of the seconds from `first` on holding `columns` (each of the same length, taken as is). */
  static fromColumns(first: number, columns: Float64Array[]): SecondSeries {
    const series = new SecondSeries(0);
    const length = columns.length === 0 ? 0 : columns[0].length;
    series.columns = columns;
    series.capacity = length;
    series.origin = first;
    if (length > 0) {
      series.first = first;
      series.last = first + length - 1;
    }
    return series;
  }

  /** Seconds from `first` to `last` (0 when empty). */
  get span(): number {
    return Number.isNaN(this.first) ? 0 : this.last - this.first + 1;
  }

  private resize(capacity: number, shift: number): void {
    this.columns = this.columns.map((old) => {
      const grown = new Float64Array(capacity);
      grown.set(old, shift);
      return grown;
    });
    this.capacity = capacity;
  }
}
