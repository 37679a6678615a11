import { describe, expect, it } from 'vitest';
import type { StageKpiItems } from '@perftest/model';
import type { StepResult } from '../types.js';
import { compareKpi, evaluatePeakKpis, PeakKpiTracker, type KpiComparison, type KpiSample } from './kpi.js';
import { findKnee, kneeIndex, kneeThreshold } from './intelligent/knee.js';

/** Seconds with the given average RT (ms) and success rate (%). */
function seconds(rts: number[], rates?: number[]): KpiSample[] {
  return rts.map((avgRtMs, i) => ({ second: 1000 + i, users: 10 + i, rps: 100, avgRtMs, successRate: rates?.[i] ?? 100 }));
}

describe('compareKpi', () => {
  it.each<[number, KpiComparison, number, boolean]>([
    [1, '>', 0, true],
    [1, '>', 1, false],
    [1, '>=', 1, true],
    [0, '>=', 1, false],
    [0, '<', 1, true],
    [1, '<', 1, false],
    [1, '<=', 1, true],
    [2, '<=', 1, false],
    [1, '=', 1, true],
    [1, '==', 2, false],
    [1, '!=', 2, true],
    [2, '!=', 2, false],
  ])('%f %s %f is %s', (metric, cmp, value, met) => {
    expect(compareKpi(metric, cmp, value)).toBe(met);
  });
});

describe('peak-load KPI evaluation', () => {
  const rt: StageKpiItems = { average_response_time: { comparison: '<', value: 200 } };

  it('a miss of 5 seconds is forgiven; 6 consecutive end the analysis at the first of them', () => {
    const samples = seconds([100, 250, 250, 250, 250, 250, 100, 300, 300, 300, 300, 300, 300, 300]);
    const miss = evaluatePeakKpis(rt, samples);
    expect(miss).toEqual({ kpi: 'average_response_time', index: 7, sample: samples[7] });
    expect(miss?.sample.second).toBe(1007);
  });

  it('nothing ends when the misses never last 6 seconds', () => {
    expect(evaluatePeakKpis(rt, seconds([300, 300, 300, 300, 300, 100, 300, 300]))).toBeUndefined();
    expect(evaluatePeakKpis(rt, seconds([300, 300, 300, 300, 300]))).toBeUndefined();
  });

  it('success rate uses >= by default and each KPI keeps its own streak', () => {
    const kpis: StageKpiItems = { average_response_time: { comparison: '<=', value: 200 }, success_rate: { value: 99 } };
    // RT misses seconds 2..6 (5 s), success rate misses 3..8 (6 s): the success rate ends it at 3
    const samples = seconds([100, 100, 300, 300, 300, 300, 300, 100, 100], [100, 100, 100, 98, 98, 98, 98, 98, 98]);
    expect(evaluatePeakKpis(kpis, samples)).toMatchObject({ kpi: 'success_rate', index: 3 });
    // both miss from second 2: RT reaches 6 s at the same time, the earlier start wins (ties keep the first KPI)
    const both = seconds([100, 100, 300, 300, 300, 300, 300, 300], [100, 100, 90, 90, 90, 90, 90, 90]);
    expect(evaluatePeakKpis(kpis, both)).toMatchObject({ kpi: 'average_response_time', index: 2 });
  });

  it('the tracker keeps its result and ignores later seconds', () => {
    const tracker = new PeakKpiTracker({ success_rate: { comparison: '>', value: 50 } }, 2);
    expect(tracker.active).toBe(true);
    const samples = seconds([1, 1, 1, 1], [60, 10, 10, 100]);
    expect(tracker.push(samples[0])).toBeUndefined();
    expect(tracker.push(samples[1])).toBeUndefined();
    const miss = tracker.push(samples[2]);
    expect(miss).toMatchObject({ kpi: 'success_rate', index: 1 });
    expect(tracker.push(samples[3])).toBe(miss);
    expect(tracker.result).toBe(miss);
  });

  it('no KPI configured: never ends', () => {
    const tracker = new PeakKpiTracker({ average_response_time: { comparison: '<' }, success_rate: null });
    expect(tracker.active).toBe(false);
    expect(evaluatePeakKpis(null, seconds(new Array(20).fill(1e6)))).toBeUndefined();
  });
});

describe('intelligent high pressure knee', () => {
  const step = (s: number, successRate: number, rps: number): StepResult => ({ step: s, users: 10 * (s + 1), requests: 100, successRate, rps });
  const ok = [step(0, 100, 100), step(1, 100, 180), step(2, 100, 250)];

  it.each<[string, StepResult[], number, number, number | undefined]>([
    ['all good: the last step is the peak', ok, 100, -1, 2],
    ['success rate drops below 100', [...ok, step(3, 99.9, 300)], 100, 3, 2],
    ['success rate above a lower threshold is fine', [...ok, step(3, 99.9, 300)], 99, -1, 3],
    ['RPS falls below the previous step', [...ok, step(3, 100, 249)], 100, 3, 2],
    ['equal RPS is not a knee', [...ok, step(3, 100, 250)], 100, -1, 3],
    ['the first step fails: no good step', [step(0, 80, 100), step(1, 100, 200)], 100, 0, undefined],
    ['the first knee counts', [step(0, 100, 100), step(1, 100, 90), step(2, 50, 10)], 100, 1, 0],
    ['no steps', [], 100, -1, undefined],
  ])('%s', (_name, steps, threshold, knee, peakStep) => {
    expect(kneeIndex(steps, threshold)).toBe(knee);
    const result = findKnee(steps, threshold);
    expect(result.knee).toBe(knee);
    expect(result.peak?.step).toBe(peakStep);
  });

  it('takes its threshold from peak_load_kpis.success_rate, default 100', () => {
    expect(kneeThreshold({})).toBe(100);
    expect(kneeThreshold({ peak_load_kpis: { success_rate: { comparison: '>=', value: 95 } } })).toBe(95);
    expect(kneeThreshold({ peak_load_kpis: { success_rate: { comparison: '>=', value: null } } })).toBe(100);
  });
});
