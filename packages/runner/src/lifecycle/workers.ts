/**
 * A worker's row in `workers`: registration, the heartbeat that keeps it live, and leaving. The
 * database clock stamps every heartbeat, so liveness never depends on the clocks of the machines.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Queryable } from '@perftest/store';

/** How a worker describes itself. */
export interface WorkerIdentity {
  threads: number;
  embedded: boolean;
  host?: string;
}

/** Registers a new worker and returns its id (a random uuid). */
export async function registerWorker(db: Queryable, identity: WorkerIdentity): Promise<string> {
  const id = randomUUID();
  await db.query('insert into workers(id, host, pid, threads, embedded) values ($1, $2, $3, $4, $5)', [
    id,
    identity.host ?? hostname(),
    process.pid,
    identity.threads,
    identity.embedded,
  ]);
  return id;
}

/** Refreshes the heartbeat; false when the worker was declared dead (it must stop its shares). */
export async function heartbeat(db: Queryable, id: string): Promise<boolean> {
  const rows = await db.query('update workers set heartbeat_at = now() where id = $1 and stopped_at is null returning id', [id]);
  return rows.length > 0;
}

/** Marks the worker gone: the next reconcile pass gives its unfinished shares to live workers. */
export async function leaveWorker(db: Queryable, id: string): Promise<void> {
  await db.query('update workers set stopped_at = now() where id = $1 and stopped_at is null', [id]);
}
