/**
 * The open model of TPS modes (1, 4, 6): iterations start when the ArrivalSchedule says, whatever
 * the earlier ones are doing, served by a pool of at most `maxUsers` virtual users created on demand.
 * A start that finds no free user waits up to `startWaitMs` for one, then is dropped and counted.
 * Every start the schedule makes is counted once, as started or as dropped: starts still waiting
 * when their stage ends or the run halts are dropped then, and so is a start whose new user was
 * still in setup at the halt (docs/reports.md#dropped-starts).
 * Each iteration gets its lateness (actual minus intended start), so that response times are
 * measured from the intended start and a stalled target shows in the percentiles (coordinated
 * omission). A model that joins a run late (a worker taking over the share of a dead one, or a thread
 * up after the common start instant) skips the starts intended before it joined: they belonged to
 * the share's previous owner, so they are neither made nor counted as dropped (they still count
 * towards a by-count stage's progress, so that stage ends on time).
 */
import type { VirtualUser } from '../types.js';
import type { ArrivalSchedule } from './arrival-schedule.js';
import { epochMs } from './clock.js';

/** What the open model needs from the case runner. */
export interface OpenModelOptions {
  /** Creates a virtual user (setup not run yet). */
  createUser(): VirtualUser;
  /** Aborted when the run halts (a stop or the plan's end): no iteration starts any more. */
  signal: AbortSignal;
  /** A virtual user threw: an engine fault, not a target failure. */
  onError(error: unknown): void;
  /** A stage counter moved (an iteration completed or a start was dropped). */
  onProgress(): void;
  /** How long a start may wait for a free user before it is dropped (ms). */
  startWaitMs: number;
}

/** A start waiting for a free user. */
interface WaitingStart {
  intended: number;
  deadline: number;
  gen: number;
}

/** Longest sleep of the pump when no start is due soon (ms). */
const TICK_MS = 20;
/** How far ahead the pump looks for the next start (ms). */
const LOOKAHEAD_MS = 20;

/** Starts iterations on an arrival schedule from a bounded pool of users. */
export class OpenModel {
  /** Iterations started and starts dropped since the run began. */
  started = 0;
  dropped = 0;
  /** Of the current stage: iterations completed and starts dropped. */
  stageCompleted = 0;
  stageDropped = 0;

  private schedule: ArrivalSchedule | undefined;
  private origin = 0;
  /** Starts intended before this instant (epoch ms) are skipped; set when the first stage begins. */
  private joinedAt = Number.NEGATIVE_INFINITY;
  private maxUsers = 0;
  private gen = 0;
  private allocated = 0;
  private busy = 0;
  private readonly idle: VirtualUser[] = [];
  private waiting: WaitingStart[] = [];
  private waitHead = 0;
  private timer: NodeJS.Timeout | undefined;
  private drainWaiters: Array<() => void> = [];
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly opts: OpenModelOptions) {}

  /** Users of the pool (busy, idle or in setup). */
  get users(): number {
    return this.allocated;
  }

  /**
   * Starts a stage: follow `schedule` (times relative to `originMs`, epoch ms) with at most
   * `maxUsers` users; `undefined` stops making starts (in-flight iterations finish). Starts of the
   * previous stage still waiting for a user are dropped: they count in the stage that made them.
   */
  beginStage(schedule: ArrivalSchedule | undefined, originMs: number, maxUsers: number): void {
    if (this.joinedAt === Number.NEGATIVE_INFINITY) this.joinedAt = epochMs() - this.opts.startWaitMs;
    this.dropWaiting();
    this.gen++;
    this.stageCompleted = 0;
    this.stageDropped = 0;
    this.schedule = schedule;
    this.origin = originMs;
    this.setMaxUsers(maxUsers);
    this.pump();
  }

  /** True while the current stage's schedule may still make starts. */
  get scheduling(): boolean {
    return this.schedule !== undefined && !this.schedule.finished;
  }

  /** Changes the pool ceiling; idle users above it are closed at once, busy ones when they finish. */
  setMaxUsers(maxUsers: number): void {
    this.maxUsers = Math.max(0, Math.floor(maxUsers));
    while (this.allocated > this.maxUsers && this.idle.length > 0) this.retire(this.idle.pop()!);
  }

  /** Resolves when no iteration is in flight and no start waits. */
  drain(): Promise<void> {
    if (this.quiet()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Stops the pump and closes every user (busy ones are expected to have ended). */
  async close(): Promise<void> {
    this.schedule = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.maxUsers = 0;
    while (this.idle.length > 0) this.retire(this.idle.pop()!);
    await Promise.allSettled(this.closing);
  }

  /** Makes every start that is due and arms the timer for the next one. */
  private readonly pump = (): void => {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = epochMs();
    this.expire(now);
    const schedule = this.schedule;
    if (schedule === undefined || this.opts.signal.aborted) return this.armForWaiting();
    const rel = now - this.origin;
    for (;;) {
      const t = schedule.nextTime(rel + LOOKAHEAD_MS);
      if (Number.isNaN(t)) {
        if (schedule.finished) {
          this.opts.onProgress();
          return this.armForWaiting();
        }
        return this.arm(TICK_MS);
      }
      if (t > rel) return this.arm(t - rel);
      schedule.take();
      if (this.origin + t < this.joinedAt) {
        this.stageDropped++;
        this.opts.onProgress();
        continue;
      }
      this.start(this.origin + t);
    }
  };

  private arm(ms: number): void {
    this.timer = setTimeout(this.pump, ms);
  }

  /** Keeps expiring waiting starts after the schedule has ended. */
  private armForWaiting(): void {
    if (this.waitHead < this.waiting.length) this.arm(TICK_MS);
  }

  private start(intended: number): void {
    const user = this.idle.pop();
    if (user !== undefined) {
      void this.run(user, intended, this.gen);
    } else if (this.allocated < this.maxUsers) {
      this.allocated++;
      void this.spawn(intended, this.gen);
    } else {
      this.waiting.push({ intended, deadline: epochMs() + this.opts.startWaitMs, gen: this.gen });
    }
  }

  private async spawn(intended: number, gen: number): Promise<void> {
    this.busy++;
    let user: VirtualUser | undefined;
    try {
      user = this.opts.createUser();
      await user.setup();
    } catch (error) {
      this.opts.onError(error);
    }
    this.busy--;
    if (user === undefined) {
      this.allocated--;
      this.drop(gen);
      return this.settle();
    }
    await this.run(user, intended, gen);
  }

  /** Runs the given start and then, while starts wait, the oldest of them on the same user. */
  private async run(user: VirtualUser, intended: number, gen: number): Promise<void> {
    this.busy++;
    const signal = this.opts.signal;
    try {
      for (;;) {
        if (signal.aborted) {
          // Only a start given to a user still in setup at the halt gets here: never made.
          this.drop(gen);
          break;
        }
        this.started++;
        await user.iterate(Math.max(0, (epochMs() - intended) * 1000));
        if (gen === this.gen) {
          this.stageCompleted++;
          this.opts.onProgress();
        }
        const next = this.takeWaiting();
        if (next === undefined) break;
        intended = next.intended;
        gen = next.gen;
      }
    } catch (error) {
      this.opts.onError(error);
    }
    this.busy--;
    if (this.allocated > this.maxUsers || signal.aborted) this.retire(user);
    else this.idle.push(user);
    this.settle();
  }

  /** The oldest waiting start that has not expired; expired ones are dropped. */
  private takeWaiting(): WaitingStart | undefined {
    if (this.opts.signal.aborted) return this.dropWaiting();
    const now = epochMs();
    while (this.waitHead < this.waiting.length) {
      const next = this.waiting[this.waitHead++];
      if (next.deadline >= now) {
        this.compactWaiting();
        return next;
      }
      this.drop(next.gen);
    }
    this.compactWaiting();
    return undefined;
  }

  private expire(now: number): void {
    if (this.opts.signal.aborted) this.dropWaiting();
    while (this.waitHead < this.waiting.length) {
      const next = this.waiting[this.waitHead];
      if (next.deadline >= now) break;
      this.waitHead++;
      this.drop(next.gen);
    }
    this.compactWaiting();
    this.settle();
  }

  /** Every waiting start is dropped (its stage ended, or the run halted). */
  private dropWaiting(): undefined {
    const waiting = this.waiting;
    const head = this.waitHead;
    this.waiting = [];
    this.waitHead = 0;
    for (let i = head; i < waiting.length; i++) this.drop(waiting[i].gen);
    return undefined;
  }

  private drop(gen: number): void {
    this.dropped++;
    if (gen === this.gen) {
      this.stageDropped++;
      this.opts.onProgress();
    }
  }

  private compactWaiting(): void {
    if (this.waitHead === this.waiting.length) {
      this.waiting = [];
      this.waitHead = 0;
    } else if (this.waitHead > 1024 && this.waitHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitHead);
      this.waitHead = 0;
    }
  }

  private retire(user: VirtualUser): void {
    this.allocated--;
    const closed: Promise<void> = user
      .close()
      .catch((error: unknown) => this.opts.onError(error))
      .finally(() => this.closing.delete(closed));
    this.closing.add(closed);
  }

  private quiet(): boolean {
    return this.busy === 0 && this.waitHead === this.waiting.length;
  }

  private settle(): void {
    if (this.drainWaiters.length === 0 || !this.quiet()) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
