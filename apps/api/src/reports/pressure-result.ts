/**
 * What the load plan says about the merged data of every worker: the peak-load KPIs (mode 2,
 * judged second by second with the engine's PeakKpiTracker rules) and the knee of intelligent high
 * pressure (mode 7, steps measured as the engine's StepTracker does and judged with findKnee). Both
 * read the report's per-second series, i.e. the sum over all shares and workers, never one worker's
 * view. Request-level figures are used: the requests of every card of the second.
 */
import {
  Col,
  evaluatePeakKpis,
  findKnee,
  intelligentStepAt,
  kneeThreshold,
  planStages,
  pressureModeFor,
  StagePlan,
  type CaseProblem,
  type KpiMiss,
  type KpiSample,
  type PlannedStage,
  type SecondSeries,
  type StepResult,
} from '@perftest/engine';
import { PressureMode, type CaseInfoDetail, type PeakMetric, type PreparedStage } from '@perftest/model';
import { round } from './round.js';

/** The KPI verdict of a case's peak-load stages. */
export interface PeakLoadResult {
  /** Whether any peak-load stage sets KPIs. */
  hasKpis: boolean;
  /** Whether some KPI second was judged. */
  executed: boolean;
  /** The first miss (6 consecutive seconds) over the judged stages, if any. */
  miss: (KpiMiss & { stageIndex: number }) | undefined;
}

/** The knee verdict of the last intelligent high pressure stage with finished steps. */
export interface KneeResult {
  stageIndex: number;
  steps: StepResult[];
  /** Position of the knee step in `steps`, or -1 when every finished step was good. */
  knee: number;
  peak: StepResult | undefined;
  /** Epoch second at which each step's first measured second began, by position in `steps`. */
  stepStarts: number[];
  /** Average response time (ms) of each step, by position in `steps`. */
  stepAvgMs: number[];
}

/**
 * The load timeline of a case run: the one prepared at its start, or, for a run stored before cases
 * were prepared, its case planned now (undefined when it does not plan: then nothing is judged).
 */
export function planOf(plan: readonly PreparedStage[] | undefined, kase: CaseInfoDetail): readonly PlannedStage[] | undefined {
  if (plan !== undefined) return StagePlan.fromPrepared(plan).stages;
  const problems: CaseProblem[] = [];
  return planStages(kase, problems)?.stages;
}

/** One second as KPIs see it, or undefined when no request completed in it. */
function sampleAt(series: SecondSeries, second: number): KpiSample | undefined {
  const requests = series.get(second, Col.requests);
  if (requests === 0) return undefined;
  return {
    second,
    users: series.get(second, Col.users),
    rps: requests,
    avgRtMs: series.get(second, Col.rtSumUs) / requests / 1000,
    successRate: (series.get(second, Col.success) / requests) * 100,
  };
}

/** Judges the KPIs of every peak-load stage over the seconds that ran in it. */
export function judgePeakLoad(plan: readonly PlannedStage[], series: SecondSeries): PeakLoadResult {
  const result: PeakLoadResult = { hasKpis: false, executed: false, miss: undefined };
  for (const planned of plan) {
    if (planned.impl.mode !== PressureMode.PeakLoad) continue;
    const kpis = planned.stage.peak_load_kpis;
    if (!kpis || (typeof kpis.average_response_time?.value !== 'number' && typeof kpis.success_rate?.value !== 'number')) continue;
    result.hasKpis = true;
    const samples: KpiSample[] = [];
    for (let s = series.first; s <= series.last; s++) {
      if (series.get(s, Col.rows) === 0 || series.get(s, Col.stage) !== planned.stageIndex) continue;
      const sample = sampleAt(series, s);
      if (sample !== undefined) samples.push(sample);
    }
    if (samples.length === 0) continue;
    result.executed = true;
    const miss = evaluatePeakKpis(kpis, samples);
    if (miss !== undefined && result.miss === undefined) result.miss = { ...miss, stageIndex: planned.stageIndex };
  }
  return result;
}

/** Sums of one step's measured seconds. */
interface StepSums {
  step: number;
  start: number;
  seconds: number;
  requests: number;
  success: number;
  rtSumUs: number;
}

/**
 * Finished steps of the last mode-7 stage that has any, with the knee. A step is finished once a
 * later second belongs to another step or stage, or when `ended`. `startAt`: epoch ms of stage 0.
 */
export function judgeKnee(
  plan: readonly PlannedStage[],
  series: SecondSeries,
  startAt: number | undefined,
  ended: boolean,
): KneeResult | undefined {
  let found: KneeResult | undefined;
  for (const planned of plan) {
    if (planned.impl.mode !== PressureMode.IntelligentPeak || planned.subPhase !== 0) continue;
    const sums = measureSteps(planned, series, startAt, ended);
    if (sums.length === 0) continue;
    const steps: StepResult[] = [];
    const length = planned.stage.step_duration ?? 0;
    const impl = pressureModeFor(PressureMode.IntelligentPeak);
    for (const s of sums) {
      steps.push({
        step: s.step,
        users: impl === undefined ? 0 : impl.target(planned.stage, s.step * length + length / 2, steps),
        requests: s.requests,
        successRate: s.requests === 0 ? 100 : (s.success / s.requests) * 100,
        rps: s.requests / s.seconds,
      });
    }
    const { knee, peak } = findKnee(steps, kneeThreshold(planned.stage));
    found = {
      stageIndex: planned.stageIndex,
      steps,
      knee,
      peak,
      stepStarts: sums.map((s) => s.start),
      stepAvgMs: sums.map((s) => (s.requests === 0 ? 0 : s.rtSumUs / s.requests / 1000)),
    };
  }
  return found;
}

/** Adds up the seconds of each step of a mode-7 stage (a second belongs to the step at its middle). */
function measureSteps(planned: PlannedStage, series: SecondSeries, startAt: number | undefined, ended: boolean): StepSums[] {
  const stage = planned.stage;
  const length = stage.step_duration ?? 0;
  let stageStart = startAt !== undefined && Number.isFinite(planned.start) ? startAt / 1000 + planned.start : Number.NaN;
  const out: StepSums[] = [];
  let open: StepSums | undefined;
  let seen = false;
  let stageOver = ended;
  for (let s = series.first; s <= series.last; s++) {
    if (series.get(s, Col.rows) === 0) continue;
    if (series.get(s, Col.stage) !== planned.stageIndex) {
      if (!seen) continue;
      stageOver = true;
      break;
    }
    seen = true;
    if (Number.isNaN(stageStart)) stageStart = s;
    const from = s - stageStart;
    const step = intelligentStepAt(stage, Math.max(0, from + 0.5));
    if (open !== undefined && open.step !== step) {
      out.push(open);
      open = undefined;
    }
    // a second spanning two steps of 2 s or more measures neither
    if (length >= 2 && intelligentStepAt(stage, Math.max(0, from)) !== intelligentStepAt(stage, Math.max(0, from + 0.999))) continue;
    open ??= { step, start: s, seconds: 0, requests: 0, success: 0, rtSumUs: 0 };
    open.seconds++;
    open.requests += series.get(s, Col.requests);
    open.success += series.get(s, Col.success);
    open.rtSumUs += series.get(s, Col.rtSumUs);
  }
  if (open !== undefined && stageOver) out.push(open);
  return out;
}

/** The peak figures of a KPI miss (the first missed second). */
export function kpiPeak(miss: KpiMiss, isoTime: (epochMs: number) => string): PeakMetric {
  const s = miss.sample;
  return { vuser: s.users, rps: s.rps, avgRT: round(s.avgRtMs, 3), successRate: round(s.successRate, 2), peakTime: isoTime(s.second * 1000) };
}

/** The peak figures of a knee verdict (the last good step), or undefined when the first step failed. */
export function kneePeak(result: KneeResult, isoTime: (epochMs: number) => string): PeakMetric | undefined {
  const { peak } = result;
  if (peak === undefined) return undefined;
  const at = result.steps.indexOf(peak);
  return {
    vuser: peak.users,
    rps: round(peak.rps, 3),
    avgRT: round(result.stepAvgMs[at], 3),
    successRate: round(peak.successRate, 2),
    peakTime: isoTime(result.stepStarts[at] * 1000),
  };
}
