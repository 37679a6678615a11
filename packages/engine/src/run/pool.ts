/**
 * One case run spread over N engine threads with piscina: one long task per thread, each running its
 * share (share.child(i, N)) of the run's prepared case and talking to this main thread over its own
 * ThreadLink. The main thread starts every thread once all are up, merges the threads' intervals of
 * each second into one, and sends intelligent-peak steps back: computed from the merged data, or,
 * with `externalSteps`, the ones its caller computed over every worker (setSteps). The run is over
 * once every thread's link has ended. The threads come from the caller's warm EnginePool, else from
 * a pool of the run's own.
 */
import type { IntervalMessage, PreparedCase, ThreadCommand, ThreadEvent, ThreadRunOptions } from '@perftest/model';
import type { StagePlan } from '../pressure/stage-plan.js';
import { StepTracker } from '../pressure/intelligent/step-tracker.js';
import type { Coordination, StepResult } from '../types.js';
import { epochMs } from './clock.js';
import { EnginePool } from './engine-pool.js';
import { IntervalMerger } from './interval-merger.js';
import type { Share } from './share.js';
import { ThreadLink } from './thread-link.js';

/** What a threaded run is started with. */
export interface ThreadedRunOptions {
  prepared: PreparedCase;
  /** The prepared case's timeline (hydrated once by the caller). */
  plan: StagePlan;
  threads: number;
  share: Share;
  /** Epoch ms for stage 0, or undefined to start as soon as every thread is up. */
  startAt: number | undefined;
  options: ThreadRunOptions;
  coordination: Coordination;
  onInterval(interval: IntervalMessage): void;
  /** Intelligent-peak steps finished, over the whole run. */
  onSteps?(steps: readonly StepResult[]): void;
  /** Steps come from the caller (setSteps) instead of this process's merged intervals. */
  externalSteps?: boolean;
  /** Warm threads to run on (kept open); default: a pool of the run's own, closed at its end. */
  pool?: EnginePool;
}

/** How far ahead of now a manual change is announced, so every thread applies it at the same instant (ms). */
const ANNOUNCE_MS = 50;
/**
 * How far ahead of now stage 0 starts when the caller gave no instant (ms): each thread compiles the
 * case after its start message, and a thread that begins later than the start wait (open-model.ts)
 * would skip the starts it missed.
 */
const START_MARGIN_MS = 300;

/** A case run on threads. */
export class ThreadedRun {
  /** Resolves with the epoch ms at which stage 0 starts once every thread is up (NaN if the run ended first). */
  readonly started: Promise<number>;
  /** Resolves when every thread has ended and the last merged interval was emitted. */
  readonly done: Promise<void>;

  private readonly pool: EnginePool;
  private readonly links: ThreadLink[] = [];
  private readonly merger: IntervalMerger;
  private readonly tracker: StepTracker;
  private ready = 0;
  private over = false;
  private stopping = false;
  private immediate = false;
  private failure: Error | undefined;
  private startAt = Number.NaN;
  /** A manual target or external steps given before the threads were up, sent right after their start. */
  private pendingTarget: number | undefined;
  private pendingSteps: readonly StepResult[] | undefined;
  private settleStarted!: (at: number) => void;

  constructor(private readonly opts: ThreadedRunOptions) {
    const { threads } = opts;
    if (!Number.isInteger(threads) || threads < 1) throw new Error('options.threads must be a positive integer');
    this.pool = opts.pool ?? EnginePool.forRun(threads);
    this.merger = new IntervalMerger(threads, (interval) => this.onMerged(interval));
    this.tracker = new StepTracker(opts.plan);
    this.started = new Promise<number>((resolve) => (this.settleStarted = resolve));
    for (let i = 0; i < threads; i++) {
      this.links.push(
        new ThreadLink(this.pool, opts.coordination, {
          onEvent: (event) => this.onEvent(i, event),
          onFailure: (error) => this.fail(error),
        }),
      );
    }
    this.done = this.whenEnded();
    // A run that fails or is stopped before it started must not leave `started` pending forever.
    this.done.then(
      () => this.settleStarted(Number.NaN),
      () => this.settleStarted(Number.NaN),
    );
  }

  /** Manual regulation: the run-wide target, applied by every thread at the same instant. */
  setTarget(value: number): void {
    if (this.over || this.stopping) return;
    if (Number.isNaN(this.startAt)) this.pendingTarget = value;
    else this.broadcast({ type: 'setTarget', value, at: Math.max(epochMs() + ANNOUNCE_MS, this.startAt) });
  }

  /** Finished steps of the running mode-7 stage, for every thread (with `externalSteps`). */
  setSteps(steps: readonly StepResult[]): void {
    if (this.over || this.stopping) return;
    if (Number.isNaN(this.startAt)) this.pendingSteps = steps;
    else this.broadcast({ type: 'steps', steps: [...steps] });
  }

  /** Stops every thread (after the grace, none when `immediate`); resolves once the run is over. */
  async stop(immediate = false): Promise<void> {
    this.stopping = true;
    this.immediate ||= immediate;
    if (this.ready === this.links.length) this.broadcast({ type: 'stop', immediate: this.immediate });
    await this.done.catch(() => undefined);
  }

  /** Waits for every thread to end, then emits what is pending and releases the threads. */
  private async whenEnded(): Promise<void> {
    await Promise.all(this.links.map((link) => link.ended));
    await Promise.allSettled(this.links.map((link) => link.task));
    this.merger.flush();
    for (const link of this.links) link.close();
    if (this.opts.pool === undefined) await this.pool.close();
    this.over = true;
    if (this.failure !== undefined) throw this.failure;
  }

  private onEvent(thread: number, event: Exclude<ThreadEvent, { type: 'rendezvous' | 'throttle' | 'cancel' | 'next' }>): void {
    switch (event.type) {
      case 'ready':
        if (++this.ready < this.links.length) return;
        if (this.stopping) this.broadcast({ type: 'stop', immediate: this.immediate });
        else this.startAll();
        return;
      case 'interval':
        return this.merger.add(thread, event);
      case 'done':
        return this.merger.finish(thread);
      case 'error':
        this.merger.finish(thread);
        return this.fail(Object.assign(new Error(event.message), event.stack ? { stack: event.stack } : {}));
      default: {
        const never: never = event;
        throw new Error(`unknown thread event ${(never as { type: string }).type}`);
      }
    }
  }

  /** The first failure is the run's; it stops the other threads. */
  private fail(error: Error): void {
    this.failure ??= error;
    if (!this.stopping) void this.stop(true);
  }

  private startAll(): void {
    const { opts } = this;
    this.startAt = opts.startAt ?? epochMs() + START_MARGIN_MS;
    const count = this.links.length;
    this.links.forEach((link, i) =>
      link.send({
        type: 'start',
        prepared: opts.prepared,
        share: [...opts.share.child(i, count).levels],
        startAt: this.startAt,
        options: opts.options,
        coordinationBuffer: link.coordinationBuffer,
      }),
    );
    this.settleStarted(this.startAt);
    if (this.pendingTarget !== undefined) this.broadcast({ type: 'setTarget', value: this.pendingTarget, at: this.startAt });
    if (this.pendingSteps !== undefined) this.broadcast({ type: 'steps', steps: [...this.pendingSteps] });
  }

  private onMerged(interval: IntervalMessage): void {
    this.opts.onInterval(interval);
    if (this.opts.externalSteps) return;
    const planned = this.opts.plan.stages.find((s) => s.stageIndex === interval.stage);
    const stageStart = planned !== undefined && Number.isFinite(planned.start) ? this.startAt + planned.start * 1000 : undefined;
    if (this.tracker.add(interval, stageStart) === undefined) return;
    this.broadcast({ type: 'steps', steps: [...this.tracker.steps] });
    this.opts.onSteps?.(this.tracker.all);
  }

  private broadcast(command: ThreadCommand): void {
    for (const link of this.links) link.send(command);
  }
}

/** Starts a run on `threads` piscina threads. */
export function runOnThreads(opts: ThreadedRunOptions): ThreadedRun {
  return new ThreadedRun(opts);
}
