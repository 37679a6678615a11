/**
 * The load shape of a stage plan: the target users or TPS that `StagePlan.target` gives, sampled
 * every second of the timeline (coarser when the plan is longer than LOAD_SHAPE_MAX_SAMPLES
 * seconds), reduced to the points where the value or the stage changes, then, when still more than
 * the maximum, downsampled by keeping the lowest and the highest point of each span. Intelligent
 * high pressure (mode 7) shows its planned climb (no knee is known before the run). A stage run by
 * count has no known length: it is drawn over its ramp-up (at least one second).
 */
import { LOAD_SHAPE_MAX_POINTS, type LoadShapePoint, type LoadShapeStage } from '@perftest/model';
import { StagePosition, type PlannedStage, type StagePlan } from './stage-plan.js';

/** Most target evaluations of one shape (the sampling step grows past this many seconds). */
export const LOAD_SHAPE_MAX_SAMPLES = 200_000;

/** A plan's shape (the body of the load-shape endpoint without its envelope). */
export interface LoadShape {
  duration: number | null;
  max_users: number;
  stages: LoadShapeStage[];
  points: LoadShapePoint[];
}

/** Seconds a timeline entry takes on the drawn time axis. */
function drawnLength(planned: PlannedStage): number {
  return planned.byCount ? Math.max(1, planned.stage.ramp_up ?? 0) : planned.duration;
}

function point(planned: PlannedStage, t: number, value: number): LoadShapePoint {
  return planned.kind === 'users'
    ? { t, stage: planned.stageIndex, users: value, tps: null }
    : { t, stage: planned.stageIndex, users: null, tps: Math.round(value * 1000) / 1000 };
}

function same(a: LoadShapePoint, b: LoadShapePoint): boolean {
  return a.stage === b.stage && a.users === b.users && a.tps === b.tps;
}

const level = (p: LoadShapePoint): number => p.users ?? p.tps ?? 0;

/** Keeps the first and last point of every run of equal points. */
function changes(samples: readonly LoadShapePoint[]): LoadShapePoint[] {
  const kept: LoadShapePoint[] = [];
  const last = samples.length - 1;
  for (let i = 0; i <= last; i++) {
    if (i === 0 || i === last || !same(samples[i], samples[i - 1]) || !same(samples[i], samples[i + 1])) kept.push(samples[i]);
  }
  return kept;
}

/** At most `max` points: the first, the last, and the lowest and highest of each equal span between. */
export function downsample(points: readonly LoadShapePoint[], max: number): LoadShapePoint[] {
  if (points.length <= max) return [...points];
  const inner = points.length - 2;
  const buckets = Math.max(1, Math.floor((max - 2) / 2));
  const out: LoadShapePoint[] = [points[0]];
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * inner) / buckets);
    const to = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (to <= from) continue;
    let low = from;
    let high = from;
    for (let i = from + 1; i < to; i++) {
      if (level(points[i]) < level(points[low])) low = i;
      if (level(points[i]) > level(points[high])) high = i;
    }
    out.push(points[Math.min(low, high)]);
    if (low !== high) out.push(points[Math.max(low, high)]);
  }
  out.push(points[points.length - 1]);
  return out;
}

/** The shape of `plan` in at most `maxPoints` points. */
export function loadShape(plan: StagePlan, maxPoints = LOAD_SHAPE_MAX_POINTS): LoadShape {
  const lengths = plan.stages.map(drawnLength);
  const total = lengths.reduce((sum, n) => sum + n, 0);
  const step = Math.max(1, Math.ceil(total / LOAD_SHAPE_MAX_SAMPLES));
  const position = new StagePosition();
  const samples: LoadShapePoint[] = [];
  const stages: LoadShapeStage[] = [];
  let start = 0;
  plan.stages.forEach((planned, i) => {
    const length = lengths[i];
    stages.push({
      stage: planned.stageIndex,
      sub_phase: planned.subPhase,
      start,
      duration: planned.byCount ? null : planned.duration,
      kind: planned.kind,
      by_count: planned.byCount,
      count: planned.count,
      max_users: planned.maxUsers,
    });
    position.index = i;
    for (let t = 0; t < length || t === 0; t += step) {
      position.t = t;
      samples.push(point(planned, start + t, plan.target(position)));
    }
    start += length;
  });
  if (samples.length > 0) samples.push({ ...samples[samples.length - 1], t: total });
  return {
    duration: Number.isFinite(plan.duration) ? plan.duration : null,
    max_users: plan.maxUsers,
    stages,
    points: downsample(changes(samples), maxPoints),
  };
}
