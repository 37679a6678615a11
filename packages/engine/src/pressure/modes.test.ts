import { describe, expect, it } from 'vitest';
import type { TestCaseStage } from '@perftest/model';
import type { PressureModeImpl, StepResult } from '../types.js';
import { createPressureRegistry, PRESSURE_MODE_IMPLS, pressureModeFor } from './index.js';
import { concurrency } from './concurrency.js';
import { tps } from './tps.js';
import { peakLoad } from './peak-load.js';
import { surgeConcurrency } from './surge-concurrency.js';
import { surgeTps } from './surge-tps.js';
import { flappingConcurrency } from './flapping-concurrency.js';
import { flappingTps } from './flapping-tps.js';
import { intelligentPeak, stepAt } from './intelligent/intelligent-peak.js';

/** One row: a stage, and the expected target at chosen instants. */
interface Row {
  name: string;
  impl: PressureModeImpl;
  stage: TestCaseStage;
  at: Array<[t: number, expected: number]>;
  maxUsers: number;
  steps?: StepResult[];
}

const surge = { time: 60, loop_count: 3, max_duration: 5 };
const flap = { time: 40, loop_count: 2 };
const peak7 = { time: 100, current_user_num: 10, step_size: 5, step_duration: 10, maximum: 30 };
const step = (s: number, users: number, successRate: number, rps: number): StepResult => ({ step: s, users, requests: 100, successRate, rps });

const ROWS: Row[] = [
  { name: 'concurrency fixed', impl: concurrency, stage: { time: 60, issue_num: 10 }, at: [[0, 10], [30, 10], [59.9, 10], [120, 10]], maxUsers: 10 },
  {
    name: 'concurrency ramp from current_user_num',
    impl: concurrency,
    stage: { time: 60, issue_num: 12, current_user_num: 2, ramp_up: 10 },
    at: [[-1, 2], [0, 2], [5, 7], [9.99, 11], [10, 12], [30, 12]],
    maxUsers: 12,
  },
  {
    name: 'concurrency ramp from zero (no float drift at whole seconds)',
    impl: concurrency,
    stage: { time: 60, issue_num: 10, ramp_up: 10 },
    at: [[0, 0], [0.5, 0], [1, 1], [3, 3], [7, 7], [9.9, 9]],
    maxUsers: 10,
  },
  {
    name: 'concurrency manual starts at current_user_num',
    impl: concurrency,
    stage: { time: 60, issue_num: 10, current_user_num: 3, voltage_regulating_mode: 1, ramp_up: 5 },
    at: [[0, 3], [30, 3]],
    maxUsers: 10,
  },
  { name: 'concurrency manual without start', impl: concurrency, stage: { time: 60, issue_num: 10, voltage_regulating_mode: 1 }, at: [[0, 10]], maxUsers: 10 },
  { name: 'concurrency by count', impl: concurrency, stage: { operate_mode: 1, count: 500, issue_num: 4 }, at: [[0, 4], [1e6, 4]], maxUsers: 4 },
  { name: 'tps fixed', impl: tps, stage: { time: 60, tps_value: 50.5, issue_num: 20 }, at: [[0, 50.5], [59, 50.5]], maxUsers: 20 },
  {
    name: 'tps manual starts at current_tps',
    impl: tps,
    stage: { time: 60, tps_value: 50, current_tps: 5, issue_num: 20, voltage_regulating_mode: 1 },
    at: [[0, 5], [30, 5]],
    maxUsers: 20,
  },
  {
    name: 'peak load ramp then hold',
    impl: peakLoad,
    stage: { time: 200, current_user_num: 10, issue_num: 110, ramp_up: 100 },
    at: [[0, 10], [50, 60], [99.99, 109], [100, 110], [150, 110], [200, 110]],
    maxUsers: 110,
  },
  { name: 'peak load without ramp', impl: peakLoad, stage: { time: 20, issue_num: 7 }, at: [[0, 7], [19, 7]], maxUsers: 7 },
  {
    name: 'surge users',
    impl: surgeConcurrency,
    stage: { ...surge, minimum: 5, maximum: 50 },
    at: [[0, 5], [14.99, 5], [15, 50], [19.99, 50], [20, 5], [34, 5], [35, 50], [59, 50]],
    maxUsers: 50,
  },
  {
    name: 'surge tps',
    impl: surgeTps,
    stage: { ...surge, minimum: 2.5, maximum: 10.5, issue_num: 40 },
    at: [[0, 2.5], [15, 10.5], [21, 2.5], [55, 10.5]],
    maxUsers: 40,
  },
  {
    name: 'surge with a fractional period',
    impl: surgeConcurrency,
    stage: { time: 10, loop_count: 3, max_duration: 1, minimum: 1, maximum: 9 },
    at: [[0, 1], [2.3, 1], [2.34, 9], [3.3, 9], [3.34, 1], [9.9, 9]],
    maxUsers: 9,
  },
  {
    name: 'flapping users triangle',
    impl: flappingConcurrency,
    stage: { ...flap, minimum: 10, maximum: 30 },
    at: [[0, 10], [2.5, 15], [5, 20], [9.9, 29], [10, 30], [15, 20], [20, 10], [25, 20], [30, 30], [39.99, 10]],
    maxUsers: 30,
  },
  {
    name: 'flapping tps triangle',
    impl: flappingTps,
    stage: { ...flap, minimum: 10, maximum: 30, issue_num: 100 },
    at: [[0, 10], [2.5, 15], [10, 30], [12.5, 25], [21, 12]],
    maxUsers: 100,
  },
  {
    name: 'intelligent peak steps up to maximum',
    impl: intelligentPeak,
    stage: peak7,
    at: [[0, 10], [9.99, 10], [10, 15], [39, 25], [40, 30], [90, 30]],
    maxUsers: 30,
  },
  {
    name: 'intelligent peak falls back to minimum and issue_num',
    impl: intelligentPeak,
    stage: { time: 100, minimum: 4, issue_num: 8, step_size: 3, step_duration: 5 },
    at: [[0, 4], [5, 7], [10, 8], [99, 8]],
    maxUsers: 8,
  },
  {
    name: 'intelligent peak holds at the last good step after a knee (success rate)',
    impl: intelligentPeak,
    stage: peak7,
    steps: [step(0, 10, 100, 100), step(1, 15, 100, 120), step(2, 20, 99, 130)],
    at: [[35, 15], [95, 15]],
    maxUsers: 30,
  },
  {
    name: 'intelligent peak with a 95 % threshold sees no knee',
    impl: intelligentPeak,
    stage: { ...peak7, peak_load_kpis: { success_rate: { comparison: '>=', value: 95 } } },
    steps: [step(0, 10, 100, 100), step(1, 15, 100, 120), step(2, 20, 99, 130)],
    at: [[35, 25], [95, 30]],
    maxUsers: 30,
  },
  {
    name: 'intelligent peak holds at the start when the first step fails',
    impl: intelligentPeak,
    stage: peak7,
    steps: [step(0, 10, 50, 100)],
    at: [[15, 10]],
    maxUsers: 30,
  },
  {
    name: 'intelligent peak holds when RPS falls',
    impl: intelligentPeak,
    stage: peak7,
    steps: [step(0, 10, 100, 100), step(1, 15, 100, 90)],
    at: [[25, 10]],
    maxUsers: 30,
  },
];

describe('pressure mode targets', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const problems: { path: string; message: string }[] = [];
      row.impl.validate(row.stage, 'stages[0]', problems);
      expect(problems).toEqual([]);
      for (const [t, expected] of row.at) {
        expect({ t, target: row.impl.target(row.stage, t, row.steps) }).toEqual({ t, target: expected });
      }
      expect(row.impl.maxUsers(row.stage)).toBe(row.maxUsers);
    });
  }

  it('durations come from time', () => {
    for (const impl of PRESSURE_MODE_IMPLS) expect(impl.duration({ time: 42 })).toBe(42);
  });

  it('intelligent peak step index', () => {
    expect([0, 9.99, 10, 29.999, 30].map((t) => stepAt(peak7, t))).toEqual([0, 0, 1, 2, 3]);
  });
});

describe('pressure mode registry', () => {
  it('maps every pressure_mode to the implementation of the same mode and kind', () => {
    const kinds = ['users', 'tps', 'users', 'users', 'tps', 'users', 'tps', 'users'];
    for (let mode = 0; mode < 8; mode++) {
      const impl = pressureModeFor(mode);
      expect(impl?.mode).toBe(mode);
      expect(impl?.kind).toBe(kinds[mode]);
    }
    expect(pressureModeFor(8)).toBeUndefined();
    expect(pressureModeFor(-1)).toBeUndefined();
  });

  it('refuses a mode registered twice', () => {
    expect(() => createPressureRegistry([concurrency, tps, concurrency])).toThrow('pressure mode 0 is registered twice');
  });
});
