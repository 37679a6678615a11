import { build, encodeIntoCompressedBase64, Float64Histogram } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/seeded-random.js';
import { CompactHistogram } from './compact-histogram.js';
import { COMPACT_MAX, decodeInto, encodeHistogram, HISTOGRAM_DIGITS, HISTOGRAM_HIGHEST_US, HISTOGRAM_LOWEST_US } from './histogram.js';

const library = () => new Float64Histogram(HISTOGRAM_LOWEST_US, HISTOGRAM_HIGHEST_US, HISTOGRAM_DIGITS);
const PERCENTILES = [0, 0.1, 1, 10, 25, 50, 75, 85, 90, 95, 99, 99.9, 99.99, 100];

describe('CompactHistogram', () => {
  it('answers every percentile as the library histogram fed the same values, at any size', () => {
    const rand = seededRandom(7);
    for (const n of [1, 2, 3, 10, 100, 5_000, 100_000]) {
      const compact = new CompactHistogram();
      const reference = library();
      for (let i = 0; i < n; i++) {
        const v = Math.round(Math.exp(Math.log(1) + rand() * (Math.log(HISTOGRAM_HIGHEST_US) - Math.log(1))));
        compact.recordValue(v);
        reference.recordValue(v);
      }
      expect(compact.totalCount).toBe(n);
      for (const p of PERCENTILES) expect(compact.getValueAtPercentile(p)).toBe(reference.getValueAtPercentile(p));
    }
  });

  it('adds, resets and holds only its used buckets', () => {
    const a = new CompactHistogram();
    const b = new CompactHistogram();
    a.recordValue(1_000, 5);
    b.recordValue(1_000, 2);
    b.recordValue(250_000);
    a.add(b);
    expect(a.totalCount).toBe(8);
    expect(a.bucketCount).toBe(2);
    const seen: Array<[number, number]> = [];
    a.forEachBucket((index, count) => seen.push([index, count]));
    expect(seen.map(([, count]) => count)).toEqual([7, 1]);
    expect(seen[0][0]).toBeLessThan(seen[1][0]);
    a.reset();
    expect(a.totalCount).toBe(0);
    expect(a.getValueAtPercentile(99)).toBe(0);
    expect(a.bucketCount).toBe(0);
  });
});

describe('histogram codec', () => {
  it('round-trips merges in the bucket form up to COMPACT_MAX buckets and HDR beyond', () => {
    for (const buckets of [1, COMPACT_MAX, COMPACT_MAX + 1, 400]) {
      const h = new CompactHistogram();
      const reference = library();
      for (let i = 0; i < buckets; i++) {
        h.recordValue(1_000 + i * 97, i + 1);
        reference.recordValueWithCount(1_000 + i * 97, i + 1);
      }
      const encoded = encodeHistogram(h);
      expect(encoded.startsWith('i:')).toBe(buckets <= COMPACT_MAX);
      const back = new CompactHistogram();
      decodeInto(back, encoded, h.totalCount);
      expect(back.totalCount).toBe(h.totalCount);
      for (const p of PERCENTILES) expect(back.getValueAtPercentile(p)).toBe(reference.getValueAtPercentile(p));
    }
    expect(encodeHistogram(new CompactHistogram())).toBe('');
  });

  it('decodes HDR cells whose counts exceed the size their request count suggests, and foreign layouts', () => {
    const dense = library();
    dense.recordValueWithCount(5_000, 300);
    const target = new CompactHistogram();
    decodeInto(target, encodeIntoCompressedBase64(dense), 100); // a wrong hint: read wide again
    expect(target.totalCount).toBe(300);
    const coarse = build({ numberOfSignificantValueDigits: 2, highestTrackableValue: HISTOGRAM_HIGHEST_US, useWebAssembly: false });
    coarse.recordValue(12_345);
    const mapped = new CompactHistogram();
    decodeInto(mapped, encodeIntoCompressedBase64(coarse), 1);
    expect(mapped.totalCount).toBe(1);
    expect(Math.abs(mapped.getValueAtPercentile(50) - 12_345)).toBeLessThan(12_345 * 0.01);
    // the value form earlier versions wrote is still read
    const old = new CompactHistogram();
    decodeInto(old, 'b:812,1030*3');
    expect([old.totalCount, old.getValueAtPercentile(0), old.getValueAtPercentile(100)]).toEqual([4, 812, library().highestEquivalentValue(1030)]);
    for (const bad of ['b:12,x', 'i:', 'i:1k,', 'i:1k*2*3', 'i:zzzzzz', 'i:1K']) expect(() => decodeInto(new CompactHistogram(), bad), bad).toThrow(/bad/);
  });
});
