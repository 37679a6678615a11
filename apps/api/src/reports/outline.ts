/**
 * The report's summary (`outline`, keys of the SDK's ReportoutlineInfo plus `rps`, `peakMetric` and
 * `kpiMissed`). Request-level figures over the whole window. `stage`/`stageName` name the stage the
 * figures end in (1-based, its `name` or its mode), except for intelligent high pressure (mode 7),
 * where they name the knee: `stage` is the peak step (the last good one, 1-based; 0 when the first
 * step already failed) and `stageName` says why the next step is the knee. KPI counters are 0/1 for
 * this case: it has peak-load KPIs (`kpiCaseCount`), they were judged (`kpiCaseExecuteCount`), none
 * was missed for 6 consecutive seconds (`kpiCasePassCount`). `peakMetric` is the peak of mode 2 (the
 * first second of a KPI miss) or mode 7 (the peak step), else null. Case counters count the case
 * runs of the task run.
 */
import { Col, type SecondSeries, type StatsSummary } from '@perftest/engine';
import { PressureMode, type PeakMetric, type ReportInterruption } from '@perftest/model';
import { isoTime } from '../http/time.js';
import type { CaseFigures } from './details.js';
import {
  judgeKnee,
  judgePeakLoad,
  kneePeak,
  kpiPeak,
  planOf,
  type KneeResult,
} from './pressure-result.js';
import { round } from './round.js';
import type { ReportMeta, RunWindow } from './report-meta.js';

/** `outline` as built here. */
export type Outline = Record<string, string | number | boolean | null | PeakMetric | ReportInterruption[]>;

/** Readable names of the pressure modes, for `stageName`. */
const MODE_NAMES: Record<number, string> = {
  [PressureMode.Concurrency]: 'concurrency',
  [PressureMode.Tps]: 'TPS',
  [PressureMode.PeakLoad]: 'peak load',
  [PressureMode.SurgeConcurrency]: 'surge (concurrency)',
  [PressureMode.SurgeTps]: 'surge (TPS)',
  [PressureMode.FlappingConcurrency]: 'flapping (concurrency)',
  [PressureMode.FlappingTps]: 'flapping (TPS)',
  [PressureMode.IntelligentPeak]: 'intelligent high pressure',
};

/** `stage` and `stageName` of a knee verdict. */
function kneeStage(result: KneeResult): { stage: number; stageName: string } {
  const { steps, knee, peak } = result;
  const at = peak === undefined ? -1 : steps.indexOf(peak);
  const peakText =
    peak === undefined ? 'no good step' : `peak at step ${at + 1}: ${peak.users} users, ${round(peak.rps, 1)} rps, ${round(peak.successRate, 2)}% success`;
  if (knee < 0) return { stage: at + 1, stageName: `${peakText}; no knee in ${steps.length} steps` };
  const bad = steps[knee];
  const why =
    knee > 0 && bad.rps < steps[knee - 1].rps
      ? `rps fell to ${round(bad.rps, 1)} from ${round(steps[knee - 1].rps, 1)}`
      : `success rate ${round(bad.successRate, 2)}% below the threshold`;
  return { stage: at + 1, stageName: `${peakText}; knee at step ${knee + 1}: ${why}` };
}

/** The stage the data ends in, by its position and name. */
function lastStage(meta: ReportMeta, series: SecondSeries): { stage: number; stageName: string | null } {
  if (series.span === 0) return { stage: 0, stageName: null };
  const index = series.get(series.last, Col.stage);
  const stage = meta.kase.stages?.[index];
  const name = stage?.name || (stage ? `stage ${index + 1} (${MODE_NAMES[stage.pressure_mode ?? 0] ?? 'unknown mode'})` : null);
  return { stage: index + 1, stageName: name };
}

/** Builds `outline`. */
export function buildOutline(
  meta: ReportMeta,
  window: RunWindow,
  series: SecondSeries,
  requests: StatsSummary,
  figures: CaseFigures,
): Outline {
  const plan = planOf(meta.plan, meta.kase) ?? [];
  const peakLoad = judgePeakLoad(plan, series);
  const knee = judgeKnee(plan, series, meta.startAt?.getTime(), window.ended);
  let peakMetric: PeakMetric | null = null;
  if (knee !== undefined) peakMetric = kneePeak(knee, isoTime) ?? null;
  if (peakLoad.miss !== undefined) peakMetric = kpiPeak(peakLoad.miss, isoTime);
  const stage = knee !== undefined ? kneeStage(knee) : lastStage(meta, series);
  return {
    avgResponseTime: round(requests.avgUs / 1000, 3),
    branchId: null,
    branchName: null,
    caseRetry: 0,
    completeNum: meta.caseRuns.complete,
    duration: window.seconds,
    endTime: isoTime(window.endMs),
    executedNum: meta.caseRuns.executed,
    iterationUri: null,
    kpiCaseCount: peakLoad.hasKpis ? 1 : 0,
    kpiCaseExecuteCount: peakLoad.executed ? 1 : 0,
    kpiCasePassCount: peakLoad.executed && peakLoad.miss === undefined ? 1 : 0,
    kpiMissed: peakLoad.miss?.kpi ?? null,
    maxUsers: figures.maxUsers,
    passNum: meta.caseRuns.passed,
    stage: stage.stage,
    stageName: stage.stageName,
    startTime: isoTime(window.startMs),
    successRate: round(requests.successRate, 2),
    taskStatus: meta.taskRunStatus,
    totalNum: meta.caseRuns.total,
    tps: round(requests.successCount / window.rateSeconds, 3),
    rps: round(requests.requests / window.rateSeconds, 3),
    versionUri: null,
    projectId: String(meta.testSuiteId),
    serviceId: null,
    progressState: null,
    createBy: null,
    statusValue: null,
    peakMetric,
    droppedStarts: figures.droppedStarts,
    droppedStartsMaxPerSecond: figures.droppedStartsMaxPerSecond,
    reason: meta.reason,
    interruptions: meta.interruptions.map((i) => ({
      share: i.share,
      shareCount: i.share_count,
      worker: i.worker,
      host: i.host,
      from: isoTime(i.from),
      to: isoTime(i.to),
      seconds: i.seconds,
      reason: i.reason,
      resumed: i.resumed,
    })),
    interruptedSeconds: window.downSeconds,
    abortedRequests: figures.abortedRequests,
  };
}
