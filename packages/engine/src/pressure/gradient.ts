/**
 * Gradient increase (`increase_setting`, docs/pressure-modes.md, "Gradient increase"): one concurrency
 * stage run by duration with automatic regulation is split into equal sub-phases whose users are start,
 * start + total*level, start + 2*total*level, …, start + total.
 *
 * Accepted item shape (unknown keys are ignored; items with none of the three gradient keys are
 * ignored as well), e.g. `{"start_users": 10, "total_increase": 100, "level_percent": 25}` gives five
 * sub-phases of 10, 35, 60, 85 and 110 users:
 *   start_users     positive integer, users of the first sub-phase
 *   total_increase  positive integer, users added by the end
 *   level_percent   number in [0.1, 100], the increment of each sub-phase in percent of total_increase
 *   stage_index     optional, the stage it applies to; default the first eligible stage
 * The documented limit is one gradient stage per case, so at most one item may hold a gradient.
 */
import { OperateMode, PressureMode, type TestCaseStage } from '@perftest/model';
import type { CaseProblem } from '../types.js';
import { satisfies } from './checks.js';

/** A validated gradient. */
export interface Gradient {
  /** Index in `stages` of the stage it applies to. */
  stageIndex: number;
  startUsers: number;
  totalIncrease: number;
  levelPercent: number;
}

const GRADIENT_KEYS = ['start_users', 'total_increase', 'level_percent'] as const;

/** Smallest `level_percent`: 1000 increments, so that a careless value cannot plan millions of sub-phases. */
export const MIN_LEVEL_PERCENT = 0.1;

/** Whether a stage may carry a gradient: concurrency, by duration, automatic regulation. */
export function gradientEligible(stage: TestCaseStage): boolean {
  return (
    (stage.pressure_mode ?? PressureMode.Concurrency) === PressureMode.Concurrency &&
    (stage.operate_mode ?? OperateMode.ByDuration) === OperateMode.ByDuration &&
    (stage.voltage_regulating_mode ?? 0) === 0
  );
}

/** Reads and checks `increase_setting`; undefined when it holds no gradient or has problems. */
export function readGradient(
  setting: readonly unknown[] | null | undefined,
  stages: readonly TestCaseStage[],
  problems: CaseProblem[],
): Gradient | undefined {
  if (setting === undefined || setting === null) return undefined;
  const found: Array<[number, Record<string, unknown>]> = [];
  setting.forEach((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push({ path: `increase_setting[${i}]`, message: `increase_setting[${i}] must be an object` });
    } else if (GRADIENT_KEYS.some((key) => key in item)) {
      found.push([i, item as Record<string, unknown>]);
    }
  });
  if (found.length === 0) return undefined;
  if (found.length > 1) {
    problems.push({ path: 'increase_setting', message: `increase_setting must hold at most one gradient (found ${found.length})` });
    return undefined;
  }
  const [i, item] = found[0];
  const at = `increase_setting[${i}]`;
  const before = problems.length;
  const need = (key: string, ok: boolean, what: string) => {
    if (!ok) problems.push({ path: `${at}.${key}`, message: `${at}.${key} must be ${what}` });
  };
  need('start_users', satisfies(item.start_users, 'positive integer'), 'a positive integer');
  need('total_increase', satisfies(item.total_increase, 'positive integer'), 'a positive integer');
  const level = item.level_percent;
  need('level_percent', typeof level === 'number' && level > 0 && level <= 100, 'a number in (0, 100]');
  if (typeof level === 'number' && level > 0 && level < MIN_LEVEL_PERCENT) {
    need('level_percent', false, `at least ${MIN_LEVEL_PERCENT} (at most ${Math.ceil(100 / MIN_LEVEL_PERCENT)} increments)`);
  }
  let stageIndex = -1;
  if (item.stage_index !== undefined && item.stage_index !== null) {
    if (!satisfies(item.stage_index, 'non-negative integer') || item.stage_index >= stages.length) {
      need('stage_index', false, `the index of a stage (0 to ${stages.length - 1})`);
    } else if (!gradientEligible(stages[item.stage_index])) {
      problems.push({
        path: `${at}.stage_index`,
        message: `${at}.stage_index must name a concurrency stage (pressure_mode 0) run by duration with automatic regulation`,
      });
    } else {
      stageIndex = item.stage_index;
    }
  } else {
    stageIndex = stages.findIndex(gradientEligible);
    if (stageIndex < 0) {
      problems.push({ path: at, message: `${at} needs a concurrency stage (pressure_mode 0) run by duration with automatic regulation` });
    }
  }
  if (problems.length > before) return undefined;
  return {
    stageIndex,
    startUsers: item.start_users as number,
    totalIncrease: item.total_increase as number,
    levelPercent: level as number,
  };
}

/** Users of each sub-phase: start, then start + total * min(1, k * level), ending at start + total. */
export function gradientUsers(gradient: Gradient): number[] {
  const { startUsers, totalIncrease, levelPercent } = gradient;
  const steps = Math.ceil(100 / levelPercent - 1e-9);
  const users: number[] = [];
  for (let k = 0; k <= steps; k++) {
    // Multiply before dividing so that whole percentages stay exact (10 * 3 * 5 / 100 = 1.5).
    users.push(startUsers + Math.round(Math.min(totalIncrease * k * levelPercent, totalIncrease * 100) / 100));
  }
  return users;
}
