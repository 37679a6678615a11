/**
 * Live capacity and the run queue over HTTP (docs/run-lifecycle.md, "Queue and capacity"): the
 * embedded worker advertises what its budget holds; a start asking more users at once is a 400
 * naming PERFTEST_WORKER_MEMORY_MB with the asked and allowed values and records nothing; a start
 * beyond the runs at once answers at once and its run waits in 9 with `queue_position` and
 * `queue_reason` in taskInfo, then runs and sends its load.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerCapacity } from '@perftest/runner';
import { backends, expectErrorShape, startTestServer, type TestServer } from './helpers.js';
import {
  createTask,
  httpCase,
  recordedRequests,
  setTaskStatus,
  startTarget,
  startTask,
  taskInfo,
  usersStage,
  waitForRunStatus,
  type CountingTarget,
} from './runs-fixtures.js';

/** A budget of 200 MB on one thread. */
const MEMORY_MB = 200;
const HOLDS = workerCapacity(1, MEMORY_MB).usersPerThread;

describe.each(backends())('live capacity and the run queue on %s', (backend) => {
  let server: TestServer;
  let target: CountingTarget;
  beforeAll(async () => {
    target = await startTarget();
    server = await startTestServer(backend, { runs: { workers: 1, memoryMb: MEMORY_MB, maxRunsAtOnce: 1 } });
  });
  afterAll(async () => {
    await server?.close();
    await target?.close();
  });

  it('advertises the budget on the worker row and refuses a start asking more users than it holds', async () => {
    const [worker] = await server.db.query<{ memory_mb: number; users_per_thread: number; connections_per_thread: number }>(
      'select memory_mb, users_per_thread, connections_per_thread from workers where stopped_at is null',
    );
    expect(worker).toEqual({ memory_mb: MEMORY_MB, users_per_thread: HOLDS, connections_per_thread: HOLDS });
    expect(HOLDS).toBeGreaterThan(1000);
    const { suiteId, taskId } = await createTask(
      server.client,
      [httpCase('a', target.url, [usersStage(HOLDS, 5)]), httpCase('b', target.url, [usersStage(1, 5)])],
      true,
    );
    const before = await server.db.query('select id from task_runs');
    const res = await setTaskStatus(server.client, suiteId, taskId, 9);
    expectErrorShape(res, 400);
    expect(res.body.error_code).toBe('CPTS.00000410');
    expect(res.body.error_msg).toBe(
      `the users of the run of task ${taskId} (its cases in parallel) is ${HOLDS + 1}: the limit PERFTEST_WORKER_MEMORY_MB (what the 1 live worker can hold) allows at most ${HOLDS}`,
    );
    expect(await server.db.query('select id from task_runs')).toEqual(before);
    expect(target.count).toBe(0);
  });

  it('queues a start beyond the runs at once, shows its place and reason, and runs it when the first ends', async () => {
    const first = await createTask(server.client, [httpCase('first', target.url, [usersStage(2, 2)], 100)], false);
    const second = await createTask(server.client, [httpCase('second', target.url, [usersStage(2, 1)], 100)], false, first.suiteId);
    const third = await createTask(server.client, [httpCase('third', target.url, [usersStage(2, 1)], 100)], false, first.suiteId);
    const runs = [];
    for (const t of [first, second, third]) runs.push(await startTask(server.client, t.suiteId, t.taskId));
    // the next reconcile pass (within 250 ms) records why they wait
    const queued = async (taskId: number) => {
      for (let i = 0; i < 100; i++) {
        const info = await taskInfo(server.client, taskId);
        if (info.queue_position !== undefined || info.run_status !== 9) return info;
        await new Promise((r) => setTimeout(r, 50));
      }
      return taskInfo(server.client, taskId);
    };
    const info2 = await queued(second.taskId);
    const info3 = await queued(third.taskId);
    expect([info2.run_status, info2.queue_position, info2.queue_reason]).toEqual([
      9,
      1,
      'queued: 1 runs at once, the most PERFTEST_MAX_RUNS_AT_ONCE allows (1)',
    ]);
    expect([info3.run_status, info3.queue_position, info3.queue_reason]).toEqual([9, 2, `queued behind task run ${runs[1]}`]);
    for (const t of [first, second, third]) expect((await waitForRunStatus(server.client, t.taskId, [2, 3, 4], 30_000)).status).toBe(2);
    const done = await taskInfo(server.client, third.taskId);
    expect('queue_position' in done || 'queue_reason' in done).toBe(false);
    // one at a time, in the order started: each starts after the previous ended
    const rows = await server.db.query<{ id: number; start_at: Date; ended_at: Date }>(
      'select t.id, c.start_at, t.ended_at from task_runs t join case_runs c on c.task_run_id = t.id where t.id = any($1::bigint[]) order by t.id',
      [runs],
    );
    expect(rows.map((r) => Number(r.id))).toEqual(runs);
    for (let i = 1; i < rows.length; i++) expect(new Date(rows[i].start_at).getTime()).toBeGreaterThan(new Date(rows[i - 1].ended_at).getTime());
    for (const id of runs) expect(await recordedRequests(server.db, id)).toBeGreaterThan(0);
  });
});
