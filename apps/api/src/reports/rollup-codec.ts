/**
 * The bytes of a report rollup (report_rollups.data): a case run's folded state, so that its report
 * is built again without its interval rows, value for value. Format ROLLUP_VERSION, zlib-deflated:
 *
 *   u32 LE   header length H
 *   H bytes  header, JSON: {first, span, width, rows, keys, errors}: the case series' first second,
 *            its seconds and columns, the rows folded, the request cards' keys in order, and the
 *            failure reason of the cards that have one (by key)
 *   N x 8    N float64 values, byte-shuffled (byte b of value i, little-endian, at b * N + i: the
 *            high bytes of small whole numbers are runs of zeros, which deflates 2.7 times better):
 *            the case series, `width` columns of `span` seconds each (column after column); then
 *            for each cell (iterations first, then the cards in key order) its CELL_FIELDS
 *            counters (requests, the outcomes in OUTCOMES order, the five status classes, sent and
 *            received bytes, response-time sum, min and max, then its histogram buckets in use B
 *            and, for a card, its seconds S); then for each cell its B bucket indices and B counts,
 *            and for each card its S seconds (the second, then its CARD_COLUMNS figures; CardSeries.raw)
 *
 * The series holds what the curves, the KPI and knee verdicts and the per-second peaks read; the
 * whole-run histograms (the engine's layout, 1 us .. 1 h, 3 digits) what percentiles and the
 * response-time distribution read; a card's seconds its traffic, peaks and curves. Counts are whole
 * numbers and every value is a float64 as folded, so nothing is rounded. Counters travel as numbers,
 * not JSON, so that a case of 10,000 cards rolls up and back in milliseconds. Change anything here
 * and bump ROLLUP_VERSION: rollups of another version are rebuilt from the intervals.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { OUTCOMES } from '@perftest/model';
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
} from '@perftest/engine';

/** The format version written in report_rollups.version. */
export const ROLLUP_VERSION = 7;

/**
 * zlib level (an hour of 10 cards: ~90 KB in ~20 ms; level 1 gives ~105 KB in ~5 ms); above
 * FAST_ABOVE bytes (a case of thousands of cards) level 1, whose time grows far slower.
 */
const DEFLATE_LEVEL = 6;
const FAST_ABOVE = 4 * 1024 * 1024;

/** Whether this machine stores float64 little-endian (the byte order of the format). */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** Numbers per cell before its buckets: counters, buckets in use, seconds (0 for the iterations). */
const CELL_FIELDS = 1 + OUTCOMES.length + 5 + 5 + 2;
/** Numbers per second of a card. */
const SECOND_FIELDS = 1 + CARD_COLUMNS;

interface Header {
  first: number | null;
  span: number;
  width: number;
  rows: number;
  keys: string[];
  /** Failure reasons of the cards that have one (CardTotals.error). */
  errors: Record<string, string>;
}

/** Writes a cell's fields at `at`. */
function writeCell(values: Float64Array, at: number, cell: CellTotals, seconds: number): void {
  values[at++] = cell.requests;
  for (const o of OUTCOMES) values[at++] = cell.outcomes[o];
  for (let i = 0; i < 5; i++) values[at++] = cell.statusClasses[i];
  values[at++] = cell.sentBytes;
  values[at++] = cell.recBytes;
  values[at++] = cell.rtSumUs;
  values[at++] = cell.rtMinUs;
  values[at++] = cell.rtMaxUs;
  values[at++] = cell.histogram.bucketCount;
  values[at] = seconds;
}

/** The rollup bytes of an accumulator. */
export function encodeRollup(acc: CaseRunAccumulator): Buffer {
  const state = acc.state();
  const cards = [...state.cards.values()];
  const cells: CellTotals[] = [state.iterations, ...cards];
  const series = state.series;
  const span = series.span;
  const errors: Record<string, string> = {};
  for (const [key, card] of state.cards) if (card.error !== undefined) errors[key] = card.error;
  const header: Header = { first: span === 0 ? null : series.first, span, width: series.width, rows: state.rows, keys: [...state.cards.keys()], errors };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  let count = series.width * span + cells.length * CELL_FIELDS;
  for (const cell of cells) count += 2 * cell.histogram.bucketCount;
  for (const card of cards) count += card.seconds.size * SECOND_FIELDS;
  const values = new Float64Array(count);
  let at = 0;
  for (let c = 0; c < series.width; c++) {
    values.set(series.values(c), at);
    at += span;
  }
  cells.forEach((cell, i) => writeCell(values, at + i * CELL_FIELDS, cell, i === 0 ? 0 : cards[i - 1].seconds.size));
  at += cells.length * CELL_FIELDS;
  for (const cell of cells) {
    const buckets = cell.histogram.bucketCount;
    let n = 0;
    cell.histogram.forEachBucket((index, c) => {
      values[at + n] = index;
      values[at + buckets + n] = c;
      n++;
    });
    at += 2 * buckets;
  }
  for (const card of cards) {
    const raw = card.seconds.raw();
    values.set(raw, at);
    at += raw.length;
  }
  const out = Buffer.alloc(4 + json.length + values.byteLength);
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  shuffle(new Uint8Array(values.buffer), out.subarray(4 + json.length), values.length);
  return deflateSync(out, { level: out.length > FAST_ABOVE ? 1 : DEFLATE_LEVEL });
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

/** A cell from its fields; its buckets are added by the caller. */
function readCell(fields: Float64Array): CellTotals {
  const cell = emptyCell(fields[CELL_FIELDS - 2]);
  let at = 0;
  cell.requests = fields[at++];
  for (const o of OUTCOMES) cell.outcomes[o] = fields[at++];
  for (let i = 0; i < 5; i++) cell.statusClasses[i] = fields[at++];
  cell.sentBytes = fields[at++];
  cell.recBytes = fields[at++];
  cell.rtSumUs = fields[at++];
  cell.rtMinUs = fields[at++];
  cell.rtMaxUs = fields[at];
  return cell;
}

/** The accumulator a rollup holds (restored: it answers reports but folds no more rows); throws on bad bytes. */
export function decodeRollup(data: Uint8Array): CaseRunAccumulator {
  const raw = inflateSync(data);
  const length = raw.readUInt32LE(0);
  const header = JSON.parse(raw.toString('utf8', 4, 4 + length)) as Header;
  const values = unshuffle(raw.subarray(4 + length), (raw.length - 4 - length) / 8);
  const reader = new Reader(values);
  const columns: Float64Array[] = [];
  for (let c = 0; c < header.width; c++) columns.push(reader.take(header.span).slice());
  const series = SecondSeries.fromColumns(header.first ?? 0, columns);
  const fields = reader.take((1 + header.keys.length) * CELL_FIELDS);
  const cells = Array.from({ length: 1 + header.keys.length }, (_, i) => fields.subarray(i * CELL_FIELDS, (i + 1) * CELL_FIELDS));
  const limit = histogramLayout().buckets;
  const totals = cells.map((f) => {
    const cell = readCell(f);
    const buckets = f[CELL_FIELDS - 2];
    const indices = reader.take(buckets);
    const counts = reader.take(buckets);
    for (let i = 0; i < buckets; i++) {
      if (!(indices[i] >= 0 && indices[i] < limit)) throw new Error(`report rollup bucket ${indices[i]} is outside the layout's ${limit}`);
      cell.histogram.addAtIndex(indices[i], counts[i]);
    }
    return cell;
  });
  const cards = new Map<string, CardTotals>();
  header.keys.forEach((key, i) => {
    const seconds = cells[i + 1][CELL_FIELDS - 1];
    const card: CardTotals = { ...totals[i + 1], seconds: new CardSeries(reader.take(seconds * SECOND_FIELDS).slice()) };
    const error = header.errors?.[key];
    if (error !== undefined) card.error = error;
    cards.set(key, card);
  });
  const state: AccumulatorState = { series, cards, iterations: totals[0], rows: header.rows };
  return new CaseRunAccumulator(state);
}
