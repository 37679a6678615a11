import { describe, expect, it } from 'vitest';
import { OUTCOMES, type IntervalMessage, type Outcome } from '@perftest/model';
import type { RequestResult } from '../protocols/driver.js';
import { Float64Histogram } from 'hdr-histogram-js';
import { CompactHistogram } from './compact-histogram.js';
import { clampUs, decodeInto, HISTOGRAM_DIGITS, HISTOGRAM_HIGHEST_US, HISTOGRAM_LOWEST_US } from './histogram.js';
import { IntervalRecorder } from './interval-recorder.js';
import { addStats, emptyMergedStats, encodeInterval, encodeStats, mergeIntervals, mergeStats } from './merge.js';
import { PERCENTILES, RT_BUCKETS, rtBucketCounts, summarize } from './summary.js';
import { seededRandom as mulberry32 } from '../../test/seeded-random.js';

/** The library's own dense histogram of the standard layout: the reference every merge must equal. */
const libraryHistogram = () => new Float64Histogram(HISTOGRAM_LOWEST_US, HISTOGRAM_HIGHEST_US, HISTOGRAM_DIGITS);

/** Distribution counts of raw values as the library buckets them (by each value's lowest equivalent). */
function referenceBuckets(values: readonly number[]): Record<string, number> {
  const h = libraryHistogram();
  const out: Record<string, number> = Object.fromEntries(RT_BUCKETS.map(([label]) => [label, 0]));
  for (const v of values) out[RT_BUCKETS.find(([, bound]) => h.lowestEquivalentValue(v) <= bound)![0]]++;
  return out;
}

const CARDS = ['c0', 'c1', 'c2'];
const THREADS = 4;
const SECONDS = 5;
const N = 120_000;

/** Response times spread log-uniformly over 0.1 us .. 2 h, so both clamps are exercised. */
function randomRt(rand: () => number): number {
  const r = rand();
  if (r < 0.002) return 0;
  if (r < 0.004) return HISTOGRAM_HIGHEST_US * 2;
  return Math.exp(Math.log(0.1) + rand() * (Math.log(7.2e9) - Math.log(0.1)));
}

describe('metrics merge exactness', () => {
  const rand = mulberry32(42);
  const recorders = Array.from({ length: THREADS }, () => new IntervalRecorder());
  const intervals: IntervalMessage[] = [];
  const reference = { requests: 0, sum: 0, min: Infinity, max: 0, histogram: libraryHistogram(), values: [] as number[] };
  const perCard = new Map<string, { requests: number; sum: number; outcomes: Record<string, number> }>();
  const iterationReference = { requests: 0, sum: 0, histogram: libraryHistogram() };

  for (let second = 0; second < SECONDS; second++) {
    for (let i = 0; i < N / SECONDS; i++) {
      const thread = Math.floor(rand() * THREADS);
      const card = CARDS[Math.floor(rand() * CARDS.length)];
      const rt = randomRt(rand);
      const outcome: Outcome = OUTCOMES[Math.floor(rand() * OUTCOMES.length)];
      const result: RequestResult = { outcome, status: 200, responseTimeUs: rt, sentBytes: 10, recBytes: 100 };
      recorders[thread].request(card, result);
      const v = clampUs(rt);
      reference.requests++;
      reference.sum += v;
      reference.min = Math.min(reference.min, v);
      reference.max = Math.max(reference.max, v);
      reference.histogram.recordValue(v);
      reference.values.push(v);
      const c = perCard.get(card) ?? { requests: 0, sum: 0, outcomes: {} };
      c.requests++;
      c.sum += v;
      c.outcomes[outcome] = (c.outcomes[outcome] ?? 0) + 1;
      perCard.set(card, c);
      if (i % 3 === 0) {
        recorders[thread].iteration({ ok: true, outcome: 'success', status: 200, responseTimeUs: rt * 2, sentBytes: 10, recBytes: 100 });
        iterationReference.requests++;
        iterationReference.sum += clampUs(rt * 2);
        iterationReference.histogram.recordValue(clampUs(rt * 2));
      }
    }
    for (let t = 0; t < THREADS; t++) intervals.push(recorders[t].flush(1000 + second, 10, 5, 1, 0));
  }
  for (const r of recorders) r.close();

  it('counts, sums, min/max and every percentile equal one histogram fed everything', () => {
    const all = mergeStats(intervals.flatMap((m) => Object.values(m.cards)));
    expect(all.requests).toBe(reference.requests);
    expect(all.rtSumUs).toBe(reference.sum);
    expect(all.rtMinUs).toBe(reference.min);
    expect(all.rtMaxUs).toBe(reference.max);
    expect(all.rtMinUs).toBe(1);
    expect(all.rtMaxUs).toBe(HISTOGRAM_HIGHEST_US);
    expect(all.histogram.totalCount).toBe(reference.requests);
    for (let p = 0; p <= 100; p += 0.25) {
      expect(all.histogram.getValueAtPercentile(p)).toBe(reference.histogram.getValueAtPercentile(p));
    }
    for (const p of Object.values(PERCENTILES)) {
      expect(all.histogram.getValueAtPercentile(p)).toBe(reference.histogram.getValueAtPercentile(p));
    }
    expect(rtBucketCounts(all.histogram)).toEqual(referenceBuckets(reference.values));
    expect(all.sentBytes).toBe(10 * reference.requests);
    expect(all.recBytes).toBe(100 * reference.requests);
    expect(all.statusClasses).toEqual([0, reference.requests, 0, 0, 0]);
  });

  it('merges intervals per card and iterations exactly', () => {
    const merged = mergeIntervals(intervals);
    expect(merged.second).toBe(1000 + SECONDS - 1);
    expect(merged.users).toBe(10 * THREADS);
    expect(merged.started).toBe(5 * THREADS * SECONDS);
    expect(merged.dropped).toBe(THREADS * SECONDS);
    expect([...merged.cards.keys()].sort()).toEqual(CARDS);
    for (const [key, stats] of merged.cards) {
      const ref = perCard.get(key)!;
      expect(stats.requests).toBe(ref.requests);
      expect(stats.rtSumUs).toBe(ref.sum);
      for (const o of OUTCOMES) expect(stats.outcomes[o]).toBe(ref.outcomes[o] ?? 0);
    }
    expect(merged.iterations.requests).toBe(iterationReference.requests);
    expect(merged.iterations.rtSumUs).toBe(iterationReference.sum);
    for (const p of Object.values(PERCENTILES)) {
      expect(merged.iterations.histogram.getValueAtPercentile(p)).toBe(iterationReference.histogram.getValueAtPercentile(p));
    }
  });

  it('merging in stages (per second, then overall, through the wire form) changes nothing', () => {
    const flat = mergeIntervals(intervals);
    const perSecond: IntervalMessage[] = [];
    for (let s = 0; s < SECONDS; s++) perSecond.push(encodeInterval(mergeIntervals(intervals.filter((m) => m.second === 1000 + s))));
    expect(perSecond[0].users).toBe(10 * THREADS);
    const staged = mergeIntervals(perSecond);
    const a = summarize(flat.iterations);
    const b = summarize(staged.iterations);
    expect(b).toEqual(a);
    for (const key of CARDS) expect(summarize(staged.cards.get(key)!)).toEqual(summarize(flat.cards.get(key)!));
    const viaMerged = emptyMergedStats();
    for (const stats of flat.cards.values()) addStats(viaMerged, stats);
    const viaEncoded = mergeStats(intervals.flatMap((m) => Object.values(m.cards)));
    expect(summarize(viaMerged)).toEqual(summarize(viaEncoded));
    const decoded = new CompactHistogram();
    decodeInto(decoded, encodeStats(viaMerged).histogram);
    expect(decoded.totalCount).toBe(reference.requests);
  });
});

describe('mergeStats edge cases', () => {
  it('an empty list and empty cells give zeros', () => {
    const recorder = new IntervalRecorder();
    const interval = recorder.flush(1, 0, 0, 0, 0);
    recorder.close();
    expect(interval.cards).toEqual({});
    expect(interval.iterations.requests).toBe(0);
    expect(interval.iterations.rtMinUs).toBe(0);
    const merged = mergeStats([interval.iterations, { ...interval.iterations, histogram: '' }]);
    expect(merged.requests).toBe(0);
    expect(merged.rtMinUs).toBe(0);
    expect(summarize(merged).percentiles.tp99).toBe(0);
    expect(summarize(mergeStats([])).successRate).toBe(0);
  });

  it('min ignores cells without requests', () => {
    const a = new IntervalRecorder();
    const b = new IntervalRecorder();
    a.request('x', { outcome: 'success', status: 200, responseTimeUs: 700, sentBytes: 1, recBytes: 1 });
    const ia = a.flush(1, 1, 1, 0, 0);
    const ib = b.flush(1, 1, 1, 0, 0);
    b.request('x', { outcome: 'timeout', status: 0, responseTimeUs: 900, sentBytes: 1, recBytes: 0 });
    const ib2 = b.flush(2, 1, 1, 0, 0);
    a.close();
    b.close();
    const merged = mergeIntervals([ib, ia, ib2]);
    const x = merged.cards.get('x')!;
    expect(x.requests).toBe(2);
    expect(x.histogram.totalCount).toBe(2);
    expect(summarize(x).percentiles.tp50).toBeGreaterThanOrEqual(700);
    expect(summarize(x).percentiles.tp9999).toBeGreaterThanOrEqual(900);
    expect(x.rtMinUs).toBe(700);
    expect(x.rtMaxUs).toBe(900);
    expect(x.outcomes.timeout).toBe(1);
    expect(x.statusClasses).toEqual([0, 1, 0, 0, 0]);
    expect(merged.second).toBe(2);
    expect(merged.users).toBe(1);
  });
});
