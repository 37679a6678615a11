/**
 * Coordination inside an engine thread: every rendezvous, throttle and cursor call is forwarded to
 * the run's main thread, which holds the one run-wide Coordination (so waits span every thread, and
 * through the worker every process). Waits are answered by a `released` message; `next` must be
 * synchronous, so the thread blocks on the run's coordination buffer until the main thread writes
 * the value and notifies.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ThreadEvent } from '@perftest/model';
import type { Coordination } from '../types.js';

/** Longest time `next` blocks for the main thread's answer before it fails (ms). */
const NEXT_TIMEOUT_MS = 10_000;

/** A Coordination that asks the main thread of the run. */
export class PortCoordination implements Coordination {
  private lastId = 0;
  private readonly waits = new Map<number, () => void>();
  private readonly flag: Int32Array;
  private readonly value: Float64Array;

  constructor(
    private readonly port: MessagePort,
    buffer: SharedArrayBuffer,
  ) {
    this.flag = new Int32Array(buffer, 0, 1);
    this.value = new Float64Array(buffer, 8, 1);
  }

  /** Resolves when the main thread releases the rendezvous, or at once when `signal` aborts. */
  rendezvous(key: string, users: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    return this.wait((id) => ({ type: 'rendezvous', id, key, users, timeoutMs }), signal);
  }

  /** Resolves when the run-wide bucket grants a token, or at once when `signal` aborts. */
  throttle(key: string, rps: number, signal: AbortSignal): Promise<void> {
    return this.wait((id) => ({ type: 'throttle', id, key, rps }), signal);
  }

  /** The next value of the run-wide cursor `key`; blocks the thread for the main thread's answer. */
  next(key: string): number {
    Atomics.store(this.flag, 0, 0);
    this.send({ type: 'next', key });
    if (Atomics.wait(this.flag, 0, 0, NEXT_TIMEOUT_MS) === 'timed-out') {
      throw new Error(`coordination: the main thread did not answer next(${key}) within ${NEXT_TIMEOUT_MS} ms`);
    }
    return this.value[0];
  }

  /** The main thread released wait `id`. */
  released(id: number): void {
    const resolve = this.waits.get(id);
    if (resolve === undefined) return;
    this.waits.delete(id);
    resolve();
  }

  /** Ends every wait (the run stops). */
  releaseAll(): void {
    for (const resolve of this.waits.values()) resolve();
    this.waits.clear();
  }

  private wait(message: (id: number) => ThreadEvent, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    const id = ++this.lastId;
    return new Promise<void>((resolve) => {
      const onAbort = (): void => {
        if (!this.waits.delete(id)) return;
        this.send({ type: 'cancel', id });
        resolve();
      };
      this.waits.set(id, () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      signal.addEventListener('abort', onAbort, { once: true });
      this.send(message(id));
    });
  }

  private send(message: ThreadEvent): void {
    this.port.postMessage(message);
  }
}
