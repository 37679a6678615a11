/**
 * Field checks shared by the pressure modes: each pushes a problem with the field's path and an exact
 * message ("stages[0].loop_count must be a positive integer") and returns the value when it is valid.
 */
import { OperateMode, type TestCaseStage } from '@perftest/model';
import type { CaseProblem } from '../types.js';

/** Numeric fields of a stage. */
export type StageNumberField = {
  [K in keyof TestCaseStage]-?: NonNullable<TestCaseStage[K]> extends number ? K : never;
}[keyof TestCaseStage];

/** What a numeric field must be. */
export type NumberRule = 'positive integer' | 'non-negative integer' | 'positive number' | 'non-negative number';

/** Whether `value` satisfies `rule`. */
export function satisfies(value: unknown, rule: NumberRule): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (rule.endsWith('integer') && !Number.isInteger(value)) return false;
  return rule.startsWith('positive') ? value > 0 : value >= 0;
}

/**
 * Checks one numeric field. A missing field is a problem only when `required`; returns the value
 * when present and valid, otherwise undefined.
 */
export function checkNumber(
  stage: TestCaseStage,
  field: StageNumberField,
  rule: NumberRule,
  required: boolean,
  path: string,
  problems: CaseProblem[],
): number | undefined {
  const value = stage[field];
  if (value === undefined || value === null) {
    if (required) problems.push({ path: `${path}.${field}`, message: `${path}.${field} must be a ${rule}` });
    return undefined;
  }
  if (!satisfies(value, rule)) {
    problems.push({ path: `${path}.${field}`, message: `${path}.${field} must be a ${rule}` });
    return undefined;
  }
  return value;
}

/** Pushes `${path}.${field} ${message}`. */
export function problem(problems: CaseProblem[], path: string, field: string, message: string): void {
  const at = field === '' ? path : `${path}.${field}`;
  problems.push({ path: at, message: `${at} ${message}` });
}

/** True when the stage runs until `count` iterations (operate_mode 1). */
export function isByCount(stage: TestCaseStage): boolean {
  return stage.operate_mode === OperateMode.ByCount;
}

/** True when the stage is regulated by hand (voltage_regulating_mode 1). */
export function isManual(stage: TestCaseStage): boolean {
  return stage.voltage_regulating_mode === 1;
}

/** What a mode allows beyond running by duration with automatic regulation. */
export interface RunRules {
  /** operate_mode 1 (by count) allowed: modes 0 and 1 only. */
  byCount: boolean;
  /** voltage_regulating_mode 1 (manual) allowed: modes 0 and 1 only. */
  manual: boolean;
}

/**
 * Checks operate_mode, voltage_regulating_mode and the length of the stage (`time` when by duration,
 * `count` when by count).
 */
export function checkRun(stage: TestCaseStage, rules: RunRules, path: string, problems: CaseProblem[]): void {
  const operate = stage.operate_mode ?? OperateMode.ByDuration;
  if (operate !== OperateMode.ByDuration && operate !== OperateMode.ByCount) {
    problem(problems, path, 'operate_mode', 'must be 0 (by duration) or 1 (by count)');
  } else if (operate === OperateMode.ByCount && !rules.byCount) {
    problem(problems, path, 'operate_mode', '1 (by count) is allowed only for pressure modes 0 and 1');
  } else if (operate === OperateMode.ByCount) {
    checkNumber(stage, 'count', 'positive integer', true, path, problems);
  } else {
    checkNumber(stage, 'time', 'positive integer', true, path, problems);
  }
  const regulation = stage.voltage_regulating_mode ?? 0;
  if (regulation !== 0 && regulation !== 1) {
    problem(problems, path, 'voltage_regulating_mode', 'must be 0 (automatic) or 1 (manual)');
  } else if (regulation === 1 && !rules.manual) {
    problem(problems, path, 'voltage_regulating_mode', '1 (manual) is allowed only for pressure modes 0 and 1');
  } else if (regulation === 1 && operate === OperateMode.ByCount) {
    problem(problems, path, 'voltage_regulating_mode', '1 (manual) is allowed only when running by duration (operate_mode 0)');
  }
}

/** Pushes a problem when `low` exceeds `high` (both known). */
export function checkOrder(
  low: number | undefined,
  high: number | undefined,
  lowField: string,
  highField: string,
  path: string,
  problems: CaseProblem[],
): void {
  if (low !== undefined && high !== undefined && low > high) {
    problem(problems, path, lowField, `must not exceed ${highField}`);
  }
}

/** Whole users for a fractional load (tolerating float error just below an integer). */
export function wholeUsers(users: number): number {
  return Math.floor(users + 1e-9);
}

/** Linear ramp from `from` to `to` over `rampUp` seconds, then `to` (whole users). */
export function rampUsers(from: number, to: number, rampUp: number, t: number): number {
  if (rampUp <= 0 || t >= rampUp) return to;
  if (t <= 0) return from;
  return wholeUsers(from + ((to - from) * t) / rampUp);
}
