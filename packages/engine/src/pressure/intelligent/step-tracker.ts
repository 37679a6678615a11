/**
 * Feedback for intelligent high pressure (mode 7): adds up the seconds of each step of a mode-7 stage
 * and yields a StepResult when a step is over, which the mode's target function uses to hold the
 * load at the last good step once a knee shows. A second belongs to the step running at its middle;
 * with steps of 2 s or more, seconds spanning two steps are left out of both.
 * In a single thread it reads the thread's own intervals; over threads the main thread reads the
 * merged intervals and sends the results to every thread, so all hold at the same step.
 */
import { PressureMode, type IntervalMessage, type StatsCounters } from '@perftest/model';
import type { PlannedStage, StagePlan } from '../stage-plan.js';
import { stepAt } from './intelligent-peak.js';
import type { StepResult } from '../../types.js';

/** What the tracker reads of an interval: its second, stage and each card's requests and successes. */
export interface StepInterval extends Pick<IntervalMessage, 'second' | 'stage'> {
  cards: Record<string, Pick<StatsCounters, 'requests'> & { outcomes: Pick<StatsCounters['outcomes'], 'success'> }>;
}

/** Sums of the seconds of the step being measured. */
interface OpenStep {
  step: number;
  seconds: number;
  requests: number;
  success: number;
}

/** Turns a mode-7 stage's intervals into finished-step results. */
export class StepTracker {
  /** Finished steps of the current mode-7 stage. */
  steps: StepResult[] = [];
  /** Finished steps of every mode-7 stage of the run. */
  readonly all: StepResult[] = [];
  private stage: PlannedStage | undefined;
  private stageStartMs = 0;
  private open: OpenStep | undefined;

  constructor(private readonly plan: StagePlan) {}

  /**
   * Adds one interval of the run (or of this thread); `stageStartMs` is the epoch ms at which the
   * stage named by `interval.stage` started, when known. Returns the new results list when a step
   * finished with this interval, else undefined.
   */
  add(interval: StepInterval, stageStartMs?: number): readonly StepResult[] | undefined {
    const planned = this.plan.stages.find((s) => s.stageIndex === interval.stage);
    if (planned === undefined || planned.impl.mode !== PressureMode.IntelligentPeak) {
      return this.close();
    }
    let changed = false;
    if (planned !== this.stage) {
      changed = this.close() !== undefined;
      this.stage = planned;
      this.stageStartMs = stageStartMs ?? interval.second * 1000;
      this.steps = [];
    } else if (stageStartMs !== undefined) {
      this.stageStartMs = stageStartMs;
    }
    const from = (interval.second * 1000 - this.stageStartMs) / 1000;
    const step = stepAt(planned.stage, Math.max(0, from + 0.5));
    if (this.open !== undefined && this.open.step !== step) changed = this.finishOpen() || changed;
    this.open ??= { step, seconds: 0, requests: 0, success: 0 };
    // A second that spans two steps of 2 s or more measures neither: leave it out.
    const length = planned.stage.step_duration ?? 0;
    if (length >= 2 && stepAt(planned.stage, Math.max(0, from)) !== stepAt(planned.stage, Math.max(0, from + 0.999))) {
      return changed ? this.steps : undefined;
    }
    this.open.seconds++;
    for (const key of Object.keys(interval.cards)) {
      const card = interval.cards[key];
      this.open.requests += card.requests;
      this.open.success += card.outcomes.success;
    }
    return changed ? this.steps : undefined;
  }

  /** The stage is over: its open step counts as finished. */
  close(): readonly StepResult[] | undefined {
    const finished = this.finishOpen();
    this.stage = undefined;
    return finished ? this.steps : undefined;
  }

  private finishOpen(): boolean {
    const open = this.open;
    const stage = this.stage;
    this.open = undefined;
    if (open === undefined || stage === undefined || open.seconds === 0) return false;
    // The step's target (users sampled at a second's end may already be the next step's).
    const length = stage.stage.step_duration ?? 0;
    const result: StepResult = {
      step: open.step,
      users: stage.impl.target(stage.stage, open.step * length + length / 2, this.steps),
      requests: open.requests,
      successRate: open.requests === 0 ? 100 : (open.success / open.requests) * 100,
      rps: open.requests / open.seconds,
    };
    this.steps = [...this.steps, result];
    this.all.push(result);
    return true;
  }
}
