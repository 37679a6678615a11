/**
 * The recorder virtual users of a run write to: forwards to the thread's IntervalRecorder until the
 * run stops, then drops everything, so that requests aborted by the stop are never recorded.
 */
import type { RequestResult } from '../protocols/driver.js';
import type { IterationResult, Recorder } from '../types.js';

/** A Recorder that can be shut. */
export class GatedRecorder implements Recorder {
  /** False once the run stopped. */
  open = true;

  constructor(private readonly inner: Recorder) {}

  /** Records a request while open. */
  request(cardKey: string, result: RequestResult): void {
    if (this.open) this.inner.request(cardKey, result);
  }

  /** Records an iteration while open. */
  iteration(result: IterationResult): void {
    if (this.open) this.inner.iteration(result);
  }
}
