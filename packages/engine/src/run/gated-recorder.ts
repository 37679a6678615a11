/**
 * The recorder virtual users of a run write to: forwards to the thread's IntervalRecorder and keeps
 * count of the requests in flight, so that a stop accounts for every request sent
 * (docs/run-lifecycle.md#stop): each one is recorded when it completes, or counted as aborted when
 * the grace after a halt is over. Once shut (the run's last interval is being written), nothing more
 * is recorded and the requests still in flight are the runner's to count as aborted.
 */
import type { RequestResult } from '../protocols/driver.js';
import type { IterationResult, Recorder } from '../types.js';

/** What the gate forwards to: a Recorder that also counts aborted requests. */
export interface AbortCountingRecorder extends Recorder {
  aborted(cardKey: string): void;
}

/** A Recorder that can be shut. */
export class GatedRecorder implements Recorder {
  /** False once the run's last interval is being written. */
  private open = true;
  /** Requests sent and neither recorded nor counted as aborted yet. */
  private inFlight = 0;

  constructor(private readonly inner: AbortCountingRecorder) {}

  /** A request is being sent. */
  begin(): void {
    if (this.open) this.inFlight++;
  }

  /** Records a request while open. */
  request(cardKey: string, result: RequestResult): void {
    if (!this.open) return;
    this.inFlight--;
    this.inner.request(cardKey, result);
  }

  /** Counts a request aborted in flight while open. */
  aborted(cardKey: string): void {
    if (!this.open) return;
    this.inFlight--;
    this.inner.aborted(cardKey);
  }

  /** Records an iteration while open. */
  iteration(result: IterationResult): void {
    if (this.open) this.inner.iteration(result);
  }

  /**
   * Shuts the gate: requests that have not come back (a driver slow to notice the abort) are
   * counted as aborted now, and anything reported later is ignored. Returns how many those were.
   */
  shut(): number {
    if (!this.open) return 0;
    this.open = false;
    const lost = this.inFlight;
    for (let i = 0; i < lost; i++) this.inner.aborted('');
    this.inFlight = 0;
    return lost;
  }
}
