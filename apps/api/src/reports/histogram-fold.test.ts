/**
 * foldEncoded against the library: folding encoded per-second histograms gives, bucket for bucket,
 * what decoding each and adding it gives, for histograms recorded by the engine's own cells (WASM
 * when available), sparse and dense, with values clamped at both ends of the range.
 */
import { describe, expect, it } from 'vitest';
import { createMergeHistogram, decodeHistogram, encodeHistogram, IntervalRecorder, type Histogram } from '@perftest/engine';
import { createAccumulator, foldEncoded, settle } from './histogram-fold.js';

/** Encoded per-second histograms of one card with varied spreads. */
function encodedSeconds(seconds: number): string[] {
  const recorder = new IntervalRecorder(['c']);
  const out: string[] = [];
  let x = 42;
  for (let s = 0; s < seconds; s++) {
    const n = s % 5 === 0 ? 1 : 50 + (s % 17) * 20;
    for (let i = 0; i < n; i++) {
      x = (x * 16807) % 2147483647;
      const us = s % 11 === 0 ? 4e9 : s % 13 === 0 ? 0 : Math.exp((x / 2147483647) * 21);
      recorder.request('c', { outcome: 'success', status: 200, responseTimeUs: us, sentBytes: 0, recBytes: 0 });
    }
    out.push(recorder.flush(s, 1, 0, 0, 0).cards.c.histogram);
  }
  recorder.close();
  return out;
}

/** Every bucket count of a JS histogram. */
function counts(h: Histogram): number[] {
  const js = h as unknown as { countsArrayLength: number; getCountAtIndex(i: number): number };
  return Array.from({ length: js.countsArrayLength }, (_, i) => js.getCountAtIndex(i));
}

describe('foldEncoded', () => {
  it('adds up encoded histograms exactly as decoding and adding them does', () => {
    const encoded = encodedSeconds(120);
    const expected = createMergeHistogram();
    for (const e of encoded) expected.add(decodeHistogram(e));
    const folded = createAccumulator();
    for (const e of encoded) foldEncoded(folded, e);
    settle(folded);
    expect(folded.totalCount).toBe(expected.totalCount);
    expect(folded.maxValue).toBe(expected.maxValue);
    expect(folded.minNonZeroValue).toBe(expected.minNonZeroValue);
    for (const p of [0, 25, 50, 90, 99, 99.9, 99.99, 100]) expect(folded.getValueAtPercentile(p)).toBe(expected.getValueAtPercentile(p));
    expect(counts(folded)).toEqual(counts(expected));
  });

  it('takes the library path for another layout and ignores empty encodings', () => {
    const other = createMergeHistogram();
    const precise = decodeHistogram(encodeHistogram(other)); // same layout: a no-op fold
    const folded = createAccumulator();
    foldEncoded(folded, encodeHistogram(precise));
    foldEncoded(folded, '');
    settle(folded);
    expect(folded.totalCount).toBe(0);
    // a 2-digit histogram differs in layout: its values are re-recorded at their own value
    const coarse = (decodeHistogram(encodeHistogram(other)) as unknown as { constructor: new (a: number, b: number, c: number) => Histogram }).constructor;
    const two = new coarse(1, 3_600_000_000, 2);
    two.recordValue(12_345);
    foldEncoded(folded, encodeHistogram(two));
    settle(folded);
    expect(folded.totalCount).toBe(1);
    expect(Math.abs(folded.getValueAtPercentile(50) - 12_345)).toBeLessThan(12_345 * 0.01);
  });
});
