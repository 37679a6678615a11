/**
 * Knee detection of intelligent high pressure (mode 7, docs/pressure-modes.md, "Knee"): the knee is the first
 * step whose success rate is below the threshold or whose RPS falls below the previous step's; the
 * peak is the last good step before it.
 */
import type { TestCaseStage } from '@perftest/model';
import type { StepResult } from '../../types.js';

/** Success rate (percent) a step needs when the stage sets no `peak_load_kpis.success_rate`. */
export const DEFAULT_KNEE_SUCCESS_RATE = 100;

/** The knee decision over finished steps. */
export interface KneeResult {
  /** Position of the knee step in the list, or -1 when every step was good. */
  knee: number;
  /** The last good step (the last step when there is no knee); undefined when the first step fails. */
  peak: StepResult | undefined;
}

/** The success-rate threshold (percent) of a stage: `peak_load_kpis.success_rate.value`, else 100. */
export function kneeThreshold(stage: TestCaseStage): number {
  const value = stage.peak_load_kpis?.success_rate?.value;
  return typeof value === 'number' ? value : DEFAULT_KNEE_SUCCESS_RATE;
}

/**
 * Position of the first bad step (success rate in percent below `threshold`, or RPS below the
 * previous step's), or -1. Allocation-free: it runs on the scheduler's tick.
 */
export function kneeIndex(steps: readonly StepResult[], threshold = DEFAULT_KNEE_SUCCESS_RATE): number {
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k];
    if (step.successRate < threshold) return k;
    if (k > 0 && step.rps < steps[k - 1].rps) return k;
  }
  return -1;
}

/** The knee and the peak (last good step) of a list of finished steps. */
export function findKnee(steps: readonly StepResult[], threshold = DEFAULT_KNEE_SUCCESS_RATE): KneeResult {
  const knee = kneeIndex(steps, threshold);
  const lastGood = knee === -1 ? steps.length - 1 : knee - 1;
  return { knee, peak: lastGood >= 0 ? steps[lastGood] : undefined };
}
