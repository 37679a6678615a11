import { describe, expect, it } from 'vitest';
import { OUTCOMES } from '@perftest/model';
import { createMergeHistogram, decodeHistogram, encodeHistogram, HISTOGRAM_HIGHEST_US, recordingUsesWasm } from './histogram.js';
import { IntervalRecorder } from './interval-recorder.js';
import { StatsCell, statusClassOf } from './stats-cell.js';

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
    const h = decodeHistogram(e.histogram);
    expect(h.totalCount).toBe(9);
    cell.close();
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
    expect(decodeHistogram(empty.histogram).totalCount).toBe(0);
    cell.record('timeout', 0, 42, 0, 0);
    const one = cell.encode();
    expect(one.requests).toBe(1);
    expect(one.outcomes.timeout).toBe(1);
    expect(decodeHistogram(one.histogram).totalCount).toBe(1);
    cell.close();
    cell.close();
  });
});

describe('recording histograms', () => {
  it('are WASM-backed here and encode to the same bytes as a JS histogram', () => {
    expect(recordingUsesWasm()).toBe(true);
    const cell = new StatsCell();
    const js = createMergeHistogram();
    for (let i = 0; i < 5000; i++) {
      const v = 1 + ((i * 7919) % 2_000_000);
      cell.record('success', 200, v, 0, 0);
      js.recordValue(v);
    }
    expect(cell.encode().histogram).toBe(encodeHistogram(js));
    cell.close();
  });
});

describe('IntervalRecorder', () => {
  it('emits one interval per flush, omits idle cards and resets for the next second', () => {
    const recorder = new IntervalRecorder(['a', 'b']);
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
    expect(decodeHistogram(second.cards.b.histogram).totalCount).toBe(1);
    recorder.close();
    expect(() => recorder.flush(102, 0, 0, 0, 0)).toThrow(/closed/);
  });
});
