/**
 * One engine thread of a run on threads, seen from the run's main thread: the MessagePort it talks
 * over, the coordination it is served (coordination-host.ts) and its end. A thread has ended once
 * its last message (`done` or `error`) has arrived, which may come after its piscina task resolved;
 * or once its port closed (a thread that crashed: a port closes after every message sent on it was
 * delivered, so nothing the thread said is lost); or once its task failed (the pool was destroyed).
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { ThreadCommand, ThreadEvent } from '@perftest/model';
import type { Coordination } from '../types.js';
import { CoordinationHost } from './coordination-host.js';
import type { EnginePool } from './engine-pool.js';

/** What a link reports to its run. */
export interface ThreadLinkEvents {
  /** A message of the thread other than a coordination request. */
  onEvent(event: Exclude<ThreadEvent, { type: 'rendezvous' | 'throttle' | 'cancel' | 'next' }>): void;
  /** The coordination or the task failed. */
  onFailure(error: Error): void;
}

/** The main thread's end of one engine thread. */
export class ThreadLink {
  /** Resolves once the thread can send nothing more (see the file comment). */
  readonly ended: Promise<void>;
  /** The piscina task, settled when the thread's task returned. */
  readonly task: Promise<void>;
  private readonly port: MessagePort;
  private readonly host: CoordinationHost;

  constructor(pool: EnginePool, coordination: Coordination, events: ThreadLinkEvents) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.host = new CoordinationHost(coordination, port1, CoordinationHost.createBuffer(), (error) => events.onFailure(asError(error)));
    let end!: () => void;
    this.ended = new Promise<void>((resolve) => (end = resolve));
    port1.on('message', (event: ThreadEvent) => {
      switch (event.type) {
        case 'rendezvous':
        case 'throttle':
        case 'cancel':
        case 'next':
          return this.host.handle(event);
        case 'done':
        case 'error':
          events.onEvent(event);
          return end();
        default:
          return events.onEvent(event);
      }
    });
    port1.once('close', end);
    this.task = pool.run(port2).catch((error: unknown) => {
      events.onFailure(asError(error));
      end();
    });
  }

  /** The thread's coordination buffer (sent in its start message). */
  get coordinationBuffer(): SharedArrayBuffer {
    return this.host.buffer;
  }

  /** Sends a command to the thread. */
  send(command: ThreadCommand): void {
    this.port.postMessage(command);
  }

  /** Abandons pending coordination waits and closes the port (after the thread ended). */
  close(): void {
    this.host.close();
    this.port.close();
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
