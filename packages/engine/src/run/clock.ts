/**
 * The run's clock: Unix epoch milliseconds with sub-millisecond resolution, comparable across the
 * threads of one process (each thread's performance.timeOrigin is itself an epoch time).
 */
import { performance } from 'node:perf_hooks';

const origin = performance.timeOrigin;

/** Epoch milliseconds now, fractional. */
export function epochMs(): number {
  return origin + performance.now();
}

/** Resolves after `ms` milliseconds, or at once when `signal` aborts; the timer does not hold the process. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    timer.unref();
    signal?.addEventListener('abort', done, { once: true });
  });
}
