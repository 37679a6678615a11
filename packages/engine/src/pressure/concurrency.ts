/**
 * pressure_mode 0, concurrency: `issue_num` users for the whole stage, optionally reached by a linear
 * ramp from `current_user_num` over `ramp_up` seconds. Manual regulation starts at
 * `current_user_num` (the operator may raise it up to `issue_num` while running). May run by count.
 */
import { PressureMode, type TestCaseStage } from '@perftest/model';
import type { CaseProblem, PressureModeImpl } from '../types.js';
import { checkNumber, checkOrder, checkRun, isByCount, isManual, problem, rampUsers } from './checks.js';

/** The concurrency mode. */
export const concurrency: PressureModeImpl = {
  mode: PressureMode.Concurrency,
  kind: 'users',

  validate(stage: TestCaseStage, path: string, problems: CaseProblem[]): void {
    checkRun(stage, { byCount: true, manual: true }, path, problems);
    const top = checkNumber(stage, 'issue_num', 'positive integer', true, path, problems);
    const start = checkNumber(stage, 'current_user_num', 'non-negative integer', false, path, problems);
    const rampUp = checkNumber(stage, 'ramp_up', 'non-negative integer', false, path, problems) ?? 0;
    if (rampUp > 0 || isManual(stage)) checkOrder(start, top, 'current_user_num', 'issue_num', path, problems);
    if (rampUp > 0 && !isByCount(stage) && typeof stage.time === 'number' && rampUp > stage.time) {
      problem(problems, path, 'ramp_up', 'must not exceed time');
    }
  },

  duration(stage: TestCaseStage): number {
    return stage.time ?? 0;
  },

  target(stage: TestCaseStage, t: number): number {
    const top = stage.issue_num ?? 0;
    if (isManual(stage)) return stage.current_user_num ?? top;
    return rampUsers(stage.current_user_num ?? 0, top, stage.ramp_up ?? 0, t);
  },

  maxUsers(stage: TestCaseStage): number {
    return stage.issue_num ?? 0;
  },
};
