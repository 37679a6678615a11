/**
 * Runs on Postgres with separate processes: the API (PERFTEST_WORKERS=0, dispatch only) and two
 * `apps/worker` processes. The intervals agree with the target's own count exactly, both workers
 * carry load, and a run survives a restart of the API in the middle.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RunStatus } from '@perftest/model';
import {
  createTask,
  describeOnPostgres,
  httpCase,
  missingSeconds,
  ProcessCluster,
  recordedRequests,
  requestsByWorker,
  setTaskStatus,
  settled,
  startTask,
  tpsStage,
  usersStage,
  waitForRunStatus,
} from './runs-fixtures.js';

const postgres = describeOnPostgres('runs-workers', 'run the API and separate workers on Postgres');

postgres('runs on Postgres with an API process and two worker processes', () => {
  let cluster: ProcessCluster;

  beforeAll(async () => {
    cluster = await ProcessCluster.start(2);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('runs a serial and a parallel task with several cases and stages: target count == recorded, both workers loaded', async () => {
    const { fresh, target, client, workers } = cluster;
    const serial = await createTask(
      client,
      [httpCase('s1', `${target.url}/s1`, [usersStage(2, 1), usersStage(4, 1)]), httpCase('s2', `${target.url}/s2`, [tpsStage(50, 2, 10)], 0)],
      false,
    );
    const parallel = await createTask(
      client,
      [httpCase('p1', `${target.url}/p1`, [usersStage(3, 1), usersStage(5, 1)]), httpCase('p2', `${target.url}/p2`, [tpsStage(40, 2, 10)], 0)],
      true,
      serial.suiteId,
    );
    const before = target.count;
    const serialRun = await startTask(client, serial.suiteId, serial.taskId);
    const parallelRun = await startTask(client, parallel.suiteId, parallel.taskId);
    expect((await waitForRunStatus(client, serial.taskId, [2, 3, 4], 20_000)).status).toBe(RunStatus.Finished);
    expect((await waitForRunStatus(client, parallel.taskId, [2, 3, 4], 20_000)).status).toBe(RunStatus.Finished);

    const recorded = (await recordedRequests(fresh.db, serialRun)) + (await recordedRequests(fresh.db, parallelRun));
    expect(recorded).toBe(target.count - before);
    expect(recorded).toBeGreaterThan(200);
    for (const run of [serialRun, parallelRun]) {
      const byWorker = await requestsByWorker(fresh.db, run);
      expect([...byWorker.keys()].sort()).toEqual(workers.map((w) => w.id).sort());
      for (const n of byWorker.values()) expect(n).toBeGreaterThan(10);
    }
  });

  it('stops a run on both workers: 5 then 4 within 2 s', async () => {
    const { fresh, target, client } = cluster;
    const { suiteId, taskId } = await createTask(client, [httpCase('stop', `${target.url}/stop`, [usersStage(4, 30)], 50)], false);
    const before = target.count;
    const taskRunId = await startTask(client, suiteId, taskId);
    expect((await waitForRunStatus(client, taskId, [RunStatus.Running], 5_000)).status).toBe(RunStatus.Running);
    while (target.count - before < 40) await new Promise((r) => setTimeout(r, 50));
    const stoppedAt = Date.now();
    const stop = await setTaskStatus(client, suiteId, taskId, 2);
    expect(stop.status, stop.text).toBe(200);
    expect((await waitForRunStatus(client, taskId, [2, 3, 4], 5_000)).status).toBe(RunStatus.StoppedByUser);
    expect(Date.now() - stoppedAt).toBeLessThan(2_500);
    const shares = await fresh.db.query<{ status: string }>(
      'select s.status from case_run_shares s join case_runs c on c.id = s.case_run_id where c.task_run_id = $1',
      [taskRunId],
    );
    expect(shares.map((s) => s.status)).toEqual(['stopped', 'stopped']);
    const answered = (await settled(() => target.count)) - before;
    const recorded = await recordedRequests(fresh.db, taskRunId);
    expect(answered - recorded).toBeGreaterThanOrEqual(0);
    expect(answered - recorded).toBeLessThanOrEqual(4); // in flight at the stop: at most one per user
  });

  it('finishes a run whose API is killed and restarted in the middle, with complete intervals', async () => {
    const { fresh, target } = cluster;
    const { suiteId, taskId } = await createTask(cluster.client, [httpCase('r', `${target.url}/r`, [usersStage(3, 5)], 50)], false);
    const before = target.count;
    const taskRunId = await startTask(cluster.client, suiteId, taskId);
    expect((await waitForRunStatus(cluster.client, taskId, [RunStatus.Running], 5_000)).status).toBe(RunStatus.Running);
    await new Promise((r) => setTimeout(r, 1_000));
    cluster.api.child.kill('SIGKILL');
    await new Promise((resolve) => cluster.api.child.once('exit', resolve));
    await cluster.startApi();

    expect((await waitForRunStatus(cluster.client, taskId, [2, 3, 4], 20_000)).status).toBe(RunStatus.Finished);
    expect(await recordedRequests(fresh.db, taskRunId)).toBe(target.count - before);
    const [caseRun] = await fresh.db.query<{ id: number }>('select id from case_runs where task_run_id = $1', [taskRunId]);
    expect(await missingSeconds(fresh.db, caseRun.id)).toEqual([]);
    const [{ seconds }] = await fresh.db.query<{ seconds: number }>('select count(distinct second)::int as seconds from intervals where case_run_id = $1', [
      caseRun.id,
    ]);
    expect(seconds).toBeGreaterThanOrEqual(5);
  });
});
