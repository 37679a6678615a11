/**
 * The database side of the run-wide step feed of intelligent high pressure (the engine's StepFeed,
 * packages/engine/src/pressure/intelligent/step-feed.ts): each worker running a share of a mode-7
 * case run split over workers keeps one poller for it, which reads the case run's new interval rows
 * every STEP_POLL_MS while a share watches and adds them to the feed.
 */
import { StepFeed, type StepResult, type StepWatch } from '@perftest/engine';
import type { PreparedCase } from '@perftest/model';
import type { Queryable } from '@perftest/store';
import { intervalsAfter } from './lifecycle/intervals.js';
import { SILENT_LOG, type RunnerLog } from './log.js';
import { STEP_POLL_MS } from './timing.js';

/** Polls one case run's intervals into its StepFeed. */
export class StepPoller {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private feed!: StepFeed;

  private constructor(
    private readonly db: Queryable,
    private readonly caseRunId: number,
    private readonly log: RunnerLog,
  ) {}

  /** A poller for a case run split over `shareCount` shares, or undefined when it needs none. */
  static for(db: Queryable, caseRunId: number, shareCount: number, prepared: PreparedCase, startAt: number, log = SILENT_LOG): StepPoller | undefined {
    const poller = new StepPoller(db, caseRunId, log);
    const feed = StepFeed.for(prepared, shareCount, startAt, () => poller.close());
    if (feed === undefined) return undefined;
    poller.feed = feed;
    return poller;
  }

  /** Shares watching. */
  get size(): number {
    return this.feed.size;
  }

  /** Attaches a share's engine; polling runs while any is attached. */
  watch(apply: (steps: readonly StepResult[]) => void): StepWatch {
    const watch = this.feed.watch(apply);
    this.timer ??= setInterval(() => void this.poll(), STEP_POLL_MS);
    return watch;
  }

  /** Stops polling. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the rows after the last complete second and measures the seconds now complete. */
  async poll(now = Date.now()): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      this.feed.add(await intervalsAfter(this.db, this.caseRunId, this.feed.after), now);
    } catch (error) {
      this.log('warn', 'reading the intervals of an intelligent high pressure run failed', { caseRun: this.caseRunId, error: String(error) });
    } finally {
      this.polling = false;
    }
  }
}
