/**
 * The only worker of a run dies (Postgres, a separate process, kill -9): the API's dispatcher ends
 * the run in 3 within 15 s (10 s without heartbeat, then the next reconcile pass), keeping every
 * interval written so far.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RunStatus } from '@perftest/model';
import {
  createTask,
  describeOnPostgres,
  httpCase,
  ProcessCluster,
  recordedRequests,
  startTask,
  usersStage,
  waitForRunStatus,
} from './runs-fixtures.js';

const postgres = describeOnPostgres('runs-lost-worker', 'kill a separate worker on Postgres');

postgres('losing the only worker on Postgres (kill -9)', () => {
  let cluster: ProcessCluster;

  beforeAll(async () => {
    cluster = await ProcessCluster.start(1);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('ends the run in 3 within 15 s when its only worker is killed, keeping the data written so far', async () => {
    const { fresh, target, client } = cluster;
    const { suiteId, taskId } = await createTask(client, [httpCase('k', `${target.url}/k`, [usersStage(2, 60)], 50)], false);
    const before = target.count;
    const taskRunId = await startTask(client, suiteId, taskId);
    expect((await waitForRunStatus(client, taskId, [RunStatus.Running], 5_000)).status).toBe(RunStatus.Running);
    while (target.count - before < 20) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1_200)); // at least one interval flushed
    await cluster.workers[0].kill('SIGKILL');
    cluster.workers = [];

    const end = await waitForRunStatus(client, taskId, [2, 3, 4], 15_000);
    expect(end.status).toBe(RunStatus.Aborted);
    const [run] = await fresh.db.query<{ reason: string }>('select reason from task_runs where id = $1', [taskRunId]);
    expect(run.reason).toContain('no worker');
    expect(await recordedRequests(fresh.db, taskRunId)).toBeGreaterThan(0);
  });
});
