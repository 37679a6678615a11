import { describe, expect, it } from 'vitest';
import { IntervalRecorder } from './interval-recorder.js';
import { CompactHistogram } from './compact-histogram.js';
import { mergeIntervals } from './merge.js';
import { rtBucketCounts, RT_BUCKETS, summarize } from './summary.js';

describe('rtBucketCounts', () => {
  it('counts known values into the report buckets (upper bounds inclusive)', () => {
    const h = new CompactHistogram();
    const values: Array<[number, number]> = [
      [1, 3], // 0~50ms
      [49_000, 2],
      [50_000, 1], // exactly 50 ms: still 0~50ms
      [60_000, 4], // 50~200ms
      [200_000, 1],
      [250_000, 5], // 200~500ms
      [700_000, 6], // 500ms~1s
      [1_000_000, 1],
      [1_500_000, 7], // 1~2s
      [2_500_000, 8], // 2~3s
      [3_100_000, 9], // 3~4s
      [4_999_000, 10], // 4~5s
      [5_000_000, 1],
      [5_100_000, 11], // >5s
      [3_600_000_000, 2],
    ];
    for (const [v, n] of values) h.recordValue(v, n);
    expect(rtBucketCounts(h)).toEqual({
      '0~50ms': 6,
      '50~200ms': 5,
      '200~500ms': 5,
      '500ms~1s': 7,
      '1~2s': 7,
      '2~3s': 8,
      '3~4s': 9,
      '4~5s': 11,
      '>5s': 13,
    });
    expect(Object.keys(rtBucketCounts(h))).toEqual(RT_BUCKETS.map(([label]) => label));
  });

  it('an empty histogram has zero in every bucket', () => {
    expect(Object.values(rtBucketCounts(new CompactHistogram()))).toEqual(new Array(9).fill(0));
  });
});

describe('summarize', () => {
  it('derives rates, averages, status sums and percentiles', () => {
    const recorder = new IntervalRecorder();
    for (let i = 1; i <= 1000; i++) {
      recorder.request('k', { outcome: i <= 990 ? 'success' : 'timeout', status: i <= 990 ? 200 : 0, responseTimeUs: i * 1000, sentBytes: 2, recBytes: 3 });
    }
    recorder.request('k', { outcome: 'checkPointFailed', status: 404, responseTimeUs: 1000, sentBytes: 2, recBytes: 3 });
    const merged = mergeIntervals([recorder.flush(1, 1, 1, 0, 0)]);
    recorder.close();
    const s = summarize(merged.cards.get('k')!);
    expect(s.requests).toBe(1001);
    expect(s.successCount).toBe(990);
    expect(s.errorCount).toBe(11);
    expect(s.outcomes.timeout).toBe(10);
    expect(s.outcomes.checkPointFailed).toBe(1);
    expect(s.sum2xx).toBe(990);
    expect(s.sum4xx).toBe(1);
    expect(s.sum1xx + s.sum3xx + s.sum5xx).toBe(0);
    expect(s.successRate).toBeCloseTo((990 / 1001) * 100, 10);
    expect(s.avgUs).toBeCloseTo((500_500_000 + 1000) / 1001, 6);
    expect(s.minUs).toBe(1000);
    expect(s.maxUs).toBe(1_000_000);
    expect(s.sentBytes).toBe(2002);
    // HDR answers with the highest value equivalent to the percentile's bucket (0.1 % resolution).
    const near = (actual: number, expected: number) => {
      expect(actual).toBeGreaterThanOrEqual(expected);
      expect(actual).toBeLessThanOrEqual(expected * 1.001 + 1);
    };
    near(s.percentiles.tp50, 500_000);
    near(s.percentiles.tp75, 750_000);
    near(s.percentiles.tp85, 850_000);
    near(s.percentiles.tp90, 900_000);
    near(s.percentiles.tp95, 950_000);
    near(s.percentiles.tp99, 990_000);
    near(s.percentiles.tp999, 999_000);
    near(s.percentiles.tp9999, 1_000_000);
    expect(s.rtBuckets['0~50ms']).toBe(51);
    expect(s.rtBuckets['50~200ms']).toBe(150);
    expect(s.rtBuckets['500ms~1s']).toBe(500);
  });
});
