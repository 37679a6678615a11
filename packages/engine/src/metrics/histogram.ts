/**
 * The one place that decides how response-time histograms are laid out, encoded and decoded, so that
 * every recorder, merger, accumulator and report agrees on range and resolution.
 *
 * Layout: 1 us .. 3,600,000,000 us (one hour), 3 significant digits (hdr-histogram-js's bucket
 * layout: 23,552 buckets). Values outside are clamped. Index <-> value mapping is the library's.
 *
 * Encoded form (the `histogram` string of an interval's cell), one of:
 *  - '' when the cell is empty;
 *  - the bucket form for up to COMPACT_MAX values (or buckets of a merge): `i:` followed by the
 *    buckets in use in ascending order, comma-separated, each as the base-36 distance from the
 *    previous bucket index (the first from 0), with `*count` in base 36 when above 1 (`i:1kw,2*3`).
 *    A card of a few users holds a handful of requests a second; this form needs no histogram and
 *    no zlib to write or read (a fifth of the HDR form's decoding time), at about its size;
 *  - HDR V2 compressed base64 (hdr-histogram-js) for larger cells, decoded by the library;
 *  - `b:` followed by comma-separated values in us (each optionally `*count`), which intervals
 *    stored by an earlier version hold: still read.
 *
 * Measured on this machine (Node 20, loaded; ratios, not absolute figures) while choosing the forms
 * behind it: recording 10 M values into a WASM Int32 histogram 1x, WASM packed 6.5x, JS packed 17x,
 * JS Int32 4x, appending to a typed array 0.07x; each WASM Int32 or JS Int32 histogram holds ~95 KB
 * (Float64 ~190 KB) whatever it records, so one per request card grows 0.3-0.5 MB per card over a
 * worker and the API. The library's packed histograms are small but slow to read: decoding one cell
 * into a PackedHistogram took 29x and reading 8 percentiles from one 40x the dense figures, too slow
 * for a report of 10,000 cards. Hence: a cell buffers its raw values (stats-cell.ts) and is encoded
 * once a second here; every merge and whole-run total is a CompactHistogram (its used buckets only,
 * compact-histogram.ts), whose percentiles follow the library's definition bucket for bucket.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, Float64Histogram, initWebAssemblySync, JsHistogram, type Histogram } from 'hdr-histogram-js';
import type { CompactHistogram } from './compact-histogram.js';

/** The hdr-histogram-js histogram interface. */
export type { Histogram };

/** Lowest recordable response time in microseconds. */
export const HISTOGRAM_LOWEST_US = 1;
/** Highest recordable response time in microseconds (one hour). */
export const HISTOGRAM_HIGHEST_US = 3_600_000_000;
/** Significant decimal digits kept by every histogram. */
export const HISTOGRAM_DIGITS = 3;
/** Cells of at most this many values (or merges of as many buckets) take the bucket form. */
export const COMPACT_MAX = 256;
/** Prefix of the bucket form, and of the value form earlier versions wrote. */
const BUCKETS_PREFIX = 'i:';
const VALUES_PREFIX = 'b:';

/** A dense JS histogram of the standard layout (the library's mapping and the scratch of merges). */
function denseHistogram(): JsHistogram {
  return new Float64Histogram(HISTOGRAM_LOWEST_US, HISTOGRAM_HIGHEST_US, HISTOGRAM_DIGITS);
}

/** The standard layout as the library computes it: bucket of a value, values of a bucket. */
class Layout {
  readonly buckets: number;
  /** Highest and lowest value equivalent to each bucket (percentiles, distribution buckets). */
  readonly highest: Float64Array;
  readonly lowest: Float64Array;
  private readonly reference: JsHistogram;

  constructor() {
    this.reference = denseHistogram();
    this.buckets = this.reference.countsArrayLength;
    this.highest = new Float64Array(this.buckets);
    this.lowest = new Float64Array(this.buckets);
    for (let i = 0; i < this.buckets; i++) {
      const value = this.reference.valueFromIndex(i);
      this.lowest[i] = this.reference.lowestEquivalentValue(value);
      this.highest[i] = this.reference.highestEquivalentValue(value);
    }
  }

  /** The bucket of a clamped value. */
  indexOf(us: number): number {
    return this.reference.countsArrayIndex(us);
  }
}

let layout: Layout | undefined;

/** The standard layout (computed once per thread). */
export function histogramLayout(): Layout {
  layout ??= new Layout();
  return layout;
}

let wasmState: 'unknown' | 'ready' | 'unavailable' = 'unknown';

/** Loads the WASM histogram module once per thread; false when WebAssembly cannot be used here. */
function wasmReady(): boolean {
  if (wasmState === 'unknown') {
    try {
      initWebAssemblySync();
      wasmState = 'ready';
    } catch {
      wasmState = 'unavailable';
    }
  }
  return wasmState === 'ready';
}

/** A histogram of the standard layout for recording many values at once (WASM Int32 when available). */
export function createRecordingHistogram(): Histogram {
  return build({
    bitBucketSize: 32,
    autoResize: false,
    lowestDiscernibleValue: HISTOGRAM_LOWEST_US,
    highestTrackableValue: HISTOGRAM_HIGHEST_US,
    numberOfSignificantValueDigits: HISTOGRAM_DIGITS,
    useWebAssembly: wasmReady(),
  });
}

/** The thread's scratch histograms for encoding large cells (used synchronously, then reset). */
let recordingScratch: Histogram | undefined;
let mergeScratch: JsHistogram | undefined;

/** Clamps a response time into the recordable range and rounds it to whole microseconds. */
export function clampUs(us: number): number {
  if (!(us >= HISTOGRAM_LOWEST_US)) return HISTOGRAM_LOWEST_US; // also catches NaN
  if (us >= HISTOGRAM_HIGHEST_US) return HISTOGRAM_HIGHEST_US;
  return Math.round(us);
}

/** Bucket indices of a small cell's values, sorted (reused by every encode of the thread). */
const indexScratch = new Int32Array(COMPACT_MAX);

/** The bucket form of sorted bucket indices, counting repeats. */
function bucketText(indices: Int32Array): string {
  let text = BUCKETS_PREFIX;
  let previous = 0;
  for (let i = 0; i < indices.length; ) {
    const index = indices[i];
    let n = 1;
    while (i + n < indices.length && indices[i + n] === index) n++;
    text += `${i === 0 ? '' : ','}${(index - previous).toString(36)}${n === 1 ? '' : `*${n.toString(36)}`}`;
    previous = index;
    i += n;
  }
  return text;
}

/** The encoded form of `count` raw values (clamped us), as a cell records them. */
export function encodeValues(values: Uint32Array, count: number): string {
  if (count === 0) return '';
  if (count <= COMPACT_MAX) {
    const layout = histogramLayout();
    const indices = indexScratch.subarray(0, count);
    for (let i = 0; i < count; i++) indices[i] = layout.indexOf(values[i]);
    return bucketText(indices.sort());
  }
  recordingScratch ??= createRecordingHistogram();
  const scratch = recordingScratch;
  for (let i = 0; i < count; i++) scratch.recordValue(values[i]);
  const encoded = encodeIntoCompressedBase64(scratch);
  scratch.reset();
  return encoded;
}

/** The encoded form of a histogram (a merge, or one built by hand). */
export function encodeHistogram(histogram: CompactHistogram | Histogram): string {
  if (!('forEachBucket' in histogram)) return histogram.totalCount === 0 ? '' : encodeIntoCompressedBase64(histogram);
  if (histogram.totalCount === 0) return '';
  if (histogram.bucketCount <= COMPACT_MAX) {
    let text = BUCKETS_PREFIX;
    let previous = 0;
    histogram.forEachBucket((index, count) => {
      text += `${text.length === BUCKETS_PREFIX.length ? '' : ','}${(index - previous).toString(36)}${count === 1 ? '' : `*${count.toString(36)}`}`;
      previous = index;
    });
    return text;
  }
  mergeScratch ??= denseHistogram();
  const scratch = mergeScratch;
  histogram.forEachBucket((index, count) => scratch.setCountAtIndex(index, count));
  scratch.establishInternalTackingValues();
  const encoded = encodeIntoCompressedBase64(scratch);
  scratch.reset();
  return encoded;
}

/**
 * Adds the histogram encoded in `encoded` to `target`. `count`, the cell's request count (the
 * histogram's total), lets an HDR cell be decoded into the smallest library histogram that holds
 * its counts.
 */
export function decodeInto(target: CompactHistogram, encoded: string, count = Number.POSITIVE_INFINITY): void {
  if (encoded === '') return;
  if (encoded.startsWith(BUCKETS_PREFIX)) return decodeBuckets(target, encoded);
  if (encoded.startsWith(VALUES_PREFIX)) return decodeValues(target, encoded);
  const size = count < 256 ? 8 : count < 65_536 ? 16 : count < 2 ** 31 ? 32 : 64;
  let decoded = decodeFromCompressedBase64(encoded, size, false, HISTOGRAM_HIGHEST_US) as JsHistogram;
  // A total that does not match means the counts did not fit the small buckets: decode wide.
  if (size !== 64 && Number.isFinite(count) && decoded.totalCount !== count) {
    decoded = decodeFromCompressedBase64(encoded, 64, false, HISTOGRAM_HIGHEST_US) as JsHistogram;
  }
  if (decoded.totalCount === 0) return;
  const last = decoded.countsArrayIndex(decoded.maxValue);
  const sameLayout =
    decoded.countsArrayLength === histogramLayout().buckets && decoded.unitMagnitude === 0 && decoded.numberOfSignificantValueDigits === HISTOGRAM_DIGITS;
  for (let i = 0; i <= last; i++) {
    const n = decoded.getCountAtIndex(i);
    if (n === 0) continue;
    if (sameLayout) target.addAtIndex(i, n);
    else target.recordValue(decoded.valueFromIndex(i), n);
  }
}

/** Adds the buckets of the bucket form (one pass over its characters). */
function decodeBuckets(target: CompactHistogram, encoded: string): void {
  const limit = histogramLayout().buckets;
  let index = 0;
  let number = 0;
  let delta = -1;
  let digits = 0;
  const bad = (at: number) => new Error(`bad bucket histogram at ${at}: ${encoded.slice(Math.max(0, at - 8), at + 8)}`);
  for (let at = BUCKETS_PREFIX.length; at <= encoded.length; at++) {
    const c = at < encoded.length ? encoded.charCodeAt(at) : 44; // a final ','
    if (c === 44 || c === 42) {
      if (digits === 0) throw bad(at);
      if (c === 42) {
        if (delta >= 0) throw bad(at);
        delta = number;
      } else {
        const count = delta >= 0 ? number : 1;
        index += delta >= 0 ? delta : number;
        if (index >= limit) throw bad(at);
        target.addAtIndex(index, count);
        delta = -1;
      }
      number = 0;
      digits = 0;
      continue;
    }
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : -1;
    if (d < 0) throw bad(at);
    number = number * 36 + d;
    digits++;
  }
}

/** Adds the values of the value form (written by earlier versions). */
function decodeValues(target: CompactHistogram, encoded: string): void {
  let at = VALUES_PREFIX.length;
  while (at < encoded.length) {
    let end = encoded.indexOf(',', at);
    if (end < 0) end = encoded.length;
    const star = encoded.indexOf('*', at);
    const value = Number(encoded.slice(at, star >= 0 && star < end ? star : end));
    const count = star >= 0 && star < end ? Number(encoded.slice(star + 1, end)) : 1;
    if (!Number.isFinite(value) || !(count > 0)) throw new Error(`bad value histogram entry at ${at}: ${encoded.slice(at, end)}`);
    target.recordValue(value, count);
    at = end + 1;
  }
}
