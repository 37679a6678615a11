import { LOAD_SHAPE_MAX_POINTS, type LoadShapePoint } from '@perftest/model';
import { describe, expect, it } from 'vitest';
import type { CaseProblem } from '../types.js';
import { loadShape } from './load-shape.js';
import { planStages, type CaseLoad, type StagePlan } from './stage-plan.js';

function plan(load: CaseLoad): StagePlan {
  const problems: CaseProblem[] = [];
  const result = planStages(load, problems);
  expect(problems).toEqual([]);
  return result!;
}

/** The value a shape gives at `t`: that of the last point at or before it. */
function valueAt(points: readonly LoadShapePoint[], t: number): LoadShapePoint {
  let found = points[0];
  for (const p of points) if (p.t <= t) found = p;
  return found;
}

const MODES: Array<[string, CaseLoad]> = [
  ['0 concurrency with ramp-up', { stages: [{ pressure_mode: 0, time: 30, issue_num: 12, current_user_num: 2, ramp_up: 10 }] }],
  ['1 TPS', { stages: [{ pressure_mode: 1, time: 20, tps_value: 7.5, issue_num: 4 }] }],
  ['2 peak load', { stages: [{ pressure_mode: 2, time: 40, issue_num: 50, ramp_up: 25 }] }],
  ['3 surge users', { stages: [{ pressure_mode: 3, time: 60, loop_count: 3, minimum: 2, maximum: 9, max_duration: 5 }] }],
  ['4 surge TPS', { stages: [{ pressure_mode: 4, time: 60, loop_count: 2, minimum: 1, maximum: 20, max_duration: 7, issue_num: 5 }] }],
  ['5 flapping users', { stages: [{ pressure_mode: 5, time: 40, loop_count: 2, minimum: 1, maximum: 11 }] }],
  ['6 flapping TPS', { stages: [{ pressure_mode: 6, time: 30, loop_count: 1, minimum: 0.5, maximum: 3, issue_num: 2 }] }],
  ['7 intelligent high pressure', { stages: [{ pressure_mode: 7, time: 50, current_user_num: 5, step_size: 5, step_duration: 10, maximum: 22 }] }],
  ['gradient', { stages: [{ pressure_mode: 0, time: 40, issue_num: 30 }], increase_setting: [{ start_users: 10, total_increase: 20, level_percent: 25 }] }],
  ['three stages', { stages: [{ time: 5, issue_num: 3 }, { pressure_mode: 1, time: 5, tps_value: 2, issue_num: 3 }, { pressure_mode: 5, time: 10, loop_count: 1, minimum: 1, maximum: 5 }] }],
];

describe('load shape', () => {
  it.each(MODES)('mode %s: every second of the plan equals the engine target', (_name, load) => {
    const p = plan(load);
    const shape = loadShape(p);
    expect(shape.duration).toBe(p.duration);
    expect(shape.max_users).toBe(p.maxUsers);
    expect(shape.points[0].t).toBe(0);
    expect(shape.points[shape.points.length - 1].t).toBe(p.duration);
    for (let t = 0; t < p.duration; t++) {
      const position = p.locate(t);
      const planned = p.stages[position.index];
      const expected = p.target(position);
      const got = valueAt(shape.points, t);
      expect(got.stage, `t=${t}`).toBe(planned.stageIndex);
      if (planned.kind === 'users') expect([got.users, got.tps], `t=${t}`).toEqual([expected, null]);
      else expect([got.users, got.tps], `t=${t}`).toEqual([null, Math.round(expected * 1000) / 1000]);
    }
  });

  it('keeps only the changes: a hold is two points, a ramp every step', () => {
    expect(loadShape(plan({ stages: [{ time: 100, issue_num: 5 }] })).points).toEqual([
      { t: 0, stage: 0, users: 5, tps: null },
      { t: 100, stage: 0, users: 5, tps: null },
    ]);
    const climb = loadShape(plan({ stages: [{ pressure_mode: 7, time: 30, current_user_num: 1, step_size: 2, step_duration: 10, maximum: 100 }] }));
    expect(climb.points.map((q) => [q.t, q.users])).toEqual([[0, 1], [9, 1], [10, 3], [19, 3], [20, 5], [30, 5]]);
  });

  it('lists the timeline: gradient sub-phases share their stage, by-count stages have no duration', () => {
    const gradient = loadShape(plan(MODES[8][1]));
    expect(gradient.stages.map((s) => [s.stage, s.sub_phase, s.start, s.duration])).toEqual([
      [0, 0, 0, 8], [0, 1, 8, 8], [0, 2, 16, 8], [0, 3, 24, 8], [0, 4, 32, 8],
    ]);
    const byCount = loadShape(plan({ stages: [{ time: 10, issue_num: 2 }, { operate_mode: 1, count: 500, issue_num: 4, current_user_num: 0, ramp_up: 4 }, { time: 5, issue_num: 1 }] }));
    expect(byCount.duration).toBeNull();
    expect(byCount.stages.map((s) => [s.start, s.duration, s.by_count, s.count])).toEqual([[0, 10, false, 0], [10, null, true, 500], [14, 5, false, 0]]);
    expect(byCount.points.map((q) => [q.t, q.users])).toEqual([[0, 2], [9, 2], [10, 0], [11, 1], [12, 2], [13, 3], [14, 1], [19, 1]]);
  });

  it('downsamples long plans to the maximum, keeping the lows and highs', () => {
    const long = plan({ stages: [{ pressure_mode: 3, time: 86_400, loop_count: 2880, minimum: 3, maximum: 40, max_duration: 4 }] });
    const shape = loadShape(long);
    expect(shape.points.length).toBeLessThanOrEqual(LOAD_SHAPE_MAX_POINTS);
    expect(shape.points.length).toBeGreaterThan(LOAD_SHAPE_MAX_POINTS / 2);
    const users = shape.points.map((q) => q.users as number);
    expect(Math.min(...users)).toBe(3);
    expect(Math.max(...users)).toBe(40);
    expect(users.filter((u) => u === 40).length).toBeGreaterThan(LOAD_SHAPE_MAX_POINTS / 4);
    expect(shape.points.every((q, i) => i === 0 || q.t >= shape.points[i - 1].t)).toBe(true);
    expect(shape.points[shape.points.length - 1].t).toBe(86_400);
  });

  it('samples coarser past the sample budget and stays bounded for huge durations', () => {
    const huge = loadShape(plan({ stages: [{ pressure_mode: 5, time: 2_000_000_000, loop_count: 3, minimum: 0, maximum: 1000 }] }));
    expect(huge.points.length).toBeLessThanOrEqual(LOAD_SHAPE_MAX_POINTS);
    expect(Math.max(...huge.points.map((q) => q.users as number))).toBeGreaterThan(990);
  });
});
