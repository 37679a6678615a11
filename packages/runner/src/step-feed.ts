/**
 * Intelligent high pressure (pressure_mode 7) decided over every worker of a case run. A share's
 * engine judges the knee on its own part of the load only; split over several workers, the verdict
 * must come from the merged data of all of them, and every worker must act on the same one. Each
 * worker running a share of such a case run keeps one StepFeed for it: it reads the case run's
 * intervals (every share, every worker) from the database as they land, hands each second to the
 * engine's MergedStepTracker once it is complete, and gives the resulting steps to the engine of
 * every share it runs (EngineRun.setSteps). Every worker reads the same rows and measures them with
 * the same rules, so all hold at the same step; the report merges the same rows with the same step
 * boundaries (apps/api/src/reports/pressure-result.ts), so its knee is the one the workers acted on.
 *
 * A second is complete once every share has a row for it, or LATE_MS after its end (a share whose
 * worker died has no row until a live worker takes it over). A row landing later than that is in
 * the report but not in the workers' verdict.
 */
import { MergedStepTracker, type StepResult } from '@perftest/engine';
import type { CaseInfoDetail, IntervalMessage } from '@perftest/model';
import type { Queryable } from '@perftest/store';
import { SILENT_LOG, type RunnerLog } from './share-status.js';
import { STEP_POLL_MS } from './timing.js';

/** How long after a second's end it counts as complete even if some share has no row for it (ms). */
const LATE_MS = 3_000;

/** A share's view of its case run's feed. */
export interface StepWatch {
  /** The steps judged so far (of the running mode-7 stage). */
  readonly current: readonly StepResult[];
  /** This share no longer needs the feed. */
  release(): void;
}

interface IntervalRow {
  second: number | string;
  share_index: number;
  data: IntervalMessage;
}

/** Run-wide intelligent-peak steps of one case run, read from the database. */
export class StepFeed {
  private readonly listeners = new Set<(steps: readonly StepResult[]) => void>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  /** The last second handed to the tracker. */
  private done = Number.NEGATIVE_INFINITY;
  private steps: readonly StepResult[] = [];

  private constructor(
    private readonly db: Queryable,
    private readonly caseRunId: number,
    private readonly shareCount: number,
    private readonly tracker: MergedStepTracker,
    private readonly log: RunnerLog,
  ) {}

  /** A feed for a case run split over `shareCount` shares, or undefined when it needs none. */
  static for(db: Queryable, caseRunId: number, shareCount: number, kase: CaseInfoDetail, startAt: number, log = SILENT_LOG): StepFeed | undefined {
    if (shareCount < 2) return undefined;
    const tracker = MergedStepTracker.for(kase, startAt);
    return tracker === undefined ? undefined : new StepFeed(db, caseRunId, shareCount, tracker, log);
  }

  /** Listeners still attached. */
  get size(): number {
    return this.listeners.size;
  }

  /** Attaches a share's engine; polling runs while any is attached. */
  watch(apply: (steps: readonly StepResult[]) => void): StepWatch {
    this.listeners.add(apply);
    this.timer ??= setInterval(() => void this.poll(), STEP_POLL_MS);
    const feed = this;
    return {
      get current() {
        return feed.steps;
      },
      release: () => {
        this.listeners.delete(apply);
        if (this.listeners.size === 0) this.close();
      },
    };
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
      const rows = await this.db.query<IntervalRow>(
        `select second, share_index, data from intervals
          where case_run_id = $1 and second > $2 order by second, share_index, worker_id`,
        [this.caseRunId, Number.isFinite(this.done) ? this.done : -1],
      );
      let at = 0;
      while (at < rows.length) {
        const second = Number(rows[at].second);
        let end = at;
        const shares = new Set<number>();
        while (end < rows.length && Number(rows[end].second) === second) shares.add(rows[end++].share_index);
        if (shares.size < this.shareCount && now < (second + 1) * 1000 + LATE_MS) break;
        const changed = this.tracker.addSecond(rows.slice(at, end).map((r) => r.data));
        this.done = second;
        at = end;
        if (changed !== undefined) this.publish(changed);
      }
    } catch (error) {
      this.log('warn', 'reading the intervals of an intelligent high pressure run failed', { caseRun: this.caseRunId, error: String(error) });
    } finally {
      this.polling = false;
    }
  }

  private publish(steps: readonly StepResult[]): void {
    this.steps = steps;
    for (const apply of this.listeners) apply(steps);
  }
}
