/**
 * The only worker of a run dies (Postgres, a separate process, kill -9): the API's dispatcher ends
 * the run in 3 within 15 s (10 s without heartbeat, then the next reconcile pass), keeping every
 * interval written so far.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStatus } from '@perftest/model';
import { freshDatabase, TEST_AK, TEST_SK, TestClient } from './helpers.js';
import { startServer, type ServerProcess } from './processes.js';
import {
  createTask,
  httpCase,
  recordedRequests,
  startTarget,
  startTask,
  startWorkerProcess,
  usersStage,
  waitForRunStatus,
  type CountingTarget,
  type WorkerProcess,
} from './runs-fixtures.js';

const postgres = process.env.DATABASE_URL ? describe : describe.skip;
if (!process.env.DATABASE_URL) {
  console.warn('runs-lost-worker: skipped (set DATABASE_URL=postgres://... to kill a separate worker on Postgres)');
}

postgres('losing the only worker on Postgres (kill -9)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let api: ServerProcess;
  let client: TestClient;
  let workers: WorkerProcess[] = [];
  let target: CountingTarget;

  beforeAll(async () => {
    fresh = await freshDatabase('postgres');
    target = await startTarget();
    api = await startServer({
      DATABASE_URL: fresh.url as string,
      PERFTEST_WORKERS: '0',
      PERFTEST_AK: TEST_AK,
      PERFTEST_SK: TEST_SK,
      PORT: '0',
      LOG_LEVEL: 'warn',
    });
    client = new TestClient(api.baseUrl, { kind: 'sign', ak: TEST_AK, sk: TEST_SK });
    workers = [await startWorkerProcess(fresh.url as string)];
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await api?.stop();
    await target?.close();
    await fresh?.drop();
  });

  it('ends the run in 3 within 15 s when its only worker is killed, keeping the data written so far', async () => {
    const { suiteId, taskId } = await createTask(client, [httpCase('k', `${target.url}/k`, [usersStage(2, 60)], 50)], false);
    const before = target.count;
    const taskRunId = await startTask(client, suiteId, taskId);
    expect((await waitForRunStatus(client, taskId, [RunStatus.Running], 5_000)).status).toBe(RunStatus.Running);
    while (target.count - before < 20) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1_200)); // at least one interval flushed
    await workers[0].kill('SIGKILL');
    workers = [];

    const end = await waitForRunStatus(client, taskId, [2, 3, 4], 15_000);
    expect(end.status).toBe(RunStatus.Aborted);
    const [run] = await fresh.db.query<{ reason: string }>('select reason from task_runs where id = $1', [taskRunId]);
    expect(run.reason).toContain('no worker');
    expect(await recordedRequests(fresh.db, taskRunId)).toBeGreaterThan(0);
  });
});
