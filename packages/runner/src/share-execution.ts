/**
 * One claimed share of a case run on this worker: starts the engine on the share's part of the case
 * at the case run's common start instant, streams each interval to the writer, follows stops and
 * manual targets, and records how the share ended. A share taken over from a dead worker starts with
 * start_at in the past: the engine resumes the timeline at the current offset, and the seconds before
 * the takeover (the previous owner's) are not written again. The iterations the share began are
 * recorded on it (at the first second that began any, the rest at its end), so that the life cycle
 * can tell a case run that started nothing from one that ran (docs/run-lifecycle.md, "Honest ends").
 */
import {
  asPreparedCase,
  startRun,
  type Coordination,
  type EnginePool,
  type EngineRun,
  type RunOptions,
  type StepResult,
  type StepWatch,
} from '@perftest/engine';
import type { PreparedCase } from '@perftest/model';
import type { Queryable } from '@perftest/store';
import { describeProblems, type StoredCaseInput } from './case-input.js';
import type { IntervalWriter } from './interval-writer.js';
import { addStarted, endShare, type OwnedShare, type ShareEnd } from './lifecycle/shares.js';
import { ShareStatus } from './lifecycle/statuses.js';
import type { RunnerLog } from './log.js';

/** A target is applied this long after stage 0 began, when the engine knows its running stage (ms). */
const TARGET_AFTER_START_MS = 50;

/** A share as the claim returns it. */
export interface ClaimedShare {
  caseRunId: number;
  shareIndex: number;
  shareCount: number;
  input: StoredCaseInput;
  /** Epoch ms of stage 0, the same on every worker. */
  startAt: number;
  /** Manual regulation already requested, if any. */
  target: number | undefined;
}

/** Why a share stops before its end: a user stop, or the share is no longer this worker's. */
export type StopCause = 'stopped' | 'lost';

/** What an execution works with. */
export interface ExecutionContext {
  db: Queryable;
  workerId: string;
  threads: number;
  writer: IntervalWriter;
  log: RunnerLog;
  engine?: RunOptions;
  /** The run-wide coordination (rendezvous, throttles, cursors) of a share. */
  coordination(caseRunId: number, shareIndex: number, shareCount: number): Coordination;
  /** Warm engine threads of the worker (threads > 1). */
  pool?: EnginePool;
  /**
   * Intelligent-peak steps judged over every worker of the share's case run, or undefined when the
   * engine judges them itself (one share, or no mode-7 stage).
   */
  watchSteps?(share: ClaimedShare, prepared: PreparedCase, apply: (steps: readonly StepResult[]) => void): StepWatch | undefined;
}

/** A share running on this worker. */
export class ShareExecution {
  /** Resolves once the share has ended and its end is recorded. */
  readonly ended: Promise<void>;
  private run: EngineRun | undefined;
  private steps: StepWatch | undefined;
  private cause: StopCause | undefined;
  private target: number | undefined;
  private targetTimer: NodeJS.Timeout | undefined;
  private settle!: () => void;
  /** Iterations begun by the engine on this worker, and how many of them are recorded on the share. */
  private began = 0;
  private recorded = 0;
  private recording: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: ExecutionContext,
    readonly share: ClaimedShare,
  ) {
    this.ended = new Promise((resolve) => (this.settle = resolve));
    this.target = share.target;
  }

  /** `caseRunId/shareIndex`. */
  get key(): string {
    return `${this.share.caseRunId}/${this.share.shareIndex}`;
  }

  /** Starts the engine; failures to start are recorded as a failed share. */
  async start(): Promise<void> {
    const { share, ctx } = this;
    // Seconds before the claim belong to a previous owner of the share (a takeover), or do not exist.
    const fromSecond = Math.floor(Date.now() / 1000);
    const ready = await asPreparedCase(share.input);
    if (!ready.ok) {
      await this.finish(ShareStatus.Failed, describeProblems(ready.problems));
      return;
    }
    this.steps = ctx.watchSteps?.(share, ready.prepared, (steps) => this.run?.setSteps(steps));
    try {
      this.run = await startRun({
        prepared: ready.prepared,
        threads: ctx.threads,
        share: [{ index: share.shareIndex, count: share.shareCount }],
        options: { ...ctx.engine, startAt: share.startAt },
        coordination: ctx.coordination(share.caseRunId, share.shareIndex, share.shareCount),
        externalSteps: this.steps !== undefined,
        pool: ctx.pool,
        // the run's figures are read from the stored intervals; per-card totals would be held for nothing
        cardSummaries: false,
        onInterval: (interval) => {
          if (interval.started > 0) this.countBegun(interval.started);
          if (interval.second < fromSecond) return;
          ctx.writer.add({
            case_run_id: share.caseRunId,
            share_index: share.shareIndex,
            worker_id: ctx.workerId,
            second: interval.second,
            data: interval,
          });
        },
      });
    } catch (error) {
      ctx.log('error', 'share could not start', { share: this.key, error: String(error) });
      await this.finish(ShareStatus.Failed, String(error instanceof Error ? error.message : error));
      return;
    }
    ctx.log('info', 'share started', { share: this.key, of: share.shareCount, startAt: new Date(share.startAt).toISOString() });
    if (this.steps !== undefined && this.steps.current.length > 0) this.run.setSteps(this.steps.current);
    if (this.cause !== undefined) void this.run.stop(this.cause === 'lost');
    else this.applyTarget();
    this.run.done.then(
      () => this.finish(this.cause === 'stopped' ? ShareStatus.Stopped : ShareStatus.Done, null),
      (error: unknown) => this.finish(ShareStatus.Failed, error instanceof Error ? error.message : String(error)),
    );
  }

  /**
   * Stops the share: a user stop halts it and lets requests in flight complete for the grace
   * (docs/run-lifecycle.md#stop); a lost share stops at once (it runs on elsewhere, and this
   * worker's rows no longer land).
   */
  stop(cause: StopCause): void {
    if (this.cause !== undefined) return;
    this.cause = cause;
    clearTimeout(this.targetTimer);
    void this.run?.stop(cause === 'lost');
  }

  /** Manual regulation: the run-wide target, applied once the engine runs and stage 0 has begun. */
  setTarget(value: number): void {
    if (this.target === value || this.cause !== undefined) return;
    this.target = value;
    this.applyTarget();
  }

  private applyTarget(): void {
    clearTimeout(this.targetTimer);
    const value = this.target;
    if (value === undefined || this.run === undefined || this.cause !== undefined) return;
    const wait = this.share.startAt + TARGET_AFTER_START_MS - Date.now();
    if (wait > 0) this.targetTimer = setTimeout(() => this.applyTarget(), wait);
    else this.run.setTarget(value);
  }

  private get owned(): OwnedShare {
    return { caseRunId: this.share.caseRunId, shareIndex: this.share.shareIndex, workerId: this.ctx.workerId };
  }

  /** Counts iterations begun; the first ones are recorded on the share at once. */
  private countBegun(iterations: number): void {
    const first = this.began === 0;
    this.began += iterations;
    if (!first) return;
    const count = this.began;
    this.recorded = count;
    this.recording = addStarted(this.ctx.db, this.owned, count).catch((error: unknown) => {
      this.recorded -= count;
      this.ctx.log('warn', 'could not record the start of a share', { share: this.key, error: String(error) });
    });
  }

  private async finish(status: ShareEnd, error: string | null): Promise<void> {
    const { ctx } = this;
    clearTimeout(this.targetTimer);
    this.steps?.release();
    try {
      await ctx.writer.flush();
      await this.recording;
      if (this.cause !== 'lost') await endShare(ctx.db, this.owned, status, error, this.began - this.recorded);
      ctx.log(status === ShareStatus.Failed ? 'error' : 'info', 'share ended', { share: this.key, status, error, cause: this.cause, began: this.began });
    } catch (err) {
      ctx.log('error', 'could not record the end of a share', { share: this.key, error: String(err) });
    } finally {
      this.settle();
    }
  }
}
