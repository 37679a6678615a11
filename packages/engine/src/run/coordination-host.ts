/**
 * The main-thread side of PortCoordination: serves one engine thread's rendezvous, throttle and
 * cursor requests from the run-wide Coordination.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ThreadCancelMessage, ThreadCommand, ThreadNextMessage, ThreadRendezvousMessage, ThreadThrottleMessage } from '@perftest/model';
import type { Coordination } from '../types.js';

/** A coordination request a thread sent. */
export type CoordinationRequest = ThreadRendezvousMessage | ThreadThrottleMessage | ThreadCancelMessage | ThreadNextMessage;

/** Answers one thread's coordination requests. */
export class CoordinationHost {
  private readonly waits = new Map<number, AbortController>();
  private readonly flag: Int32Array;
  private readonly value: Float64Array;

  constructor(
    private readonly coordination: Coordination,
    private readonly port: MessagePort,
    /** The thread's coordination buffer (the one sent in its start message). */
    readonly buffer: SharedArrayBuffer,
    private readonly onError: (error: unknown) => void,
  ) {
    this.flag = new Int32Array(buffer, 0, 1);
    this.value = new Float64Array(buffer, 8, 1);
  }

  /** A buffer of the layout PortCoordination expects. */
  static createBuffer(): SharedArrayBuffer {
    return new SharedArrayBuffer(16);
  }

  /** Serves one request. */
  handle(request: CoordinationRequest): void {
    switch (request.type) {
      case 'rendezvous':
        return this.serve(request.id, (signal) =>
          this.coordination.rendezvous(request.key, request.users, request.timeoutMs, signal),
        );
      case 'throttle':
        return this.serve(request.id, (signal) => this.coordination.throttle(request.key, request.rps, signal));
      case 'cancel':
        this.waits.get(request.id)?.abort();
        this.waits.delete(request.id);
        return;
      case 'next': {
        let value = Number.NaN;
        try {
          value = this.coordination.next(request.key);
        } catch (error) {
          this.onError(error);
        }
        this.value[0] = value;
        Atomics.store(this.flag, 0, 1);
        Atomics.notify(this.flag, 0);
        return;
      }
      default: {
        const never: never = request;
        throw new Error(`unknown coordination request ${(never as { type: string }).type}`);
      }
    }
  }

  /** Abandons every wait (the run stops). */
  close(): void {
    for (const controller of this.waits.values()) controller.abort();
    this.waits.clear();
  }

  private serve(id: number, wait: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    this.waits.set(id, controller);
    wait(controller.signal).then(
      () => this.release(id, controller),
      (error: unknown) => {
        this.onError(error);
        this.release(id, controller);
      },
    );
  }

  private release(id: number, controller: AbortController): void {
    if (this.waits.get(id) !== controller) return;
    this.waits.delete(id);
    const message: ThreadCommand = { type: 'released', id };
    this.port.postMessage(message);
  }
}
