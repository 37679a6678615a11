/**
 * Coordination for the users of one process (one thread, or several threads when the run
 * orchestration forwards calls to a single instance): rendezvous points, throughput token buckets and
 * shared variable cursors.
 */
import { performance } from 'node:perf_hooks';
import type { Coordination } from '../types.js';
import { WaitingGroup } from './waiting-group.js';

interface Bucket {
  /** performance.now() (ms) at which the next token may be granted. */
  next: number;
}

/** Rendezvous, throughput caps and cursors kept in this process's memory. */
export class LocalCoordination implements Coordination {
  private readonly cursors = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly points = new Map<string, WaitingGroup>();

  /** Next value of cursor `key`: 0, 1, 2, ... */
  next(key: string): number {
    const value = this.cursors.get(key) ?? 0;
    this.cursors.set(key, value + 1);
    return value;
  }

  /**
   * Grants one token of bucket `key` at `rps` tokens per second, spaced evenly (no burst: an idle
   * bucket does not save tokens). Waits shorter than a millisecond are granted at once.
   */
  throttle(key: string, rps: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted || !(rps > 0)) return Promise.resolve();
    const now = performance.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { next: now };
      this.buckets.set(key, bucket);
    }
    const at = bucket.next > now ? bucket.next : now;
    bucket.next = at + 1000 / rps;
    const wait = at - now;
    return wait < 1 ? Promise.resolve() : delay(wait, signal);
  }

  /**
   * Resolves when `users` users are waiting at `key` (all are released together), when `timeoutMs`
   * has passed since the first of them arrived (0: no timeout), or when `signal` aborts (only that
   * user leaves).
   */
  rendezvous(key: string, users: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    let group = this.points.get(key);
    if (group === undefined) {
      group = new WaitingGroup();
      this.points.set(key, group);
    }
    const waiting = group.wait(signal);
    if (group.size >= users) group.release();
    else if (group.timer === undefined && timeoutMs > 0) group.timer = setTimeout(releaseGroup, timeoutMs, group);
    return waiting;
  }
}

function releaseGroup(group: WaitingGroup): void {
  group.release();
}

/** Sleeps `ms`, ending early when `signal` aborts. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
