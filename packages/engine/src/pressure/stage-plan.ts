/**
 * The load timeline of a case: its `stages` run back to back in array order (a gradient stage split
 * into its sub-phases), each with its mode implementation, start offset and length. `locate` maps
 * elapsed seconds to (stage, t within stage) without allocating, for the scheduler's tick.
 *
 * A by-count stage (operate_mode 1) has no known length: `locate` stays in it whatever the elapsed
 * time, and the run moves past it by calling `locate(elapsed, out, next, elapsedAtItsEnd)` once its
 * count is reached.
 */
import { PressureMode, type PreparedStage, type TestCaseStage } from '@perftest/model';
import type { CaseProblem, LoadKind, PressureModeImpl, StepResult } from '../types.js';
import { isByCount, isManual } from './checks.js';
import { gradientUsers, readGradient } from './gradient.js';
import { pressureModeFor } from './index.js';

/** What a plan is made from: the load fields of a case (CaseInfoDetail fits). */
export interface CaseLoad {
  stages?: readonly TestCaseStage[] | null;
  increase_setting?: readonly unknown[] | null;
}

/** One entry of the timeline. */
export interface PlannedStage {
  /** Position in the timeline. */
  index: number;
  /** Index in the case's `stages` (sub-phases of a gradient share it). */
  stageIndex: number;
  /** Sub-phase within a gradient stage (0 when none) and how many the stage has (1 when none). */
  subPhase: number;
  subPhases: number;
  /** The stage given to `impl` (a derived copy for gradient sub-phases). */
  stage: TestCaseStage;
  impl: PressureModeImpl;
  kind: LoadKind;
  byCount: boolean;
  /** Iterations of a by-count stage (0 otherwise). */
  count: number;
  /** Seconds (Infinity for a by-count stage). */
  duration: number;
  /** Offset from the case start in seconds; NaN once a by-count stage precedes it. */
  start: number;
  maxUsers: number;
  manual: boolean;
}

/** Where an elapsed time falls; reused between calls (`locate` writes into it). */
export class StagePosition {
  /** Timeline index; equals the number of stages once the plan is over. */
  index = 0;
  /** Seconds since the stage started. */
  t = 0;
  /** Elapsed seconds at which the stage started. */
  startedAt = 0;
  /** True once the last stage has ended. */
  done = false;
  /** The `from`/`origin` the position was computed for (lets `locate` resume its scan). */
  from = -1;
  origin = Number.NaN;
}

/** A validated load timeline. */
export class StagePlan {
  /** Users the run may need at once: the highest ceiling of any stage. */
  readonly maxUsers: number;
  /** Total seconds (Infinity when a stage runs by count). */
  readonly duration: number;
  private readonly durations: Float64Array;

  constructor(readonly stages: readonly PlannedStage[]) {
    this.durations = Float64Array.from(stages, (s) => s.duration);
    this.maxUsers = stages.reduce((max, s) => Math.max(max, s.maxUsers), 0);
    this.duration = stages.reduce((sum, s) => sum + s.duration, 0);
  }

  /**
   * The timeline of a prepared case, as planStages built it when the case was prepared: nothing is
   * checked or derived again, each entry only gets its mode's implementation back.
   */
  static fromPrepared(stages: readonly PreparedStage[]): StagePlan {
    return new StagePlan(
      stages.map((s, index) => {
        const impl = pressureModeFor(s.mode);
        if (impl === undefined) throw new Error(`prepared stage ${index} has an unknown pressure_mode ${s.mode}`);
        return {
          index,
          stageIndex: s.stageIndex,
          subPhase: s.subPhase,
          subPhases: s.subPhases,
          stage: s.stage,
          impl,
          kind: s.kind,
          byCount: s.byCount,
          count: s.count,
          duration: s.duration ?? Number.POSITIVE_INFINITY,
          start: s.start ?? Number.NaN,
          maxUsers: s.maxUsers,
          manual: s.manual,
        };
      }),
    );
  }

  /** The timeline as plain JSON (PreparedCase.plan): Infinity and NaN become null. */
  toPrepared(): PreparedStage[] {
    return this.stages.map((s) => ({
      stageIndex: s.stageIndex,
      subPhase: s.subPhase,
      subPhases: s.subPhases,
      stage: s.stage,
      mode: s.impl.mode,
      kind: s.kind,
      byCount: s.byCount,
      count: s.count,
      duration: Number.isFinite(s.duration) ? s.duration : null,
      start: Number.isFinite(s.start) ? s.start : null,
      maxUsers: s.maxUsers,
      manual: s.manual,
    }));
  }

  /**
   * Writes into `out` where `elapsed` falls, given that timeline stage `from` started at elapsed
   * `origin` (0 and 0 for the case start).
   */
  locate(elapsed: number, out: StagePosition = new StagePosition(), from = 0, origin = 0): StagePosition {
    const n = this.durations.length;
    let i = from;
    let acc = origin;
    if (out.from === from && out.origin === origin && out.index >= from && out.startedAt <= elapsed) {
      i = out.index;
      acc = out.startedAt;
    }
    while (i < n && elapsed >= acc + this.durations[i]) {
      acc += this.durations[i];
      i++;
    }
    out.index = i;
    out.startedAt = acc;
    out.t = elapsed > acc ? elapsed - acc : 0;
    out.done = i >= n;
    out.from = from;
    out.origin = origin;
    return out;
  }

  /** Target users or TPS at a located position (0 once the plan is over). */
  target(position: StagePosition, steps?: readonly StepResult[]): number {
    if (position.index >= this.stages.length) return 0;
    const planned = this.stages[position.index];
    return planned.impl.target(planned.stage, position.t, steps);
  }
}

/** Builds the timeline of a case; pushes every problem and returns undefined when there is any. */
export function planStages(load: CaseLoad, problems: CaseProblem[]): StagePlan | undefined {
  const before = problems.length;
  const stages = load.stages ?? [];
  if (stages.length === 0) problems.push({ path: 'stages', message: 'stages must hold at least one stage' });
  const gradient = readGradient(load.increase_setting, stages, problems);
  const planned: PlannedStage[] = [];
  let start = 0;
  const add = (entry: Omit<PlannedStage, 'index' | 'start' | 'kind' | 'maxUsers' | 'manual' | 'byCount' | 'count' | 'duration'>) => {
    const byCount = isByCount(entry.stage);
    const duration = byCount ? Number.POSITIVE_INFINITY : entry.impl.duration(entry.stage);
    planned.push({
      ...entry,
      index: planned.length,
      start,
      kind: entry.impl.kind,
      maxUsers: entry.impl.maxUsers(entry.stage),
      manual: isManual(entry.stage),
      byCount,
      count: byCount ? (entry.stage.count ?? 0) : 0,
      duration,
    });
    start = byCount ? Number.NaN : start + duration;
  };
  stages.forEach((stage, stageIndex) => {
    const path = `stages[${stageIndex}]`;
    if (typeof stage !== 'object' || stage === null) {
      problems.push({ path, message: `${path} must be an object` });
      return;
    }
    const mode = stage.pressure_mode ?? PressureMode.Concurrency;
    const impl = pressureModeFor(mode);
    if (impl === undefined) {
      problems.push({ path: `${path}.pressure_mode`, message: `${path}.pressure_mode must be an integer from 0 to 7` });
      return;
    }
    if (gradient === undefined || gradient.stageIndex !== stageIndex) {
      impl.validate(stage, path, problems);
      add({ stageIndex, subPhase: 0, subPhases: 1, stage, impl });
      return;
    }
    const users = gradientUsers(gradient);
    const top = users[users.length - 1];
    impl.validate({ ...stage, issue_num: top, ramp_up: 0 }, path, problems);
    const length = (stage.time ?? 0) / users.length;
    users.forEach((count, subPhase) => {
      const sub: TestCaseStage = { ...stage, issue_num: count, current_user_num: count, ramp_up: 0, time: length };
      add({ stageIndex, subPhase, subPhases: users.length, stage: sub, impl });
    });
  });
  return problems.length > before ? undefined : new StagePlan(planned);
}

/** Pushes every problem of a case's load (stages and increase_setting). */
export function validateLoad(load: CaseLoad, problems: CaseProblem[]): void {
  planStages(load, problems);
}
