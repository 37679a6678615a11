/**
 * pressure_mode 2, peak load: a linear rise from `current_user_num` (default 0) to `issue_num` over
 * `ramp_up` seconds, then a hold at the peak until `time`. Its `peak_load_kpis` are judged over
 * per-second data by kpi.ts.
 */
import { PressureMode, type TestCaseStage } from '@perftest/model';
import type { CaseProblem, PressureModeImpl } from '../types.js';
import { checkNumber, checkOrder, checkRun, problem, rampUsers } from './checks.js';
import { checkKpis } from './kpi.js';

/** The peak-load mode. */
export const peakLoad: PressureModeImpl = {
  mode: PressureMode.PeakLoad,
  kind: 'users',

  validate(stage: TestCaseStage, path: string, problems: CaseProblem[]): void {
    checkRun(stage, { byCount: false, manual: false }, path, problems);
    const top = checkNumber(stage, 'issue_num', 'positive integer', true, path, problems);
    const start = checkNumber(stage, 'current_user_num', 'non-negative integer', false, path, problems);
    checkOrder(start, top, 'current_user_num', 'issue_num', path, problems);
    const rampUp = checkNumber(stage, 'ramp_up', 'non-negative integer', false, path, problems);
    if (rampUp !== undefined && typeof stage.time === 'number' && rampUp > stage.time) {
      problem(problems, path, 'ramp_up', 'must not exceed time');
    }
    checkKpis(stage.peak_load_kpis, `${path}.peak_load_kpis`, problems);
  },

  duration(stage: TestCaseStage): number {
    return stage.time ?? 0;
  },

  target(stage: TestCaseStage, t: number): number {
    return rampUsers(stage.current_user_num ?? 0, stage.issue_num ?? 0, stage.ramp_up ?? 0, t);
  },

  maxUsers(stage: TestCaseStage): number {
    return stage.issue_num ?? 0;
  },
};
