/**
 * The run queue of the reconcile pass (docs/run-lifecycle.md, "Queue and capacity"), without load:
 * runs beyond the runs at once and runs whose users do not fit the capacity left stay in 9 with the
 * reason, first come first served; they leave the queue as capacity frees; a queued run is never
 * ended by the no-worker wait; a run asking more than the live workers hold ends 3 after the wait.
 * Workers advertise their capacity from their memory budget on their row.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStatus } from '@perftest/model';
import type { Database } from '@perftest/store';
import { recordRunLimits, USER_BYTES, baseBytes, workerCapacity } from '../src/lifecycle/capacity.js';
import { reconcile } from '../src/lifecycle/reconcile.js';
import { stopTaskRun } from '../src/lifecycle/start-stop.js';
import { registerWorker } from '../src/lifecycle/workers.js';
import { httpCase, insertRun, openTestDatabase, usersStage } from './helpers.js';

const QUICK = { deadAfterMs: 60_000, noWorkerWaitMs: 300, leadMs: 100 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const backends = process.env.DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);
const run = (db: Database, users: number) => insertRun(db, [httpCase(`u${users}`, 'http://127.0.0.1:9/', [usersStage(users, 5)])], false);
/** A budget in MB whose one thread holds about `users` users, and what it holds exactly. */
const budgetFor = (users: number) => Math.round((baseBytes(1) + users * USER_BYTES) / 1024 / 1024);
const holds = (users: number) => workerCapacity(1, budgetFor(users)).usersPerThread;
/** Two passes: the first ends what ended, the second dispatches into the room made. */
const reconcileTwice = async (db: Database) => {
  await reconcile(db, QUICK);
  await reconcile(db, QUICK);
};

describe.each(backends)('run queue on %s', (backend) => {
  let db: Database;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    ({ db, drop } = await openTestDatabase(backend));
  });
  afterEach(() => drop());

  const states = async () =>
    db.query<{ id: number; status: number; queued: string | null; left: boolean }>(
      'select id, status, queued, ready_at is not null as left from task_runs order by id',
    );
  /** Ends the case runs of `taskRunId` as its workers would (their shares done). */
  const finish = async (taskRunId: number) => {
    await db.query(
      "update case_run_shares s set status = 'done' from case_runs c where c.id = s.case_run_id and c.task_run_id = $1",
      [taskRunId],
    );
  };

  it('advertises users and connections per thread from the memory budget', async () => {
    const mb = 1024 * 1024;
    expect(workerCapacity(1, 254)).toEqual({ memoryMb: 254, usersPerThread: Math.floor((254 * mb - baseBytes(1)) / USER_BYTES), connectionsPerThread: Math.floor((254 * mb - baseBytes(1)) / USER_BYTES) });
    expect(workerCapacity(1, 254).usersPerThread).toBe(10922);
    expect(workerCapacity(4, 100).usersPerThread).toBe(0);
    const id = await registerWorker(db, { threads: 2, embedded: false, memoryMb: 1024 });
    const [row] = await db.query<{ memory_mb: number; users_per_thread: number; connections_per_thread: number }>(
      'select memory_mb, users_per_thread, connections_per_thread from workers where id = $1',
      [id],
    );
    const expected = Math.floor((1024 * 1024 * 1024 - baseBytes(2)) / 2 / USER_BYTES);
    expect(row).toEqual({ memory_mb: 1024, users_per_thread: expected, connections_per_thread: expected });
  });

  it('keeps runs beyond the runs at once queued, first come first served, and dispatches them as runs end', async () => {
    await recordRunLimits(db, { maxRunsAtOnce: 2 });
    await registerWorker(db, { threads: 1, embedded: false, memoryMb: 1024 });
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await run(db, 1)).taskRunId);
    await reconcile(db, QUICK);
    expect(await states()).toEqual([
      { id: ids[0], status: RunStatus.Running, queued: null, left: true },
      { id: ids[1], status: RunStatus.Running, queued: null, left: true },
      { id: ids[2], status: RunStatus.Waiting, queued: 'queued: 2 runs at once, the most PERFTEST_MAX_RUNS_AT_ONCE allows (2)', left: false },
      { id: ids[3], status: RunStatus.Waiting, queued: `queued behind task run ${ids[2]}`, left: false },
    ]);
    // the no-worker wait passes: a queued run is not ended by it
    await sleep(400);
    expect((await reconcile(db, QUICK)).changes).toBe(0);
    await finish(ids[1]);
    await reconcileTwice(db);
    expect((await states()).map((s) => [s.status, s.queued])).toEqual([
      [RunStatus.Running, null],
      [RunStatus.Finished, null],
      [RunStatus.Running, null],
      [RunStatus.Waiting, 'queued: 2 runs at once, the most PERFTEST_MAX_RUNS_AT_ONCE allows (2)'],
    ]);
    await finish(ids[0]);
    await finish(ids[2]);
    await reconcileTwice(db);
    expect((await states()).map((s) => s.status)).toEqual([RunStatus.Finished, RunStatus.Finished, RunStatus.Finished, RunStatus.Running]);
  });

  it('stops a queued run at once (4), and the run behind it takes its place in the queue', async () => {
    await recordRunLimits(db, { maxRunsAtOnce: 1 });
    await registerWorker(db, { threads: 1, embedded: false, memoryMb: 1024 });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await run(db, 1)).taskRunId);
    await reconcile(db, QUICK);
    const [task] = await db.query<{ task_id: number }>('select task_id from task_runs where id = $1', [ids[1]]);
    expect(await stopTaskRun(db, task.task_id)).toBe(ids[1]);
    await reconcileTwice(db);
    expect((await states()).map((s) => [s.status, s.queued])).toEqual([
      [RunStatus.Running, null],
      [RunStatus.StoppedByUser, 'queued: 1 runs at once, the most PERFTEST_MAX_RUNS_AT_ONCE allows (1)'],
      [RunStatus.Waiting, 'queued: 1 runs at once, the most PERFTEST_MAX_RUNS_AT_ONCE allows (1)'],
    ]);
  });

  it('queues a run whose users do not fit what the running runs leave, ahead of later runs that would', async () => {
    await registerWorker(db, { threads: 1, embedded: false, memoryMb: budgetFor(100) });
    const capacity = holds(100);
    const a = (await run(db, capacity - 40)).taskRunId;
    const b = (await run(db, 50)).taskRunId;
    const c = (await run(db, 10)).taskRunId;
    await reconcile(db, QUICK);
    expect(await states()).toEqual([
      { id: a, status: RunStatus.Running, queued: null, left: true },
      { id: b, status: RunStatus.Waiting, queued: `queued: it asks 50 users at once, the live workers hold ${capacity} and the running runs take ${capacity - 40}`, left: false },
      { id: c, status: RunStatus.Waiting, queued: `queued behind task run ${b}`, left: false },
    ]);
    const [use] = await db.query<{ users: number }>('select users from case_runs where task_run_id = $1', [a]);
    expect(use.users).toBe(capacity - 40);
    await finish(a);
    await reconcileTwice(db);
    expect((await states()).map((s) => s.status)).toEqual([RunStatus.Finished, RunStatus.Running, RunStatus.Running]);
  });

  it('waits for a worker only once out of the queue, and ends a run the live workers cannot hold after the wait', async () => {
    // no live worker: the run takes its place at once and ends 3 after the wait, as before
    const lonely = (await run(db, 5)).taskRunId;
    await reconcile(db, QUICK);
    expect((await states())[0]).toMatchObject({ status: RunStatus.Waiting, queued: null, left: true });
    await sleep(400);
    await reconcile(db, QUICK);
    const [ended] = await db.query<{ status: number; reason: string }>('select status, reason from task_runs where id = $1', [lonely]);
    expect(ended).toEqual({ status: RunStatus.Aborted, reason: 'no worker: no live worker joined within 0.3 s to run it' });

    // the live workers shrank below what a run asks: it waits, then ends 3 saying so
    await registerWorker(db, { threads: 1, embedded: false, memoryMb: budgetFor(20) });
    const big = (await run(db, holds(20) + 1)).taskRunId;
    await reconcile(db, QUICK);
    await sleep(400);
    await reconcile(db, QUICK);
    const [row] = await db.query<{ status: number; reason: string }>('select status, reason from task_runs where id = $1', [big]);
    expect(row).toEqual({ status: RunStatus.Aborted, reason: `no capacity: it asks ${holds(20) + 1} users at once and the live workers hold ${holds(20)} (for 0.3 s)` });
  });
});
