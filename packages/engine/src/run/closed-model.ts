/**
 * The closed model of user modes (0, 2, 3, 5, 7): a number of virtual users each loops over the
 * case, the next iteration starting when the last one ends. The case runner sets the target user
 * count on every tick; a new user runs its setup, then iterates. When the target drops, the newest
 * users are marked to retire: each finishes its current iteration, then closes. A by-count stage
 * gives a budget of iteration starts; users that find it spent wait for the next stage.
 */
import type { PassGate, VirtualUser } from '../types.js';

/** What the closed model needs from the case runner. */
export interface ClosedModelOptions {
  /** Creates a virtual user (setup not run yet). */
  createUser(): VirtualUser;
  /** Aborted when the run stops. */
  signal: AbortSignal;
  /** A virtual user threw: an engine fault, not a target failure. */
  onError(error: unknown): void;
  /** An iteration of the current stage completed. */
  onProgress(): void;
}

/** One looping user: live (counted in the target) or retiring (finishing its last iteration). */
interface Slot {
  retiring: boolean;
}

/** The gate of one looping user (a class, not closures: one small object per user). */
class SlotGate implements PassGate {
  /** The stage a pass started in: a pass ending in a later stage does not count toward it. */
  private gen = 0;

  constructor(
    private readonly model: ClosedModel,
    private readonly slot: Slot,
  ) {}

  open(): boolean {
    const started = this.model.startPass(this.slot);
    if (started >= 0) this.gen = started;
    return started >= 0;
  }

  passed(): void {
    this.model.endPass(this.gen);
  }
}

/** Keeps the number of looping virtual users at the target. */
export class ClosedModel {
  /** Iterations started since the run began. */
  started = 0;
  /** Iterations of the current stage completed. */
  stageCompleted = 0;

  private readonly live: Slot[] = [];
  private readonly retiring = new Set<Slot>();
  private budget = Number.POSITIVE_INFINITY;
  private gen = 0;
  private loops = 0;
  private budgetWaiters: Array<() => void> = [];
  private drainWaiters: Array<() => void> = [];

  constructor(private readonly opts: ClosedModelOptions) {
    opts.signal.addEventListener('abort', () => this.abandon(), { once: true });
  }

  /** Users counted toward the target (looping or in setup; retiring users excluded). */
  get users(): number {
    return this.live.length;
  }

  /** Starts a stage: resets its counters and allows `budget` iteration starts (Infinity: no limit). */
  beginStage(budget = Number.POSITIVE_INFINITY): void {
    this.gen++;
    this.stageCompleted = 0;
    this.budget = budget;
    this.wakeBudgetWaiters();
  }

  /** Brings the number of live users to `target`: retiring users are kept first, then new ones created. */
  setTarget(target: number): void {
    target = Math.max(0, Math.floor(target));
    if (this.opts.signal.aborted) return;
    while (this.live.length < target && this.retiring.size > 0) {
      const slot = this.retiring.values().next().value as Slot;
      this.retiring.delete(slot);
      slot.retiring = false;
      this.live.push(slot);
    }
    while (this.live.length < target) {
      const slot: Slot = { retiring: false };
      this.live.push(slot);
      void this.loop(slot);
    }
    if (this.live.length > target) {
      while (this.live.length > target) {
        const slot = this.live.pop()!;
        slot.retiring = true;
        this.retiring.add(slot);
      }
      this.wakeBudgetWaiters();
    }
  }

  /** Resolves when every user loop has ended (after setTarget(0) or a stop). */
  drain(): Promise<void> {
    if (this.loops === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Starts a pass of `slot`'s user when it may: returns the stage's generation, or -1. */
  startPass(slot: Slot): number {
    if (slot.retiring || this.opts.signal.aborted || this.budget <= 0) return -1;
    this.budget--;
    this.started++;
    return this.gen;
  }

  /** A pass started in generation `gen` ended: it counts toward the stage if that is still current. */
  endPass(gen: number): void {
    if (gen === this.gen && !this.opts.signal.aborted) {
      this.stageCompleted++;
      this.opts.onProgress();
    }
  }

  private async loop(slot: Slot): Promise<void> {
    this.loops++;
    const signal = this.opts.signal;
    let user: VirtualUser | undefined;
    try {
      user = this.opts.createUser();
      await user.setup();
      const gate = user.iterateWhile === undefined ? undefined : new SlotGate(this, slot);
      while (!slot.retiring && !signal.aborted) {
        if (this.budget <= 0) {
          await new Promise<void>((resolve) => this.budgetWaiters.push(resolve));
          continue;
        }
        if (gate !== undefined) {
          await user.iterateWhile!(gate);
          continue;
        }
        const gen = this.startPass(slot);
        await user.iterate();
        this.endPass(gen);
      }
    } catch (error) {
      this.opts.onError(error);
    }
    if (slot.retiring) this.retiring.delete(slot);
    else if (!signal.aborted) {
      const at = this.live.indexOf(slot);
      if (at >= 0) this.live.splice(at, 1);
    }
    try {
      await user?.close();
    } catch (error) {
      this.opts.onError(error);
    }
    this.loops--;
    if (this.loops === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** The run stopped: no user counts any more, and waiting users wake up to end. */
  private abandon(): void {
    this.live.length = 0;
    this.retiring.clear();
    this.wakeBudgetWaiters();
  }

  private wakeBudgetWaiters(): void {
    const waiters = this.budgetWaiters;
    this.budgetWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
