/**
 * Abortable sleeps of virtual users (think time, retry interval). Users sharing an abort signal are
 * woken by one listener on it, not one listener per user.
 */

const sleepers = new WeakMap<AbortSignal, Set<Sleeper>>();

function wakeAll(signal: AbortSignal): void {
  const group = sleepers.get(signal);
  sleepers.delete(signal);
  if (group !== undefined) for (const sleeper of group) sleeper.wake();
}

/** The sleeps of one user. */
export class Sleeper {
  private timer: NodeJS.Timeout | undefined;
  private resolve: (() => void) | undefined;
  /** Bound once (a bound prototype method is smaller than an arrow field). */
  private readonly fire: () => void = this.wake.bind(this);

  constructor(private readonly signal: AbortSignal) {
    let group = sleepers.get(signal);
    if (group === undefined) {
      group = new Set();
      sleepers.set(signal, group);
      signal.addEventListener('abort', () => wakeAll(signal), { once: true });
    }
    group.add(this);
  }

  /** Resolves after `ms` milliseconds, or at once when the signal has aborted. */
  sleep(ms: number): Promise<void> {
    if (this.signal.aborted || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.resolve = resolve;
      this.timer = setTimeout(this.fire, ms);
    });
  }

  /** Ends the current sleep now. */
  wake(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.();
  }

  /** Leaves the signal's group (the user retires). */
  dispose(): void {
    sleepers.get(this.signal)?.delete(this);
    this.wake();
  }
}
