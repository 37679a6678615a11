/**
 * Folding encoded interval histograms into a whole-run accumulator without decoding each into a
 * histogram of its own. A report adds up thousands of per-second histograms (one per card per
 * second per share); decoding each with hdr-histogram-js allocates and scans a ~95 KB counts array
 * (about 0.4 ms each here), while the encoded form lists only the buckets in use. This reads that
 * form — HDR "V2 compressed": a cookie, a zlib stream, inside it a 40-byte header and the counts
 * as ZigZag LEB128 words where negative words skip runs of empty buckets — and adds each count at
 * its index of the accumulator. The result is bucket for bucket what `add(decodeHistogram(...))`
 * gives (tested), so percentiles come out of hdr-histogram-js itself. Histograms whose layout
 * differs from the accumulator's (another lowest value or precision) take the library's path.
 */
import { inflateSync } from 'node:zlib';
import { createMergeHistogram, decodeHistogram, type Histogram } from '@perftest/engine';

/** Cookie of the compressed V2 encoding (low nibble masked), and of the V2 payload inside it. */
const COMPRESSED_COOKIE = 0x1c849304;
const PAYLOAD_COOKIE = 0x1c849303;
/** Bytes before the counts inside the payload. */
const PAYLOAD_HEADER_BYTES = 40;

/** What folding uses of a JS histogram of hdr-histogram-js (public members of its JsHistogram). */
export interface Accumulator extends Histogram {
  readonly lowestDiscernibleValue: number;
  readonly countsArrayLength: number;
  getCountAtIndex(index: number): number;
  addToCountAtIndex(index: number, value: number): void;
  addToTotalCount(value: number): void;
  establishInternalTackingValues(): void;
}

/** A merge accumulator: a JS histogram with 64-bit float counts and the engine's range. */
export function createAccumulator(): Accumulator {
  const histogram = createMergeHistogram() as Partial<Accumulator> & Histogram;
  if (typeof histogram.addToCountAtIndex !== 'function' || typeof histogram.establishInternalTackingValues !== 'function') {
    throw new Error('merge histograms must be JS histograms');
  }
  return histogram as Accumulator;
}

/**
 * Adds the histogram encoded in `encoded` (HDR compressed base64, as intervals carry it) to
 * `target`. Call `settle(target)` once after the last fold and before reading values.
 */
export function foldEncoded(target: Accumulator, encoded: string): void {
  if (encoded === '') return;
  const raw = Buffer.from(encoded, 'base64');
  if (raw.length < 8 || (raw.readInt32BE(0) & ~0xf0) !== COMPRESSED_COOKIE) return foldDecoded(target, encoded);
  const length = raw.readInt32BE(4);
  const payload = inflateSync(raw.subarray(8, 8 + length));
  if (
    payload.length < PAYLOAD_HEADER_BYTES ||
    (payload.readInt32BE(0) & ~0xf0) !== PAYLOAD_COOKIE ||
    payload.readInt32BE(12) !== target.numberOfSignificantValueDigits ||
    payload.readUInt32BE(16) !== 0 ||
    payload.readUInt32BE(20) !== target.lowestDiscernibleValue
  ) {
    return foldDecoded(target, encoded);
  }
  const end = Math.min(payload.length, PAYLOAD_HEADER_BYTES + payload.readInt32BE(4));
  const limit = target.countsArrayLength;
  let position = PAYLOAD_HEADER_BYTES;
  let index = 0;
  let total = 0;
  while (position < end) {
    // one ZigZag LEB128 word of at most 9 bytes (the 9th carries 8 bits)
    let byte = payload[position++];
    let word = byte & 0x7f;
    let scale = 128;
    for (let n = 1; byte & 0x80 && position < end; n++) {
      byte = payload[position++];
      word += (n === 8 ? byte : byte & 0x7f) * scale;
      scale *= 128;
    }
    const value = word % 2 === 0 ? word / 2 : -(word + 1) / 2;
    if (value < 0) {
      index -= value;
      continue;
    }
    if (value > 0) {
      if (index >= limit) throw new Error(`histogram bucket ${index} is beyond the accumulator's ${limit} buckets`);
      target.addToCountAtIndex(index, value);
      total += value;
    }
    index++;
  }
  target.addToTotalCount(total);
}

/** The library's path: decode into a histogram of its own, then add it. */
function foldDecoded(target: Accumulator, encoded: string): void {
  target.add(decodeHistogram(encoded));
}

/** Recomputes min, max and total count from the counts after folding (one scan). */
export function settle(target: Accumulator): void {
  target.establishInternalTackingValues();
}
