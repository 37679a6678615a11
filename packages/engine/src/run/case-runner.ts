/**
 * Runs one share of a case on one thread: walks the stage timeline (by duration, or until a by-count
 * stage's iterations completed), drives the closed model for user modes and the open model for TPS
 * modes, takes manual regulation, feeds intelligent-peak steps back, and emits one IntervalMessage
 * per wall-clock second. Ends after the last stage or on stop() the same way (docs/run-lifecycle.md#stop):
 * it halts (no request starts, sleeps and waits end, TPS starts still waiting are dropped), requests
 * in flight complete and are recorded for up to `gracefulStopMs`, then what is left is aborted and
 * counted in the interval's `aborted`.
 */
import { setMaxListeners } from 'node:events';
import type { IntervalMessage, ThreadRunOptions } from '@perftest/model';
import { IntervalRecorder } from '../metrics/interval-recorder.js';
import type { PlannedStage, StagePlan } from '../pressure/stage-plan.js';
import type { CompiledCase, Coordination, StepResult, VirtualUser } from '../types.js';
import { ArrivalSchedule } from './arrival-schedule.js';
import { epochMs, sleep } from './clock.js';
import { ClosedModel } from './closed-model.js';
import { GatedRecorder } from './gated-recorder.js';
import { OpenModel } from './open-model.js';
import type { Share } from './share.js';
import { StepTracker } from '../pressure/intelligent/step-tracker.js';

/** Everything a case runner works with. */
export interface CaseRunnerOptions {
  compiled: CompiledCase;
  plan: StagePlan;
  share: Share;
  /** Epoch ms at which stage 0 starts (the same in every thread and worker of the run). */
  startAt: number;
  coordination: Coordination;
  options: ThreadRunOptions;
  onInterval(interval: IntervalMessage): void;
  /** True when intelligent-peak steps come from outside (setSteps) rather than from this runner. */
  externalSteps?: boolean;
  /** Intelligent-peak steps this runner measured, all so far, each time one finishes. */
  onSteps?(steps: readonly StepResult[]): void;
}

/** How often the runner re-reads the timeline (ms). */
const TICK_MS = 20;
/** How long the runner waits for virtual users to notice the abort (ms). */
const ABORT_WAIT_MS = 2_000;

/** Manual regulation in force: the value, from when, and until when the run goes on. */
interface Manual {
  value: number;
  at: number;
  endMs: number;
}

/** One thread's share of a case run. */
export class CaseRunner {
  /** Resolves when the run has ended and its last interval was emitted; rejects on an engine fault. */
  readonly done: Promise<'finished' | 'stopped'>;

  /** Aborted when the run halts: no request starts any more, sleeps and waits end. */
  private readonly halt = new AbortController();
  /** Aborted when the grace after the halt is over: requests in flight are cut. */
  private readonly abort = new AbortController();
  private readonly recorder: IntervalRecorder;
  private readonly gate: GatedRecorder;
  private readonly closed: ClosedModel;
  private readonly open: OpenModel;
  private readonly tracker: StepTracker;
  private steps: readonly StepResult[] = [];
  private localUsers = 0;

  private index = -1;
  private stage: PlannedStage | undefined;
  private stageStart = 0;
  private countGoal = Number.POSITIVE_INFINITY;
  private schedule: ArrivalSchedule | undefined;
  private manual: Manual | undefined;

  private tickTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private kicked = false;
  private lastFlushed: number;
  private lastStarted = 0;
  private lastDropped = 0;
  private ending = false;
  private fault: unknown;
  private settle!: (end: 'finished' | 'stopped') => void;
  private fail!: (error: unknown) => void;

  constructor(private readonly opts: CaseRunnerOptions) {
    this.done = new Promise((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
    // Every virtual user and driver may listen to the run's signals.
    setMaxListeners(0, this.abort.signal, this.halt.signal);
    this.recorder = new IntervalRecorder();
    this.gate = new GatedRecorder(this.recorder);
    this.tracker = new StepTracker(opts.plan);
    const models = {
      createUser: () => this.createUser(),
      signal: this.halt.signal,
      onError: (error: unknown) => this.onFault(error),
      onProgress: () => this.onProgress(),
    };
    this.closed = new ClosedModel(models);
    this.open = new OpenModel({ ...models, startWaitMs: opts.options.startWaitMs });
    // A runner joining after startAt (a takeover) reports from the second it joined in, not the
    // seconds before: those belong to the share's previous owner.
    this.lastFlushed = Math.floor(Math.max(opts.startAt, epochMs()) / 1000) - 1;
  }

  /** Starts the timeline (at `startAt`, or now when that has passed). */
  start(): void {
    const delay = this.opts.startAt - epochMs();
    this.tickTimer = setTimeout(() => {
      this.tickTimer = setInterval(() => this.tick(), TICK_MS);
      this.beginStage(0, this.opts.startAt);
      this.tick();
    }, Math.max(0, delay));
    this.armFlush();
  }

  /**
   * Manual regulation: the run-wide target (users or TPS, in the unit of the running stage) from
   * epoch ms `at` on. The rest of the stage plan is discarded: the run keeps this target until the
   * running stage ends (its time, or its count), and no later stage runs.
   */
  setTarget(value: number, at = epochMs()): void {
    if (this.ending || !(value >= 0)) return;
    const stage = this.stage;
    let endMs = Number.POSITIVE_INFINITY;
    if (stage !== undefined && !stage.byCount) endMs = this.stageStart + stage.duration * 1000;
    this.manual = { value, at, endMs };
    if (this.schedule !== undefined) {
      this.schedule.setRate(() => value, at - this.stageStart);
      this.schedule.setEnd(endMs - this.stageStart);
    }
    this.tick();
  }

  /** Finished intelligent-peak steps of the running stage, computed over the whole run. */
  setSteps(steps: readonly StepResult[]): void {
    this.steps = steps;
  }

  /**
   * Stops: halts, lets requests in flight complete for the grace (none when `immediate`), aborts
   * the rest (counted as aborted); resolves when done.
   */
  async stop(immediate = false): Promise<void> {
    if (!this.ending) void this.end('stopped', immediate);
    else if (immediate) this.abort.abort();
    await this.done.catch(() => undefined);
  }

  private createUser(): VirtualUser {
    const userIndex = this.opts.share.userId(this.localUsers++);
    return this.opts.compiled.createUser({
      session: { state: new Map(), userIndex, signal: this.abort.signal, halt: this.halt.signal, keepResponse: false, debug: false },
      recorder: this.gate,
      coordination: this.opts.coordination,
    });
  }

  private beginStage(index: number, startMs: number): void {
    const { plan, share } = this.opts;
    this.index = index;
    this.stageStart = startMs;
    if (index >= plan.stages.length) {
      this.stage = undefined;
      void this.end('finished');
      return;
    }
    const stage = plan.stages[index];
    this.stage = stage;
    if (!this.opts.externalSteps) this.steps = [];
    if (stage.kind === 'users') {
      this.schedule = undefined;
      this.open.beginStage(undefined, startMs, 0);
      this.countGoal = stage.byCount ? share.weightedPart(stage.count, stage.maxUsers) : Number.POSITIVE_INFINITY;
      this.closed.beginStage(this.countGoal);
    } else {
      this.closed.beginStage();
      this.closed.setTarget(0);
      this.countGoal = stage.byCount ? share.part(stage.count) : Number.POSITIVE_INFINITY;
      this.schedule = new ArrivalSchedule(
        (t) => stage.impl.target(stage.stage, t, this.steps),
        share,
        stage.byCount ? Number.POSITIVE_INFINITY : stage.duration * 1000,
        stage.byCount ? stage.count : Number.POSITIVE_INFINITY,
      );
      this.open.beginStage(this.schedule, startMs, share.part(stage.maxUsers));
    }
  }

  /** Moves through the timeline and sets the closed model's target. */
  private tick(): void {
    this.kicked = false;
    if (this.ending || this.index < 0) return;
    this.flushDue();
    const now = epochMs();
    for (;;) {
      const stage = this.stage;
      if (stage === undefined) return;
      if (this.stageCountReached()) {
        if (this.manual !== undefined) return void this.end('finished');
        this.beginStage(this.index + 1, now);
        continue;
      }
      const manual = this.manual;
      if (manual !== undefined) {
        if (now >= manual.endMs) return void this.end('finished');
        break;
      }
      if (!stage.byCount && now >= this.stageStart + stage.duration * 1000) {
        this.beginStage(this.index + 1, this.stageStart + stage.duration * 1000);
        continue;
      }
      break;
    }
    const stage = this.stage!;
    if (stage.kind !== 'users') return;
    const manual = this.manual;
    const target =
      manual !== undefined && now >= manual.at
        ? manual.value
        : stage.impl.target(stage.stage, Math.max(0, now - this.stageStart) / 1000, this.steps);
    this.closed.setTarget(this.opts.share.part(Math.round(target)));
  }

  private stageCountReached(): boolean {
    const stage = this.stage;
    if (stage === undefined || !stage.byCount) return false;
    if (stage.kind === 'users') return this.closed.stageCompleted >= this.countGoal;
    return this.open.stageCompleted + this.open.stageDropped >= this.countGoal;
  }

  /** Hot path (every completed iteration): only by-count stages need a prompt tick. */
  private onProgress(): void {
    if (this.countGoal === Number.POSITIVE_INFINITY || this.kicked || !this.stageCountReached()) return;
    this.kicked = true;
    setImmediate(() => this.tick());
  }

  private onFault(error: unknown): void {
    if (this.fault !== undefined) return;
    this.fault = error;
    if (!this.ending) void this.end('stopped', true);
  }

  private armFlush(): void {
    const now = epochMs();
    const next = (Math.floor(now / 1000) + 1) * 1000;
    this.flushTimer = setTimeout(() => {
      this.flushDue();
      this.armFlush();
    }, next - now + 1);
  }

  /**
   * Emits every second that has ended and is not emitted yet. The timeline calls it before it
   * changes the users or the stage (tick, end), so that a second is cut with the users and stage it
   * ended with even when its flush timer runs late (a loaded machine delays timers by hundreds of
   * ms): the flush timer alone, firing after a stage change, reported the next stage's users.
   */
  private flushDue(): void {
    const second = Math.floor(epochMs() / 1000) - 1;
    while (this.lastFlushed < second) this.emit(this.lastFlushed + 1);
  }

  private emit(second: number): void {
    this.lastFlushed = second;
    const started = this.closed.started + this.open.started;
    const dropped = this.open.dropped;
    const interval = this.recorder.flush(
      second,
      this.closed.users + this.open.users,
      started - this.lastStarted,
      dropped - this.lastDropped,
      this.stageForReport(),
    );
    this.lastStarted = started;
    this.lastDropped = dropped;
    if (!this.opts.externalSteps && this.index >= 0) {
      const steps = this.tracker.add(interval, this.stage?.byCount === false ? this.stageStart : undefined);
      if (steps !== undefined) {
        this.steps = steps;
        this.opts.onSteps?.([...this.tracker.all]);
      }
    }
    this.opts.onInterval(interval);
  }

  /** Index in the case's `stages` of the running stage (the first before, the last after the run). */
  private stageForReport(): number {
    const stages = this.opts.plan.stages;
    const stage = this.stage ?? (this.index < 0 ? stages[0] : stages.at(-1));
    return stage?.stageIndex ?? 0;
  }

  private async end(how: 'finished' | 'stopped', immediate = false): Promise<void> {
    this.flushDue();
    this.ending = true;
    clearTimeout(this.tickTimer);
    clearInterval(this.tickTimer);
    this.closed.setTarget(0);
    this.open.beginStage(undefined, epochMs(), 0);
    this.halt.abort();
    const drained = !immediate && (await this.drain(this.opts.options.gracefulStopMs));
    if (!drained) {
      this.abort.abort();
      await this.drain(ABORT_WAIT_MS);
    }
    this.gate.shut();
    await this.open.close();
    clearTimeout(this.flushTimer);
    const second = Math.floor(epochMs() / 1000);
    while (this.lastFlushed < second) this.emit(this.lastFlushed + 1);
    this.recorder.close();
    if (this.fault !== undefined) this.fail(this.fault);
    else this.settle(how);
  }

  /** Waits until no iteration is in flight, at most `ms`; true when that happened. */
  private async drain(ms: number): Promise<boolean> {
    let drained = false;
    const all = Promise.all([this.closed.drain(), this.open.drain()]).then(() => {
      drained = true;
    });
    const timeout = new AbortController();
    await Promise.race([all, sleep(ms, timeout.signal)]);
    timeout.abort();
    return drained;
  }
}
