/**
 * The CLI's KPI verdict, which decides its exit code (docs/cli.md): the case's `peak_load_kpis`,
 * judged over the seconds of each peak-load stage with the engine's rules (pressure/kpi.ts) as the
 * report judges them, and the whole-run thresholds given on the command line.
 */
import { PressureMode, type CaseInfoDetail, type IntervalMessage } from '@perftest/model';
import { evaluatePeakKpis, type KpiSample } from '../pressure/kpi.js';
import { planStages } from '../pressure/stage-plan.js';
import type { CaseProblem } from '../types.js';
import type { Performance } from './performance.js';

/** One KPI as judged. */
export interface KpiCheck {
  /** What was judged: `stages[i].peak_load_kpis.<name>`, `success_rate` or `average_response_time`. */
  kpi: string;
  /** The expectation, e.g. `<= 200` (ms) or `>= 99.5` (percent). */
  expected: string;
  passed: boolean;
  /** The figure that missed it (ms or percent), with the second it started for peak-load KPIs. */
  actual?: number;
  second?: number;
}

/** All KPIs of a run. */
export interface KpiVerdict {
  passed: boolean;
  checks: KpiCheck[];
}

/** Whole-run thresholds from the command line. */
export interface KpiThresholds {
  minSuccessRate: number | undefined;
  maxAvgRtMs: number | undefined;
}

/** A second of the run as KPIs see it, with the stage that ran. */
type StageSample = KpiSample & { stage: number };

/** Collects the per-second samples a verdict needs (a few numbers per second). */
export class KpiSamples {
  readonly samples: StageSample[] = [];

  /** Takes one second of the run (threads merged). */
  add(interval: IntervalMessage): void {
    let requests = 0;
    let success = 0;
    let rtSumUs = 0;
    for (const key of Object.keys(interval.cards)) {
      const stats = interval.cards[key];
      requests += stats.requests;
      success += stats.outcomes.success ?? 0;
      rtSumUs += stats.rtSumUs;
    }
    if (requests === 0) return;
    this.samples.push({
      second: interval.second,
      stage: interval.stage,
      users: interval.users,
      rps: requests,
      avgRtMs: rtSumUs / requests / 1000,
      successRate: (success / requests) * 100,
    });
  }
}

/** Judges the KPIs of a finished run. */
export function judgeKpis(kase: CaseInfoDetail, samples: readonly StageSample[], perf: Performance, thresholds: KpiThresholds): KpiVerdict {
  const checks: KpiCheck[] = [];
  const problems: CaseProblem[] = [];
  const plan = planStages(kase, problems);
  for (const planned of plan?.stages ?? []) {
    if (planned.impl.mode !== PressureMode.PeakLoad || planned.subPhase !== 0) continue;
    const kpis = planned.stage.peak_load_kpis;
    if (kpis === undefined || kpis === null) continue;
    const own = samples.filter((s) => s.stage === planned.stageIndex);
    const miss = evaluatePeakKpis(kpis, own);
    for (const name of ['average_response_time', 'success_rate'] as const) {
      const item = kpis[name];
      if (item === undefined || item === null || typeof item.value !== 'number') continue;
      const comparison = item.comparison ?? (name === 'success_rate' ? '>=' : '<=');
      const check: KpiCheck = { kpi: `stages[${planned.stageIndex}].peak_load_kpis.${name}`, expected: `${comparison} ${item.value}`, passed: miss?.kpi !== name };
      if (miss?.kpi === name) {
        check.actual = Math.round((name === 'success_rate' ? miss.sample.successRate : miss.sample.avgRtMs) * 1000) / 1000;
        check.second = miss.sample.second;
      }
      checks.push(check);
    }
  }
  if (thresholds.minSuccessRate !== undefined) {
    const passed = perf.requests > 0 && perf.successRate >= thresholds.minSuccessRate;
    checks.push({ kpi: 'success_rate', expected: `>= ${thresholds.minSuccessRate}`, passed, ...(passed ? {} : { actual: perf.successRate }) });
  }
  if (thresholds.maxAvgRtMs !== undefined) {
    const passed = perf.requests > 0 && perf.averageRespTime <= thresholds.maxAvgRtMs;
    checks.push({ kpi: 'average_response_time', expected: `<= ${thresholds.maxAvgRtMs}`, passed, ...(passed ? {} : { actual: perf.averageRespTime }) });
  }
  return { passed: checks.every((c) => c.passed), checks };
}

/** One line per missed KPI, for stderr. */
export function missedText(verdict: KpiVerdict): string {
  return verdict.checks
    .filter((c) => !c.passed)
    .map((c) => {
      const unit = c.kpi.endsWith('success_rate') ? ' %' : ' ms';
      const actual = c.actual === undefined ? 'no request completed' : `${c.actual}${unit}`;
      const when = c.second === undefined ? '' : ` from ${new Date(c.second * 1000).toISOString()}`;
      return `perftest: KPI missed: ${c.kpi} expected ${c.expected}${unit}, got ${actual}${when}`;
    })
    .join('\n');
}
