/**
 * Intelligent high pressure (mode 7) judged over a whole distributed run: the caller hands in, second
 * by second and in order, every worker's interval of that second; their request and success counts
 * are added up and measured by the same StepTracker a process uses for its own threads, with the stage start
 * taken from the run's common start instant. Every worker that feeds the same rows gets the same
 * steps, and the report, which merges the same rows with the same step boundaries, the same knee.
 */
import type { IntervalMessage, PreparedCase } from '@perftest/model';
import { PressureMode } from '@perftest/model';
import { StagePlan } from '../stage-plan.js';
import type { StepResult } from '../../types.js';
import { StepTracker, type StepInterval } from './step-tracker.js';

/** Finished intelligent-peak steps from merged run-wide intervals. */
export class MergedStepTracker {
  private readonly tracker: StepTracker;
  private last: readonly StepResult[];

  private constructor(
    private readonly plan: StagePlan,
    private readonly startAt: number,
  ) {
    this.tracker = new StepTracker(plan);
    this.last = this.tracker.steps;
  }

  /**
   * A tracker for a prepared case whose stage 0 starts at epoch ms `startAt`, or undefined when the
   * case has no intelligent high pressure stage.
   */
  static for(prepared: PreparedCase, startAt: number): MergedStepTracker | undefined {
    if (!prepared.plan.some((s) => s.mode === PressureMode.IntelligentPeak)) return undefined;
    return new MergedStepTracker(StagePlan.fromPrepared(prepared.plan), startAt);
  }

  /** Finished steps of the mode-7 stage being measured (empty before one finished). */
  get steps(): readonly StepResult[] {
    return this.tracker.steps;
  }

  /**
   * Adds one second: the intervals of every share and worker that reported it. Returns the finished
   * steps of the running mode-7 stage when they changed (a step finished, or a new stage began),
   * else undefined.
   */
  addSecond(intervals: readonly IntervalMessage[]): readonly StepResult[] | undefined {
    if (intervals.length === 0) return undefined;
    const merged = intervals.length === 1 ? intervals[0] : countsOf(intervals);
    const planned = this.plan.stages.find((s) => s.stageIndex === merged.stage);
    const stageStart = planned !== undefined && Number.isFinite(planned.start) ? this.startAt + planned.start * 1000 : undefined;
    this.tracker.add(merged, stageStart);
    const steps = this.tracker.steps;
    if (steps === this.last) return undefined;
    this.last = steps;
    return steps;
  }
}

/** The intervals of one second added up as far as steps read them (no histogram is merged). */
function countsOf(intervals: readonly IntervalMessage[]): StepInterval {
  let requests = 0;
  let success = 0;
  let stage = 0;
  for (const interval of intervals) {
    stage = Math.max(stage, interval.stage);
    for (const key of Object.keys(interval.cards)) {
      requests += interval.cards[key].requests;
      success += interval.cards[key].outcomes.success;
    }
  }
  return { second: intervals[0].second, stage, cards: { all: { requests, outcomes: { success } } } };
}
