/**
 * What surge (3, 4) and flapping (5, 6) share: a period `P = time / loop_count` between `minimum` and
 * `maximum`, in users or TPS. Surge holds `minimum` for `P - max_duration` s, then `maximum` for
 * `max_duration` s; flapping is a triangle, rising min -> max over P/2 and falling back over P/2.
 */
import type { PressureMode, TestCaseStage } from '@perftest/model';
import type { CaseProblem, LoadKind, PressureModeImpl } from '../types.js';
import { checkNumber, checkOrder, checkRun, problem, wholeUsers } from './checks.js';

/** The two periodic waveforms. */
export type Waveform = 'surge' | 'flapping';

/** Length of one period in seconds (0 when the fields are missing). */
export function periodOf(stage: TestCaseStage): number {
  const loops = stage.loop_count ?? 0;
  return loops > 0 ? (stage.time ?? 0) / loops : 0;
}

/** Position inside the current period, in [0, P). */
function phase(t: number, period: number): number {
  if (t <= 0 || period <= 0) return 0;
  const p = t % period;
  return p < 0 ? 0 : p;
}

/** Surge load at `t`: minimum, then maximum for the last `max_duration` seconds of each period. */
export function surgeLoad(stage: TestCaseStage, t: number): number {
  const period = periodOf(stage);
  const atMax = phase(t, period) >= period - (stage.max_duration ?? 0);
  return atMax ? (stage.maximum ?? 0) : (stage.minimum ?? 0);
}

/** Flapping load at `t`: a triangle from minimum up to maximum at mid-period and back. */
export function flappingLoad(stage: TestCaseStage, t: number): number {
  const low = stage.minimum ?? 0;
  const high = stage.maximum ?? 0;
  const half = periodOf(stage) / 2;
  if (half <= 0) return low;
  const p = phase(t, half * 2);
  const rise = p <= half ? p / half : (2 * half - p) / half;
  return low + (high - low) * rise;
}

/** Checks the fields of a surge or flapping stage. */
function validatePeriodic(stage: TestCaseStage, kind: LoadKind, waveform: Waveform, path: string, problems: CaseProblem[]): void {
  checkRun(stage, { byCount: false, manual: false }, path, problems);
  const loops = checkNumber(stage, 'loop_count', 'positive integer', true, path, problems);
  const users = kind === 'users';
  const low = checkNumber(stage, 'minimum', users ? 'non-negative integer' : 'non-negative number', true, path, problems);
  const high = checkNumber(stage, 'maximum', users ? 'positive integer' : 'positive number', true, path, problems);
  checkOrder(low, high, 'minimum', 'maximum', path, problems);
  if (!users) checkNumber(stage, 'issue_num', 'positive integer', true, path, problems);
  if (waveform === 'surge') {
    const hold = checkNumber(stage, 'max_duration', 'positive integer', true, path, problems);
    const time = stage.time;
    if (hold !== undefined && loops !== undefined && typeof time === 'number' && time > 0) {
      const period = time / loops;
      if (hold >= period) problem(problems, path, 'max_duration', `must be less than the period time / loop_count (${period} s)`);
    }
  }
}

/** Builds the implementation of one periodic mode. */
export function periodicMode(mode: PressureMode, kind: LoadKind, waveform: Waveform): PressureModeImpl {
  const load = waveform === 'surge' ? surgeLoad : flappingLoad;
  const users = kind === 'users';
  return {
    mode,
    kind,
    validate(stage: TestCaseStage, path: string, problems: CaseProblem[]): void {
      validatePeriodic(stage, kind, waveform, path, problems);
    },
    duration(stage: TestCaseStage): number {
      return stage.time ?? 0;
    },
    target(stage: TestCaseStage, t: number): number {
      const value = load(stage, t);
      return users ? wholeUsers(value) : value;
    },
    maxUsers(stage: TestCaseStage): number {
      return users ? (stage.maximum ?? 0) : (stage.issue_num ?? 0);
    },
  };
}
