/**
 * Peak-load KPIs (`peak_load_kpis`, docs/pressure-modes.md, "Peak-load KPIs"): a KPI is met while
 * `metric <comparison> value` holds; the analysis ends the first time one KPI is missed for 6
 * consecutive seconds, and its result is the first of those seconds. Reaching it does not stop the test.
 */
import type { StageKpiItems } from '@perftest/model';
import type { CaseProblem } from '../types.js';

/** Accepted `comparison` strings. */
export const KPI_COMPARISONS = ['>', '>=', '<', '<=', '=', '==', '!='] as const;
/** One accepted comparison string. */
export type KpiComparison = (typeof KPI_COMPARISONS)[number];

/** Consecutive missed seconds that end the analysis. */
export const KPI_MISS_SECONDS = 6;
/** Highest accepted average response time expectation, in ms. */
export const KPI_MAX_RT_MS = 60_000;

/** The KPIs of a peak-load stage, by field name. */
export type KpiName = 'average_response_time' | 'success_rate';

/** Comparisons used when a KPI gives none: RT is expected at most, success rate at least, the value. */
const DEFAULT_COMPARISON: Record<KpiName, KpiComparison> = { average_response_time: '<=', success_rate: '>=' };

/** One second of a peak-load stage as KPIs see it. */
export interface KpiSample {
  second: number;
  users: number;
  rps: number;
  /** Average response time in milliseconds. */
  avgRtMs: number;
  /** Success rate in percent. */
  successRate: number;
}

/** The outcome of a KPI analysis that ended: which KPI was missed and the first second of the miss. */
export interface KpiMiss {
  kpi: KpiName;
  /** Position of `sample` among the samples pushed. */
  index: number;
  sample: KpiSample;
}

/** Whether `metric <comparison> value` holds. */
export function compareKpi(metric: number, comparison: KpiComparison, value: number): boolean {
  switch (comparison) {
    case '>':
      return metric > value;
    case '>=':
      return metric >= value;
    case '<':
      return metric < value;
    case '<=':
      return metric <= value;
    case '=':
    case '==':
      return metric === value;
    case '!=':
      return metric !== value;
  }
}

/** Pushes every problem of a stage's `peak_load_kpis`. */
export function checkKpis(kpis: StageKpiItems | null | undefined, path: string, problems: CaseProblem[]): void {
  if (kpis === undefined || kpis === null) return;
  const limits: Record<KpiName, [number, number]> = { average_response_time: [0, KPI_MAX_RT_MS], success_rate: [0, 100] };
  for (const name of Object.keys(limits) as KpiName[]) {
    const item = kpis[name];
    if (item === undefined || item === null) continue;
    const at = `${path}.${name}`;
    const cmp = item.comparison;
    if (cmp !== undefined && cmp !== null && !(KPI_COMPARISONS as readonly string[]).includes(cmp)) {
      problems.push({ path: `${at}.comparison`, message: `${at}.comparison must be one of ${KPI_COMPARISONS.join(' ')}` });
    }
    const [low, high] = limits[name];
    const value = item.value;
    if (value !== undefined && value !== null && !(typeof value === 'number' && value >= low && value <= high)) {
      problems.push({ path: `${at}.value`, message: `${at}.value must be a number from ${low} to ${high}` });
    }
  }
}

/** A KPI as evaluated: its metric, comparison and expected value. */
interface ActiveKpi {
  name: KpiName;
  comparison: KpiComparison;
  value: number;
  missed: number;
  firstMiss: KpiSample | undefined;
  firstMissIndex: number;
}

/** Follows the KPIs of one peak-load stage second by second. */
export class PeakKpiTracker {
  private readonly kpis: ActiveKpi[] = [];
  private pushed = 0;
  private miss: KpiMiss | undefined;

  constructor(
    kpis: StageKpiItems | null | undefined,
    private readonly missSeconds = KPI_MISS_SECONDS,
  ) {
    for (const name of ['average_response_time', 'success_rate'] as const) {
      const item = kpis?.[name];
      if (item === undefined || item === null || typeof item.value !== 'number') continue;
      const comparison = (item.comparison ?? DEFAULT_COMPARISON[name]) as KpiComparison;
      this.kpis.push({ name, comparison, value: item.value, missed: 0, firstMiss: undefined, firstMissIndex: -1 });
    }
  }

  /** Whether any KPI is configured. */
  get active(): boolean {
    return this.kpis.length > 0;
  }

  /** The miss that ended the analysis, once it has. */
  get result(): KpiMiss | undefined {
    return this.miss;
  }

  /** Judges one more second; returns the result once the analysis has ended (then ignores input). */
  push(sample: KpiSample): KpiMiss | undefined {
    if (this.miss !== undefined) return this.miss;
    const index = this.pushed++;
    let ended: ActiveKpi | undefined;
    for (const kpi of this.kpis) {
      const metric = kpi.name === 'success_rate' ? sample.successRate : sample.avgRtMs;
      if (compareKpi(metric, kpi.comparison, kpi.value)) {
        kpi.missed = 0;
        continue;
      }
      if (kpi.missed === 0) {
        kpi.firstMiss = sample;
        kpi.firstMissIndex = index;
      }
      kpi.missed++;
      if (kpi.missed >= this.missSeconds && (ended === undefined || kpi.firstMissIndex < ended.firstMissIndex)) ended = kpi;
    }
    if (ended !== undefined) this.miss = { kpi: ended.name, index: ended.firstMissIndex, sample: ended.firstMiss! };
    return this.miss;
  }
}

/** Judges a whole series of seconds; undefined when no KPI was missed for long enough. */
export function evaluatePeakKpis(
  kpis: StageKpiItems | null | undefined,
  samples: readonly KpiSample[],
  missSeconds = KPI_MISS_SECONDS,
): KpiMiss | undefined {
  const tracker = new PeakKpiTracker(kpis, missSeconds);
  for (const sample of samples) {
    if (tracker.push(sample) !== undefined) break;
  }
  return tracker.result;
}
