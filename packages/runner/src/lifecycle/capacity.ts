/**
 * Live capacity and runs at once (docs/run-lifecycle.md, "Queue and capacity"). Each worker
 * advertises on its `workers` row what its engine threads can hold within its memory budget
 * (PERFTEST_WORKER_MEMORY_MB), from the bytes per user the project measured, not a guess; the API
 * refuses a start asking more users at once than the live workers hold together, and the reconcile
 * pass keeps a started run queued (waiting, 9) while the runs at once are all taken or the users it
 * asks do not fit what the running runs leave.
 *
 * The measurement (`npx pnpm bench:users`, bench/RESULTS.md "Memory of 10,000 users" and "Admission"):
 * 10,000 users, each a keep-alive connection to nginx and a GET every second, on one engine thread
 * peak at 235 MB RSS against 126 MB with 1 user: 11.4 KB per user; on two threads 348 MB against
 * 250 MB: 10.0 KB per user, each engine thread beyond the process costing 62 MB before its first user.
 */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { Queryable } from '@perftest/store';
import { SQL } from './statuses.js';

const MB = 1024 * 1024;

/** Bytes one virtual user (its session and one connection) takes: 11.4 KB measured, rounded up. */
export const USER_BYTES = 12 * 1024;
/** Bytes of a worker process before its first user, the engine loaded (126 MB measured). */
export const PROCESS_BASE_BYTES = 126 * MB;
/** Bytes of each engine thread of a worker on several threads, before its first user (62 MB measured). */
export const THREAD_BASE_BYTES = 62 * MB;
/** The range of PERFTEST_WORKER_MEMORY_MB (MB). */
export const MIN_WORKER_MEMORY_MB = 64;
export const MAX_WORKER_MEMORY_MB = 16 * 1024 * 1024;
/** Task runs dispatched at once when PERFTEST_MAX_RUNS_AT_ONCE is not set. */
export const DEFAULT_MAX_RUNS_AT_ONCE = 10;
/** The highest PERFTEST_MAX_RUNS_AT_ONCE. */
export const MAX_RUNS_AT_ONCE_LIMIT = 10_000;

/** What one worker can hold. */
export interface WorkerCapacity {
  memoryMb: number;
  usersPerThread: number;
  /** Each user holds one connection of its own (HTTP keep-alive, a socket, a stream). */
  connectionsPerThread: number;
}

/** Bytes a worker on `threads` engine threads takes before its first user. */
export function baseBytes(threads: number): number {
  return PROCESS_BASE_BYTES + (threads > 1 ? threads * THREAD_BASE_BYTES : 0);
}

/**
 * The default memory budget of a worker on `threads` threads (MB): half of the machine's memory (its
 * cgroup limit when lower), and no more than its threads' V8 heaps can hold besides the base.
 */
export function defaultWorkerMemoryMb(threads: number): number {
  const constrained = process.constrainedMemory?.() ?? 0;
  const machine = constrained > 0 && constrained < totalmem() ? constrained : totalmem();
  const heaps = baseBytes(threads) + threads * getHeapStatistics().heap_size_limit;
  return Math.floor(Math.min(machine / 2, heaps) / MB);
}

/** What a worker on `threads` threads with `memoryMb` of budget holds per thread. */
export function workerCapacity(threads: number, memoryMb: number): WorkerCapacity {
  const free = Math.max(0, memoryMb * MB - baseBytes(threads));
  const usersPerThread = Math.floor(free / threads / USER_BYTES);
  return { memoryMb, usersPerThread, connectionsPerThread: usersPerThread };
}

/** What the live workers hold together, and what the dispatched case runs take of it. */
export interface LiveCapacity {
  /** Live workers. */
  workers: number;
  /** Users they hold together (Infinity when one of them advertises none: an older version). */
  users: number;
  /** Users the dispatched (running or stopping) case runs ask for. */
  usersInUse: number;
}

/** The live capacity, read in one statement (the API's admission and the reconcile pass read it). */
export async function liveCapacity(db: Queryable): Promise<LiveCapacity> {
  const [row] = await db.query<{ workers: number; users: string | null; unknown: number; in_use: string }>(
    `select count(*)::int as workers,
            sum(threads::bigint * users_per_thread) as users,
            count(*) filter (where users_per_thread is null)::int as unknown,
            (select coalesce(sum(users), 0) from case_runs where status in ${SQL.dispatched}) as in_use
       from workers where stopped_at is null`,
  );
  return {
    workers: row.workers,
    users: row.unknown > 0 ? Infinity : Number(row.users ?? 0),
    usersInUse: Number(row.in_use),
  };
}

/** The run limits every reconcile pass applies, whichever process runs it. */
export interface RunLimits {
  maxRunsAtOnce: number;
}

/** Records the run limits of this server's configuration for every reconciling process. */
export async function recordRunLimits(db: Queryable, limits: RunLimits): Promise<void> {
  await db.query(
    `insert into run_limits(id, max_runs_at_once) values (1, $1)
     on conflict (id) do update set max_runs_at_once = excluded.max_runs_at_once, updated_at = now()`,
    [limits.maxRunsAtOnce],
  );
}

/**
 * The runs at once recorded, as a scalar subquery for a statement that reads more (a reconcile pass
 * reads it with the runs in use): null when no server recorded any (DEFAULT_MAX_RUNS_AT_ONCE then).
 */
export const MAX_RUNS_AT_ONCE_SQL = '(select max_runs_at_once from run_limits where id = 1)';
