/**
 * pressure_mode 1, TPS: start `tps_value` iterations per second, each on a free user from a pool of
 * `issue_num` (open model). Manual regulation starts at `current_tps`. May run by count.
 */
import { PressureMode, type TestCaseStage } from '@perftest/model';
import type { CaseProblem, PressureModeImpl } from '../types.js';
import { checkNumber, checkRun, isManual } from './checks.js';

/** The TPS mode. */
export const tps: PressureModeImpl = {
  mode: PressureMode.Tps,
  kind: 'tps',

  validate(stage: TestCaseStage, path: string, problems: CaseProblem[]): void {
    checkRun(stage, { byCount: true, manual: true }, path, problems);
    checkNumber(stage, 'issue_num', 'positive integer', true, path, problems);
    const start = checkNumber(stage, 'current_tps', 'non-negative number', false, path, problems);
    // A manual stage with a start TPS needs no target TPS: the operator sets it while running.
    const targetRequired = !(isManual(stage) && start !== undefined && start > 0);
    checkNumber(stage, 'tps_value', 'positive number', targetRequired, path, problems);
  },

  duration(stage: TestCaseStage): number {
    return stage.time ?? 0;
  },

  target(stage: TestCaseStage): number {
    const value = stage.tps_value ?? 0;
    return isManual(stage) ? (stage.current_tps ?? value) : value;
  },

  maxUsers(stage: TestCaseStage): number {
    return stage.issue_num ?? 0;
  },
};
