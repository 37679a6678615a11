/**
 * pressure_mode 7, intelligent high pressure: start at `current_user_num` (else `minimum`), add
 * `step_size` users every `step_duration` seconds up to `maximum` (else `issue_num`), then hold.
 * Once the finished steps show a knee (knee.ts), the load holds at the last good step's users until
 * `time` instead of climbing further.
 */
import { PressureMode, type TestCaseStage } from '@perftest/model';
import type { CaseProblem, PressureModeImpl, StepResult } from '../../types.js';
import { checkNumber, checkRun, problem, satisfies } from '../checks.js';
import { checkKpis } from '../kpi.js';
import { kneeIndex, kneeThreshold } from './knee.js';

/** Users of the first step: `current_user_num`, else `minimum`. */
export function startUsers(stage: TestCaseStage): number {
  return stage.current_user_num ?? stage.minimum ?? 0;
}

/** The user ceiling: `maximum`, else `issue_num`. */
export function topUsers(stage: TestCaseStage): number {
  return stage.maximum ?? stage.issue_num ?? 0;
}

/** The step (0, 1, 2, …) running at `t` seconds since the stage started. */
export function stepAt(stage: TestCaseStage, t: number): number {
  const length = stage.step_duration ?? 0;
  return length > 0 && t > 0 ? Math.floor(t / length + 1e-9) : 0;
}

/** Users of step `step` without knee: min(top, start + step * step_size). */
export function stepUsers(stage: TestCaseStage, step: number): number {
  return Math.min(topUsers(stage), startUsers(stage) + step * (stage.step_size ?? 0));
}

/** The intelligent high pressure mode. */
export const intelligentPeak: PressureModeImpl = {
  mode: PressureMode.IntelligentPeak,
  kind: 'users',

  validate(stage: TestCaseStage, path: string, problems: CaseProblem[]): void {
    checkRun(stage, { byCount: false, manual: false }, path, problems);
    checkNumber(stage, 'step_duration', 'positive integer', true, path, problems);
    checkNumber(stage, 'step_size', 'positive integer', true, path, problems);
    const startField = stage.current_user_num !== undefined && stage.current_user_num !== null ? 'current_user_num' : 'minimum';
    const start = stage[startField];
    if (!satisfies(start, 'non-negative integer')) {
      problem(problems, path, startField, startField === 'minimum'
        ? 'must be a non-negative integer (or set current_user_num)'
        : 'must be a non-negative integer');
    }
    const topField = stage.maximum !== undefined && stage.maximum !== null ? 'maximum' : 'issue_num';
    const top = stage[topField];
    if (!satisfies(top, 'positive integer')) {
      problem(problems, path, topField, topField === 'issue_num'
        ? 'must be a positive integer (or set maximum)'
        : 'must be a positive integer');
    } else if (satisfies(start, 'non-negative integer') && start > top) {
      problem(problems, path, startField, `must not exceed ${topField}`);
    }
    checkKpis(stage.peak_load_kpis, `${path}.peak_load_kpis`, problems);
  },

  duration(stage: TestCaseStage): number {
    return stage.time ?? 0;
  },

  target(stage: TestCaseStage, t: number, steps?: readonly StepResult[]): number {
    const users = stepUsers(stage, stepAt(stage, t));
    if (steps === undefined || steps.length === 0) return users;
    const knee = kneeIndex(steps, kneeThreshold(stage));
    if (knee < 0) return users;
    const hold = knee > 0 ? steps[knee - 1].users : startUsers(stage);
    return Math.min(users, hold);
  },

  maxUsers(stage: TestCaseStage): number {
    return Math.max(topUsers(stage), startUsers(stage));
  },
};
