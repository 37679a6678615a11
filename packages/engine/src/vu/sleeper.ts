/**
 * Abortable sleeps of one virtual user (think time, retry interval): one abort listener for the
 * user's whole life instead of one per sleep.
 */

/** Sleeps that end early when the user's signal aborts. */
export class Sleeper {
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private readonly onAbort = () => this.fire();
  private readonly fire = () => {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  };

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Resolves after `ms` milliseconds, or at once when the signal has aborted. */
  sleep(ms: number): Promise<void> {
    if (this.signal.aborted || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(this.fire, ms);
    });
  }

  /** Removes the abort listener (the user retires). */
  dispose(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.fire();
  }
}
