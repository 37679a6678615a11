import { describe, expect, it } from 'vitest';
import type { CaseProblem } from '../types.js';
import { gradientUsers } from './gradient.js';
import { planStages, StagePosition, type CaseLoad, type StagePlan } from './stage-plan.js';

function plan(load: CaseLoad): StagePlan {
  const problems: CaseProblem[] = [];
  const result = planStages(load, problems);
  expect(problems).toEqual([]);
  return result!;
}

function problemsOf(load: CaseLoad): string[] {
  const problems: CaseProblem[] = [];
  expect(planStages(load, problems)).toBeUndefined();
  return problems.map((p) => p.message);
}

describe('stage timeline', () => {
  const p = plan({
    stages: [
      { pressure_mode: 0, time: 10, issue_num: 5 },
      { pressure_mode: 3, time: 20, loop_count: 2, minimum: 1, maximum: 8, max_duration: 2 },
      { pressure_mode: 1, time: 5, tps_value: 30, issue_num: 12 },
    ],
  });

  it('has start offsets, durations and the run-wide user ceiling', () => {
    expect(p.stages.map((s) => [s.index, s.stageIndex, s.start, s.duration, s.kind, s.maxUsers])).toEqual([
      [0, 0, 0, 10, 'users', 5],
      [1, 1, 10, 20, 'users', 8],
      [2, 2, 30, 5, 'tps', 12],
    ]);
    expect(p.duration).toBe(35);
    expect(p.maxUsers).toBe(12);
  });

  it.each([
    [0, 0, 0, 5],
    [9.99, 0, 9.99, 5],
    [10, 1, 0, 1],
    [18.5, 1, 8.5, 8],
    [29.5, 1, 19.5, 8],
    [30, 2, 0, 30],
    [34.9, 2, 4.9, 30],
    [35, 3, 0, 0],
    [100, 3, 65, 0],
  ])('elapsed %f -> stage %i at t=%f, target %f', (elapsed, index, t, target) => {
    const pos = p.locate(elapsed);
    expect(pos.index).toBe(index);
    expect(pos.t).toBeCloseTo(t, 9);
    expect(pos.done).toBe(index === 3);
    expect(p.target(pos)).toBe(target);
  });

  it('reusing one position gives the same answers forwards and backwards', () => {
    const out = new StagePosition();
    const times = [0, 3, 12, 12, 31, 9, 40, 29.99, 0];
    for (const elapsed of times) {
      const fresh = p.locate(elapsed);
      const reused = p.locate(elapsed, out);
      expect([reused.index, reused.t, reused.done]).toEqual([fresh.index, fresh.t, fresh.done]);
    }
  });
});

describe('by-count stages', () => {
  const p = plan({
    stages: [
      { pressure_mode: 0, time: 10, issue_num: 2 },
      { pressure_mode: 1, operate_mode: 1, count: 1000, tps_value: 50, issue_num: 10 },
      { pressure_mode: 0, time: 5, issue_num: 3 },
    ],
  });

  it('are open-ended until the run moves past them', () => {
    expect(p.stages.map((s) => [s.byCount, s.count])).toEqual([[false, 0], [true, 1000], [false, 0]]);
    expect(p.stages[2].start).toBeNaN();
    expect(p.duration).toBe(Infinity);
    const out = new StagePosition();
    expect(p.locate(500, out).index).toBe(1);
    expect(out.t).toBe(490);
    // the count was reached at elapsed 42: the next stage starts there
    expect(p.locate(43, out, 2, 42)).toMatchObject({ index: 2, t: 1, done: false });
    expect(p.target(out)).toBe(3);
    expect(p.locate(47, out, 2, 42)).toMatchObject({ index: 3, done: true });
  });
});

describe('gradient increase', () => {
  it('splits the stage into equal sub-phases from start to start + total', () => {
    const p = plan({
      stages: [{ pressure_mode: 0, time: 100 }, { pressure_mode: 1, time: 10, tps_value: 5, issue_num: 3 }],
      increase_setting: [{ start_users: 10, total_increase: 100, level_percent: 25, note: 'unknown keys are fine' }],
    });
    expect(p.stages.map((s) => [s.stageIndex, s.subPhase, s.subPhases, s.start, s.duration, s.maxUsers])).toEqual([
      [0, 0, 5, 0, 20, 10],
      [0, 1, 5, 20, 20, 35],
      [0, 2, 5, 40, 20, 60],
      [0, 3, 5, 60, 20, 85],
      [0, 4, 5, 80, 20, 110],
      [1, 0, 1, 100, 10, 3],
    ]);
    expect(p.maxUsers).toBe(110);
    expect(p.target(p.locate(45))).toBe(60);
    expect(p.target(p.locate(99.9))).toBe(110);
    expect(p.target(p.locate(100))).toBe(5);
  });

  it.each([
    [10, 100, 25, [10, 35, 60, 85, 110]],
    [10, 100, 30, [10, 40, 70, 100, 110]],
    [1, 10, 5, [1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11]],
    [5, 7, 100, [5, 12]],
  ])('start %i total %i level %f%% -> %j', (startUsers, totalIncrease, levelPercent, users) => {
    expect(gradientUsers({ stageIndex: 0, startUsers, totalIncrease, levelPercent })).toEqual(users);
  });

  it('applies to the named stage and ignores items without gradient keys', () => {
    const p = plan({
      stages: [{ pressure_mode: 0, time: 10, issue_num: 1 }, { pressure_mode: 0, time: 30, issue_num: 2 }],
      increase_setting: [{ comment: 'no gradient here' }, { stage_index: 1, start_users: 1, total_increase: 2, level_percent: 50 }],
    });
    expect(p.stages.map((s) => [s.stageIndex, s.maxUsers, s.duration])).toEqual([[0, 1, 10], [1, 1, 10], [1, 2, 10], [1, 3, 10]]);
  });

  it.each<[string, CaseLoad, string[]]>([
    [
      'no eligible stage',
      { stages: [{ pressure_mode: 1, time: 10, tps_value: 1, issue_num: 1 }], increase_setting: [{ start_users: 1, total_increase: 2, level_percent: 50 }] },
      ['increase_setting[0] needs a concurrency stage (pressure_mode 0) run by duration with automatic regulation'],
    ],
    [
      'two gradients',
      { stages: [{ time: 10, issue_num: 1 }], increase_setting: [{ start_users: 1 }, { level_percent: 5 }] },
      ['increase_setting must hold at most one gradient (found 2)'],
    ],
    [
      'bad values',
      { stages: [{ time: 10, issue_num: 1 }], increase_setting: [{ start_users: 0, total_increase: 1.5, level_percent: 0 }] },
      [
        'increase_setting[0].start_users must be a positive integer',
        'increase_setting[0].total_increase must be a positive integer',
        'increase_setting[0].level_percent must be a number in (0, 100]',
      ],
    ],
    [
      'a level so small it would plan millions of sub-phases',
      { stages: [{ time: 10, issue_num: 1 }], increase_setting: [{ start_users: 1, total_increase: 2, level_percent: 0.00001 }] },
      ['increase_setting[0].level_percent must be at least 0.1 (at most 1000 increments)'],
    ],
    [
      'stage_index on a by-count stage',
      { stages: [{ operate_mode: 1, count: 5, issue_num: 1 }], increase_setting: [{ stage_index: 0, start_users: 1, total_increase: 2, level_percent: 50 }] },
      ['increase_setting[0].stage_index must name a concurrency stage (pressure_mode 0) run by duration with automatic regulation'],
    ],
    [
      'stage_index out of range',
      { stages: [{ time: 10, issue_num: 1 }], increase_setting: [{ stage_index: 3, start_users: 1, total_increase: 2, level_percent: 50 }] },
      ['increase_setting[0].stage_index must be the index of a stage (0 to 0)'],
    ],
    ['item not an object', { stages: [{ time: 10, issue_num: 1 }], increase_setting: [5] }, ['increase_setting[0] must be an object']],
    [
      'gradient stage still needs its time',
      { stages: [{ pressure_mode: 0 }], increase_setting: [{ start_users: 1, total_increase: 2, level_percent: 50 }] },
      ['stages[0].time must be a positive integer'],
    ],
  ])('%s', (_name, load, expected) => {
    expect(problemsOf(load)).toEqual(expected);
  });
});
