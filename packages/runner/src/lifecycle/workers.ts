/**
 * A worker's row in `workers`: registration, the heartbeat that keeps it live, and leaving. The
 * database clock stamps every heartbeat, so liveness never depends on the clocks of the machines.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Queryable } from '@perftest/store';
import { defaultWorkerMemoryMb, workerCapacity } from './capacity.js';
import { WorkerStopCause } from './statuses.js';

/** How a worker describes itself. */
export interface WorkerIdentity {
  threads: number;
  embedded: boolean;
  host?: string;
  /** Memory budget (PERFTEST_WORKER_MEMORY_MB; default defaultWorkerMemoryMb): sets its advertised capacity. */
  memoryMb?: number;
}

/** Registers a new worker with the capacity its budget gives, and returns its id (a random uuid). */
export async function registerWorker(db: Queryable, identity: WorkerIdentity): Promise<string> {
  const id = randomUUID();
  const capacity = workerCapacity(identity.threads, identity.memoryMb ?? defaultWorkerMemoryMb(identity.threads));
  await db.query(
    `insert into workers(id, host, pid, threads, embedded, memory_mb, users_per_thread, connections_per_thread)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, identity.host ?? hostname(), process.pid, identity.threads, identity.embedded, capacity.memoryMb, capacity.usersPerThread, capacity.connectionsPerThread],
  );
  return id;
}

/** Refreshes the heartbeat; false when the worker was declared dead (it must stop its shares). */
export async function heartbeat(db: Queryable, id: string): Promise<boolean> {
  const rows = await db.query('update workers set heartbeat_at = now() where id = $1 and stopped_at is null returning id', [id]);
  return rows.length > 0;
}

/** Marks the worker gone: the next reconcile pass gives its unfinished shares to live workers. */
export async function leaveWorker(db: Queryable, id: string): Promise<void> {
  await db.query('update workers set stopped_at = now(), stop_cause = $2 where id = $1 and stopped_at is null', [id, WorkerStopCause.Left]);
}

/**
 * Declares dead every embedded worker still registered as live, at the start of a new embedded
 * worker on a database that no other process can open (PGlite: its data directory admits one
 * process, packages/store/src/data-dir-lock.ts). Those rows are then necessarily a previous life of
 * this server that died without leaving (kill -9, out of memory): its shares are taken over at the
 * next reconcile pass instead of after the dead delay. Never call it on Postgres, where other
 * processes may be live. Returns the workers declared dead.
 */
export async function declarePredecessorsDead(db: Queryable): Promise<Array<{ id: string; host: string; pid: number }>> {
  return db.query<{ id: string; host: string; pid: number }>(
    'update workers set stopped_at = now(), stop_cause = $1 where stopped_at is null and embedded returning id, host, pid',
    [WorkerStopCause.Restarted],
  );
}
