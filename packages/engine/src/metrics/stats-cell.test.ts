import { describe, expect, it } from 'vitest';
import { OUTCOMES } from '@perftest/model';
import { Float64Histogram } from 'hdr-histogram-js';
import { CompactHistogram } from './compact-histogram.js';
import { COMPACT_MAX, decodeInto, HISTOGRAM_DIGITS, HISTOGRAM_HIGHEST_US, HISTOGRAM_LOWEST_US } from './histogram.js';
import { IntervalRecorder } from './interval-recorder.js';
import { StatsCell, statusClassOf } from './stats-cell.js';

/** The histogram an encoded cell holds. */
function decoded(encoded: string): CompactHistogram {
  const h = new CompactHistogram();
  decodeInto(h, encoded);
  return h;
}

describe('statusClassOf', () => {
  it.each([
    [0, -1],
    [99, -1],
    [100, 0],
    [199, 0],
    [200, 1],
    [302, 2],
    [404, 3],
    [503, 4],
    [599, 4],
    [600, -1],
  ])('status %i -> class %i', (status, cls) => {
    expect(statusClassOf(status)).toBe(cls);
  });
});

describe('StatsCell', () => {
  it('counts outcomes, status classes, bytes and response times', () => {
    const cell = new StatsCell();
    cell.record('success', 200, 1000, 10, 100);
    cell.record('success', 201, 3000, 10, 100);
    cell.record('checkPointFailed', 500, 2000, 10, 50);
    cell.record('timeout', 0, 5_000_000, 10, 0);
    cell.record('refusedFailed', 0, 0.2, 0, 0);
    cell.record('parsedFailed', 302, 10, 5, 5);
    cell.record('othersFailed', 101, 20, 1, 1);
    cell.record('notAnOutcome' as never, 404, 30, 1, 1);
    cell.record('success', 200, HISTOGRAM_HIGHEST_US * 10, 0, 0);
    const e = cell.encode();
    expect(e.requests).toBe(9);
    expect(e.outcomes).toEqual({
      success: 3,
      checkPointFailed: 1,
      parsedFailed: 1,
      refusedFailed: 1,
      timeout: 1,
      othersFailed: 2,
    });
    expect(Object.keys(e.outcomes)).toEqual([...OUTCOMES]);
    expect(e.statusClasses).toEqual([1, 3, 1, 1, 1]);
    expect(e.sentBytes).toBe(47);
    expect(e.recBytes).toBe(257);
    expect(e.rtMinUs).toBe(1);
    expect(e.rtMaxUs).toBe(HISTOGRAM_HIGHEST_US);
    expect(e.rtSumUs).toBe(1000 + 3000 + 2000 + 5_000_000 + 1 + 10 + 20 + 30 + HISTOGRAM_HIGHEST_US);
    expect(e.histogram).toMatch(/^i:/); // a few values: the bucket form
    const h = decoded(e.histogram);
    expect(h.totalCount).toBe(9);
    expect(h.getValueAtPercentile(100)).toBe(new Float64Histogram(HISTOGRAM_LOWEST_US, HISTOGRAM_HIGHEST_US, HISTOGRAM_DIGITS).highestEquivalentValue(HISTOGRAM_HIGHEST_US));
  });

  it('reset clears everything and the histogram keeps working', () => {
    const cell = new StatsCell();
    for (let i = 0; i < 100; i++) cell.record('success', 200, 1000 + i, 1, 1);
    cell.reset();
    const empty = cell.encode();
    expect(empty.requests).toBe(0);
    expect(empty.rtMinUs).toBe(0);
    expect(empty.rtMaxUs).toBe(0);
    expect(empty.statusClasses).toEqual([0, 0, 0, 0, 0]);
    expect(empty.histogram).toBe('');
    cell.record('timeout', 0, 42, 0, 0);
    const one = cell.encode();
    expect(one.requests).toBe(1);
    expect(one.outcomes.timeout).toBe(1);
    expect(decoded(one.histogram).totalCount).toBe(1);
  });
});

describe('encoded cells', () => {
  it('hold exactly the values recorded, in the bucket form up to COMPACT_MAX values and HDR beyond, second after second', () => {
    const cell = new StatsCell();
    for (const n of [1, COMPACT_MAX, COMPACT_MAX + 1, 5000, 3]) {
      const library = new Float64Histogram(HISTOGRAM_LOWEST_US, HISTOGRAM_HIGHEST_US, HISTOGRAM_DIGITS);
      for (let i = 0; i < n; i++) {
        const v = 1 + ((i * 7919 + n) % 2_000_000);
        cell.record('success', 200, v, 0, 0);
        library.recordValue(v);
      }
      const e = cell.encode();
      cell.reset();
      expect(e.histogram.startsWith('i:')).toBe(n <= COMPACT_MAX);
      const h = decoded(e.histogram);
      expect(h.totalCount).toBe(n);
      for (const p of [0, 1, 50, 90, 99, 99.9, 100]) expect(h.getValueAtPercentile(p)).toBe(library.getValueAtPercentile(p));
    }
  });
});

describe('IntervalRecorder', () => {
  it('emits one interval per flush, omits idle cards and resets for the next second', () => {
    const recorder = new IntervalRecorder();
    recorder.request('a', { outcome: 'success', status: 200, responseTimeUs: 1500, sentBytes: 3, recBytes: 4 });
    recorder.request('c', { outcome: 'timeout', status: 0, responseTimeUs: 5_000_000, sentBytes: 3, recBytes: 0 });
    recorder.iteration({ ok: false, outcome: 'timeout', status: 0, responseTimeUs: 5_001_500, sentBytes: 6, recBytes: 4 });
    const first = recorder.flush(100, 7, 3, 2, 1);
    expect(first).toMatchObject({ type: 'interval', second: 100, users: 7, started: 3, dropped: 2, stage: 1 });
    expect(Object.keys(first.cards).sort()).toEqual(['a', 'c']);
    expect(first.cards.a.requests).toBe(1);
    expect(first.cards.a.statusClasses).toEqual([0, 1, 0, 0, 0]);
    expect(first.cards.c.outcomes.timeout).toBe(1);
    expect(first.cards.c.statusClasses).toEqual([0, 0, 0, 0, 0]);
    expect(first.iterations.requests).toBe(1);
    expect(first.iterations.outcomes.timeout).toBe(1);
    expect(first.iterations.rtSumUs).toBe(5_001_500);

    recorder.request('b', { outcome: 'success', status: 204, responseTimeUs: 10, sentBytes: 1, recBytes: 1 });
    const second = recorder.flush(101, 7, 0, 0, 1);
    expect(Object.keys(second.cards)).toEqual(['b']);
    expect(second.iterations.requests).toBe(0);
    expect(decoded(second.cards.b.histogram).totalCount).toBe(1);
    expect(recorder.cellCount).toBe(3); // a cell per card that recorded, none for cards that did not
    recorder.close();
    expect(() => recorder.flush(102, 0, 0, 0, 0)).toThrow(/closed/);
  });
});
