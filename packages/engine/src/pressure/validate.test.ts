import { describe, expect, it } from 'vitest';
import type { TestCaseStage } from '@perftest/model';
import type { CaseProblem } from '../types.js';
import { planStages, validateLoad } from './stage-plan.js';

/** Messages of one stage validated as `stages[0]`. */
function messages(stage: TestCaseStage): string[] {
  const problems: CaseProblem[] = [];
  validateLoad({ stages: [stage] }, problems);
  return problems.map((p) => p.message);
}

const surge = { pressure_mode: 3, time: 60, loop_count: 3, minimum: 5, maximum: 50, max_duration: 5 };
const peak7 = { pressure_mode: 7, time: 100, current_user_num: 10, step_size: 5, step_duration: 10, maximum: 30 };

const TABLE: Array<[name: string, stage: TestCaseStage, expected: string[]]> = [
  ['valid concurrency', { pressure_mode: 0, time: 60, issue_num: 10 }, []],
  ['pressure_mode defaults to concurrency', { time: 60, issue_num: 10 }, []],
  ['missing time', { pressure_mode: 0, issue_num: 10 }, ['stages[0].time must be a positive integer']],
  ['zero time', { pressure_mode: 0, time: 0, issue_num: 10 }, ['stages[0].time must be a positive integer']],
  ['missing count when by count', { pressure_mode: 0, operate_mode: 1, issue_num: 10 }, ['stages[0].count must be a positive integer']],
  ['by count needs no time', { pressure_mode: 1, operate_mode: 1, count: 100, tps_value: 5, issue_num: 2 }, []],
  ['unknown operate_mode', { pressure_mode: 0, operate_mode: 2, issue_num: 10 }, ['stages[0].operate_mode must be 0 (by duration) or 1 (by count)']],
  ['missing issue_num', { pressure_mode: 0, time: 10 }, ['stages[0].issue_num must be a positive integer']],
  ['fractional issue_num', { pressure_mode: 0, time: 10, issue_num: 2.5 }, ['stages[0].issue_num must be a positive integer']],
  ['ramp start above issue_num', { pressure_mode: 0, time: 10, issue_num: 5, current_user_num: 8, ramp_up: 5 }, ['stages[0].current_user_num must not exceed issue_num']],
  ['current_user_num ignored without ramp', { pressure_mode: 0, time: 10, issue_num: 5, current_user_num: 8 }, []],
  ['ramp longer than time', { pressure_mode: 0, time: 10, issue_num: 5, ramp_up: 11 }, ['stages[0].ramp_up must not exceed time']],
  [
    'manual by count',
    { pressure_mode: 0, operate_mode: 1, count: 10, issue_num: 5, voltage_regulating_mode: 1 },
    ['stages[0].voltage_regulating_mode 1 (manual) is allowed only when running by duration (operate_mode 0)'],
  ],
  ['tps without tps_value', { pressure_mode: 1, time: 10, issue_num: 5 }, ['stages[0].tps_value must be a positive number']],
  ['manual tps with a start needs no tps_value', { pressure_mode: 1, time: 10, issue_num: 5, current_tps: 3, voltage_regulating_mode: 1 }, []],
  ['tps without pool', { pressure_mode: 1, time: 10, tps_value: 5 }, ['stages[0].issue_num must be a positive integer']],
  [
    'peak load by count',
    { pressure_mode: 2, operate_mode: 1, count: 10, issue_num: 5 },
    ['stages[0].operate_mode 1 (by count) is allowed only for pressure modes 0 and 1'],
  ],
  ['peak load ramp beyond time', { pressure_mode: 2, time: 10, issue_num: 5, ramp_up: 20 }, ['stages[0].ramp_up must not exceed time']],
  ['peak load start above peak', { pressure_mode: 2, time: 10, issue_num: 5, current_user_num: 6 }, ['stages[0].current_user_num must not exceed issue_num']],
  [
    'peak load KPIs',
    { pressure_mode: 2, time: 10, issue_num: 5, peak_load_kpis: { average_response_time: { comparison: '~', value: 70_000 }, success_rate: { comparison: '>=', value: 101 } } },
    [
      'stages[0].peak_load_kpis.average_response_time.comparison must be one of > >= < <= = == !=',
      'stages[0].peak_load_kpis.average_response_time.value must be a number from 0 to 60000',
      'stages[0].peak_load_kpis.success_rate.value must be a number from 0 to 100',
    ],
  ],
  ['valid surge', surge, []],
  ['surge loop_count zero', { ...surge, loop_count: 0 }, ['stages[0].loop_count must be a positive integer']],
  ['surge hold as long as the period', { ...surge, max_duration: 20 }, ['stages[0].max_duration must be less than the period time / loop_count (20 s)']],
  ['surge without hold', { ...surge, max_duration: null }, ['stages[0].max_duration must be a positive integer']],
  ['surge minimum above maximum', { ...surge, minimum: 60 }, ['stages[0].minimum must not exceed maximum']],
  [
    'surge manual and by count',
    { ...surge, voltage_regulating_mode: 1, operate_mode: 1 },
    [
      'stages[0].operate_mode 1 (by count) is allowed only for pressure modes 0 and 1',
      'stages[0].voltage_regulating_mode 1 (manual) is allowed only for pressure modes 0 and 1',
    ],
  ],
  ['surge tps needs a pool', { ...surge, pressure_mode: 4, minimum: 0.5, maximum: 2.5 }, ['stages[0].issue_num must be a positive integer']],
  ['surge users must be whole', { ...surge, minimum: 0.5 }, ['stages[0].minimum must be a non-negative integer']],
  ['flapping ignores max_duration', { pressure_mode: 5, time: 40, loop_count: 2, minimum: 1, maximum: 3, max_duration: 100 }, []],
  [
    'flapping tps without bounds',
    { pressure_mode: 6, time: 40, loop_count: 2, issue_num: 5 },
    ['stages[0].minimum must be a non-negative number', 'stages[0].maximum must be a positive number'],
  ],
  ['valid intelligent peak', peak7, []],
  ['intelligent peak zero step_duration', { ...peak7, step_duration: 0 }, ['stages[0].step_duration must be a positive integer']],
  ['intelligent peak without step_size', { ...peak7, step_size: undefined }, ['stages[0].step_size must be a positive integer']],
  [
    'intelligent peak without start or top',
    { pressure_mode: 7, time: 100, step_size: 5, step_duration: 10 },
    ['stages[0].minimum must be a non-negative integer (or set current_user_num)', 'stages[0].issue_num must be a positive integer (or set maximum)'],
  ],
  ['intelligent peak start above top', { ...peak7, current_user_num: 40 }, ['stages[0].current_user_num must not exceed maximum']],
  ['unknown pressure_mode', { pressure_mode: 9, time: 10 }, ['stages[0].pressure_mode must be an integer from 0 to 7']],
];

describe('stage validation', () => {
  it.each(TABLE)('%s', (_name, stage, expected) => {
    expect(messages(stage)).toEqual(expected);
  });

  it('every problem carries the path its message starts with', () => {
    const problems: CaseProblem[] = [];
    validateLoad({ stages: [{ ...surge, loop_count: 0 }, { pressure_mode: 7, time: 10 }] }, problems);
    expect(problems.length).toBeGreaterThan(2);
    for (const p of problems) expect(p.message.startsWith(p.path)).toBe(true);
    expect(problems.some((p) => p.path.startsWith('stages[1]'))).toBe(true);
  });

  it('rejects a case without stages and reports problems of all stages at once', () => {
    const problems: CaseProblem[] = [];
    expect(planStages({ stages: [] }, problems)).toBeUndefined();
    expect(problems.map((p) => p.message)).toEqual(['stages must hold at least one stage']);
    const more: CaseProblem[] = [];
    expect(planStages({ stages: [{ pressure_mode: 0, issue_num: 1 }, { pressure_mode: 3, time: 10 }] }, more)).toBeUndefined();
    expect(more.map((p) => p.path)).toEqual(['stages[0].time', 'stages[1].loop_count', 'stages[1].minimum', 'stages[1].maximum', 'stages[1].max_duration']);
  });
});
