/**
 * The bytes of a report rollup (report_rollups.data): a case run's folded state, so that its report
 * is built again without its interval rows, value for value. Format ROLLUP_VERSION 1, zlib-deflated:
 *
 *   u32 LE   header length H
 *   H bytes  header, JSON: {first, span, width, rows, iterations, cards: [{key, column, ...}]} where
 *            each cell carries its counters (requests, outcomes, statusClasses, bytes, rt sum/min/max)
 *            and `buckets`, the number of histogram buckets in use
 *   padding  zeros up to a multiple of 8 bytes
 *   f64 LE   the series: `width` columns of `span` seconds each (column after column), then for each
 *            cell (iterations first, then the cards in header order) the indices of its histogram
 *            buckets in use followed by their counts
 *
 * The series holds what the curves, the KPI and knee verdicts and the per-second peaks read; the
 * whole-run histograms (the engine's merge layout, 1 us .. 1 h, 3 digits) what percentiles and the
 * response-time distribution read. Counts are whole numbers and every value is a float64 as folded,
 * so nothing is rounded. Change anything here and bump ROLLUP_VERSION: rollups of another version
 * are rebuilt from the intervals.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { OUTCOMES, type StatsCounters } from '@perftest/model';
import { CaseRunAccumulator, emptyCell, type AccumulatorState, type CellTotals } from './accumulator.js';
import type { Accumulator } from './histogram-fold.js';
import { SecondSeries } from './second-series.js';

/** The format version written in report_rollups.version. */
export const ROLLUP_VERSION = 1;

/** zlib level: the series compresses about 4:1 either way; level 1 deflates it several times faster. */
const DEFLATE_LEVEL = 1;

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
  cards: Array<CellHeader & { key: string; column: number }>;
}

/** The buckets in use of a settled histogram: their indices, then their counts. */
function bucketsOf(histogram: Accumulator): { indices: number[]; counts: number[] } {
  const indices: number[] = [];
  const counts: number[] = [];
  if (histogram.totalCount === 0) return { indices, counts };
  for (let i = 0; i < histogram.countsArrayLength; i++) {
    const count = histogram.getCountAtIndex(i);
    if (count !== 0) {
      indices.push(i);
      counts.push(count);
    }
  }
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
  const cells = [state.iterations, ...state.cards.map((c) => c.cell)];
  const buckets = cells.map((cell) => bucketsOf(cell.histogram));
  const series = state.series;
  const span = series.span;
  const header: Header = {
    first: span === 0 ? null : series.first,
    span,
    width: series.width,
    rows: state.rows,
    iterations: countersOf(state.iterations, buckets[0].indices.length),
    cards: state.cards.map((c, i) => ({ key: c.key, column: c.column, ...countersOf(c.cell, buckets[i + 1].indices.length) })),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const bodyStart = Math.ceil((4 + json.length) / 8) * 8;
  const values = series.width * span + buckets.reduce((n, b) => n + 2 * b.indices.length, 0);
  const out = Buffer.alloc(bodyStart + 8 * values);
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  let at = bodyStart;
  for (let c = 0; c < series.width; c++) {
    for (const value of series.values(c)) at = out.writeDoubleLE(value, at);
  }
  for (const b of buckets) {
    for (const index of b.indices) at = out.writeDoubleLE(index, at);
    for (const count of b.counts) at = out.writeDoubleLE(count, at);
  }
  return deflateSync(out, { level: DEFLATE_LEVEL });
}

/** Reads float64 LE values in order from a buffer. */
class Reader {
  constructor(
    private readonly buf: Buffer,
    private at: number,
  ) {}

  /** The next `n` values. */
  take(n: number): Float64Array {
    const out = new Float64Array(n);
    const buf = this.buf;
    let at = this.at;
    if (at + 8 * n > buf.length) throw new Error('report rollup is truncated');
    for (let i = 0; i < n; i++, at += 8) out[i] = buf.readDoubleLE(at);
    this.at = at;
    return out;
  }
}

/** A cell from its header and its buckets (the histogram left unsettled). */
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
  const histogram = cell.histogram;
  const limit = histogram.countsArrayLength;
  let total = 0;
  for (let i = 0; i < indices.length; i++) {
    if (indices[i] >= limit) throw new Error(`report rollup bucket ${indices[i]} is beyond the histogram's ${limit}`);
    histogram.addToCountAtIndex(indices[i], counts[i]);
    total += counts[i];
  }
  histogram.addToTotalCount(total);
  return cell;
}

/** The accumulator a rollup holds (restored: it answers reports but folds no more rows). */
export function decodeRollup(data: Uint8Array): CaseRunAccumulator {
  const raw = inflateSync(data);
  const length = raw.readUInt32LE(0);
  const header = JSON.parse(raw.toString('utf8', 4, 4 + length)) as Header;
  const reader = new Reader(raw, Math.ceil((4 + length) / 8) * 8);
  const columns: Float64Array[] = [];
  for (let c = 0; c < header.width; c++) columns.push(reader.take(header.span));
  const series = SecondSeries.fromColumns(header.first ?? 0, columns);
  const iterations = restoreCell(header.iterations, reader);
  const cards = header.cards.map((c) => ({ key: c.key, column: c.column, cell: restoreCell(c, reader) }));
  const state: AccumulatorState = { series, cards, iterations, rows: header.rows };
  return new CaseRunAccumulator([], state);
}
