/**
 * Users waiting together at a rendezvous (one point in this process, or one round of a point run-wide:
 * packages/runner/src/shared-coordination.ts): released all at once, or one by one when a user's
 * signal aborts (that user leaves, the others keep waiting).
 */

interface Waiter {
  resolve: () => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/** The waiters of one rendezvous point or round, and the timer that releases them. */
export class WaitingGroup {
  private waiters: Waiter[] = [];
  /** The release timer of the group (set by its owner), cleared at release. */
  timer: NodeJS.Timeout | undefined;

  /** Users waiting now. */
  get size(): number {
    return this.waiters.length;
  }

  /**
   * Waits until the group is released, or `signal` aborts: then this user leaves the group, and
   * when it was the last one the timer is cleared (a later arrival starts a new wait).
   */
  wait(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiter: Waiter = {
        resolve,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          if (this.waiters.length === 0) this.clearTimer();
          resolve();
        },
      };
      this.waiters.push(waiter);
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    });
  }

  /** Releases every user waiting now. */
  release(): void {
    this.clearTimer();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      w.signal.removeEventListener('abort', w.onAbort);
      w.resolve();
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
