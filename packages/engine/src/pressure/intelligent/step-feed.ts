/**
 * Intelligent high pressure (pressure_mode 7) decided over every share of a case run split over
 * several workers. A share's engine judges the knee on its own part of the load only; split over
 * workers, the verdict must come from the merged data of all of them, and every worker must act on
 * the same one. A StepFeed takes a case run's stored intervals (every share, every worker) in
 * (second, share) order as a caller reads them, hands each second to a MergedStepTracker once it is
 * complete, and gives the resulting steps to every watcher (a share's engine, EngineRun.setSteps).
 * Every worker feeds the same rows and measures them with the same rules, so all hold at the same
 * step; the report merges the same rows with the same step boundaries, so its knee is the one the
 * workers acted on.
 *
 * A second is complete once every share has a row for it, or LATE_MS after its end (a share whose
 * worker died has no row until a live worker takes it over). A row arriving later than that is in
 * the report but not in the verdict. Knows no database: the runner polls the rows and adds them.
 */
import type { IntervalMessage, PreparedCase } from '@perftest/model';
import type { StepResult } from '../../types.js';
import { MergedStepTracker } from './merged-steps.js';

/** How long after a second's end it counts as complete even if some share has no row for it (ms). */
export const LATE_MS = 3_000;

/** One stored interval of one share, as the feed reads it. */
export interface ShareSecond {
  second: number;
  share_index: number;
  data: IntervalMessage;
}

/** A share's view of its case run's feed. */
export interface StepWatch {
  /** The steps judged so far (of the running mode-7 stage). */
  readonly current: readonly StepResult[];
  /** This share no longer needs the feed. */
  release(): void;
}

/** Run-wide intelligent-peak steps of one case run, from its intervals. */
export class StepFeed {
  private readonly listeners = new Set<(steps: readonly StepResult[]) => void>();
  /** The last second handed to the tracker (-1 before any). */
  private done = -1;
  private steps: readonly StepResult[] = [];

  private constructor(
    private readonly shareCount: number,
    private readonly tracker: MergedStepTracker,
    /** Called when the last watcher leaves. */
    private readonly onIdle: () => void,
  ) {}

  /**
   * A feed for a prepared case run split over `shareCount` shares whose stage 0 starts at epoch ms
   * `startAt`, or undefined when it needs none (one share, or no mode-7 stage).
   */
  static for(prepared: PreparedCase, shareCount: number, startAt: number, onIdle: () => void = () => {}): StepFeed | undefined {
    if (shareCount < 2) return undefined;
    const tracker = MergedStepTracker.for(prepared, startAt);
    return tracker === undefined ? undefined : new StepFeed(shareCount, tracker, onIdle);
  }

  /** Watchers attached. */
  get size(): number {
    return this.listeners.size;
  }

  /** The last second measured: the caller reads rows after it (-1 before any). */
  get after(): number {
    return this.done;
  }

  /** Attaches a share's engine: it gets every change of the steps. */
  watch(apply: (steps: readonly StepResult[]) => void): StepWatch {
    this.listeners.add(apply);
    const feed = this;
    return {
      get current() {
        return feed.steps;
      },
      release: () => {
        this.listeners.delete(apply);
        if (this.listeners.size === 0) this.onIdle();
      },
    };
  }

  /**
   * Adds rows after `after`, in (second, share) order, and measures every second now complete at
   * epoch ms `now`; the first incomplete second and those after it are left for the next call.
   */
  add(rows: readonly ShareSecond[], now: number): void {
    let at = 0;
    while (at < rows.length) {
      const second = rows[at].second;
      let end = at;
      const shares = new Set<number>();
      while (end < rows.length && rows[end].second === second) shares.add(rows[end++].share_index);
      if (shares.size < this.shareCount && now < (second + 1) * 1000 + LATE_MS) break;
      const changed = this.tracker.addSecond(rows.slice(at, end).map((r) => r.data));
      this.done = second;
      at = end;
      if (changed !== undefined) this.publish(changed);
    }
  }

  private publish(steps: readonly StepResult[]): void {
    this.steps = steps;
    for (const apply of this.listeners) apply(steps);
  }
}
