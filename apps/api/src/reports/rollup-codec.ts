/**
 * The bytes of a report rollup (report_rollups.data): a case run's folded state, so that its report
 * is built again without its interval rows, value for value. Format ROLLUP_VERSION, zlib-deflated:
 *
 *   u32 LE   header length H
 *   H bytes  header, JSON: {first, span, width, rows, iterations, cards: [{key, seconds, ...}]}
 *            where each cell carries its counters (requests, outcomes, statusClasses, bytes, rt
 *            sum/min/max) and `buckets`, the number of histogram buckets in use, and each card
 *            `seconds`, the number of seconds it ran in
 *   N x 8    N float64 values, byte-shuffled (byte b of value i, little-endian, at b * N + i: the
 *            high bytes of small whole numbers are runs of zeros, which deflates 2.7 times better):
 *            the case series, `width` columns of `span` seconds each (column after column), then
 *            for each cell (iterations first, then the cards in header order) the indices of its
 *            histogram buckets in use followed by their counts, then for each card its seconds
 *            (the second, then its CARD_COLUMNS figures, each; CardSeries.raw)
 *
 * The series holds what the curves, the KPI and knee verdicts and the per-second peaks read; the
 * whole-run histograms (the engine's layout, 1 us .. 1 h, 3 digits) what percentiles and the
 * response-time distribution read; a card's seconds its traffic, peaks and curves. Counts are whole
 * numbers and every value is a float64 as folded, so nothing is rounded. Change anything here and
 * bump ROLLUP_VERSION: rollups of another version are rebuilt from the intervals.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { OUTCOMES, type StatsCounters } from '@perftest/model';
import {
  CARD_COLUMNS,
  CardSeries,
  CaseRunAccumulator,
  emptyCell,
  histogramLayout,
  SecondSeries,
  type AccumulatorState,
  type CardTotals,
  type CellTotals,
  type CompactHistogram,
} from '@perftest/engine';

/** The format version written in report_rollups.version. */
export const ROLLUP_VERSION = 5;

/** zlib level (an hour of 10 cards: ~90 KB in ~20 ms; level 1 gives ~105 KB in ~5 ms). */
const DEFLATE_LEVEL = 6;

/** Whether this machine stores float64 little-endian (the byte order of the format). */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** A cell's counters as the header holds them. */
interface CellHeader extends StatsCounters {
  buckets: number;
}

interface Header {
  first: number | null;
  span: number;
  width: number;
  rows: number;
  iterations: CellHeader;
  cards: Array<CellHeader & { key: string; seconds: number }>;
}

/** The buckets in use of a histogram: their indices, then their counts. */
function bucketsOf(histogram: CompactHistogram): { indices: number[]; counts: number[] } {
  const indices: number[] = [];
  const counts: number[] = [];
  histogram.forEachBucket((index, count) => {
    indices.push(index);
    counts.push(count);
  });
  return { indices, counts };
}

/** The counters of a cell. */
function countersOf(cell: CellTotals, buckets: number): CellHeader {
  const { requests, outcomes, statusClasses, sentBytes, recBytes, rtSumUs, rtMinUs, rtMaxUs } = cell;
  return { requests, outcomes, statusClasses, sentBytes, recBytes, rtSumUs, rtMinUs, rtMaxUs, buckets };
}

/** The rollup bytes of an accumulator. */
export function encodeRollup(acc: CaseRunAccumulator): Buffer {
  const state = acc.state();
  const cards = [...state.cards];
  const cells: CellTotals[] = [state.iterations, ...cards.map(([, card]) => card)];
  const buckets = cells.map((cell) => bucketsOf(cell.histogram));
  const seconds = cards.map(([, card]) => card.seconds.raw());
  const series = state.series;
  const span = series.span;
  const header: Header = {
    first: span === 0 ? null : series.first,
    span,
    width: series.width,
    rows: state.rows,
    iterations: countersOf(state.iterations, buckets[0].indices.length),
    cards: cards.map(([key, card], i) => ({
      key,
      seconds: card.seconds.size,
      ...countersOf(card, buckets[i + 1].indices.length),
    })),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const count =
    series.width * span + buckets.reduce((n, b) => n + 2 * b.indices.length, 0) + seconds.reduce((n, raw) => n + raw.length, 0);
  const values = new Float64Array(count);
  let at = 0;
  for (let c = 0; c < series.width; c++) {
    values.set(series.values(c), at);
    at += span;
  }
  for (const b of buckets) {
    values.set(b.indices, at);
    values.set(b.counts, at + b.indices.length);
    at += 2 * b.indices.length;
  }
  for (const raw of seconds) {
    values.set(raw, at);
    at += raw.length;
  }
  const out = Buffer.alloc(4 + json.length + values.byteLength);
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  shuffle(new Uint8Array(values.buffer), out.subarray(4 + json.length), values.length);
  return deflateSync(out, { level: DEFLATE_LEVEL });
}

/** Writes the bytes of `n` native float64 values to `to`, byte b (little-endian order) of value i at b * n + i. */
function shuffle(from: Uint8Array, to: Uint8Array, n: number): void {
  for (let b = 0; b < 8; b++) {
    const source = LITTLE_ENDIAN ? b : 7 - b;
    const base = b * n;
    for (let i = 0; i < n; i++) to[base + i] = from[i * 8 + source];
  }
}

/** The inverse of shuffle: `n` native float64 values from shuffled bytes. */
function unshuffle(from: Uint8Array, n: number): Float64Array {
  if (from.length < 8 * n) throw new Error('report rollup is truncated');
  const values = new Float64Array(n);
  const to = new Uint8Array(values.buffer);
  for (let b = 0; b < 8; b++) {
    const target = LITTLE_ENDIAN ? b : 7 - b;
    const base = b * n;
    for (let i = 0; i < n; i++) to[i * 8 + target] = from[base + i];
  }
  return values;
}

/** Hands out consecutive runs of values. */
class Reader {
  private at = 0;

  constructor(private readonly values: Float64Array) {}

  /** The next `n` values (a view). */
  take(n: number): Float64Array {
    if (this.at + n > this.values.length) throw new Error('report rollup is truncated');
    const out = this.values.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}

/** A cell from its header and its buckets. */
function restoreCell(header: CellHeader, reader: Reader): CellTotals {
  const cell = emptyCell();
  cell.requests = header.requests;
  for (const o of OUTCOMES) cell.outcomes[o] = header.outcomes?.[o] ?? 0;
  for (let i = 0; i < 5; i++) cell.statusClasses[i] = header.statusClasses?.[i] ?? 0;
  cell.sentBytes = header.sentBytes;
  cell.recBytes = header.recBytes;
  cell.rtSumUs = header.rtSumUs;
  cell.rtMinUs = header.rtMinUs;
  cell.rtMaxUs = header.rtMaxUs;
  const indices = reader.take(header.buckets);
  const counts = reader.take(header.buckets);
  const limit = histogramLayout().buckets;
  for (let i = 0; i < indices.length; i++) {
    if (!(indices[i] >= 0 && indices[i] < limit)) throw new Error(`report rollup bucket ${indices[i]} is outside the layout's ${limit}`);
    cell.histogram.addAtIndex(indices[i], counts[i]);
  }
  return cell;
}

/** The accumulator a rollup holds (restored: it answers reports but folds no more rows); throws on bad bytes. */
export function decodeRollup(data: Uint8Array): CaseRunAccumulator {
  const raw = inflateSync(data);
  const length = raw.readUInt32LE(0);
  const header = JSON.parse(raw.toString('utf8', 4, 4 + length)) as Header;
  const cells = [header.iterations, ...header.cards];
  const count =
    header.width * header.span + cells.reduce((n, c) => n + 2 * c.buckets, 0) + header.cards.reduce((n, c) => n + c.seconds * (1 + CARD_COLUMNS), 0);
  const reader = new Reader(unshuffle(raw.subarray(4 + length), count));
  const columns: Float64Array[] = [];
  for (let c = 0; c < header.width; c++) columns.push(reader.take(header.span).slice());
  const series = SecondSeries.fromColumns(header.first ?? 0, columns);
  const iterations = restoreCell(header.iterations, reader);
  const totals = header.cards.map((c) => restoreCell(c, reader));
  const cards = new Map<string, CardTotals>();
  header.cards.forEach((c, i) => cards.set(c.key, { ...totals[i], seconds: new CardSeries(reader.take(c.seconds * (1 + CARD_COLUMNS)).slice()) }));
  const state: AccumulatorState = { series, cards, iterations, rows: header.rows };
  return new CaseRunAccumulator(state);
}
