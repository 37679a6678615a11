/**
 * A worker dying mid-run (Postgres, separate processes, kill -9): the live worker left takes the dead
 * one's share over after the 10 s heartbeat delay, resuming the timeline, and the run ends normally
 * with every second covered and the dead worker's intervals kept.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PACKED_STATS, RunStatus } from '@perftest/model';
import {
  createTask,
  describeOnPostgres,
  httpCase,
  missingSeconds,
  ProcessCluster,
  recordedRequests,
  settled,
  startTask,
  usersStage,
  waitForRunStatus,
} from './runs-fixtures.js';

const postgres = describeOnPostgres('runs-failover', 'kill separate workers on Postgres');

postgres('worker failover on Postgres (kill -9)', () => {
  let cluster: ProcessCluster;

  beforeAll(async () => {
    cluster = await ProcessCluster.start(2);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('gives the share of a killed worker to the other one; the run ends 2 with every second covered', async () => {
    const { fresh, target, client } = cluster;
    const { suiteId, taskId } = await createTask(client, [httpCase('f', `${target.url}/f`, [usersStage(4, 16)], 50)], false);
    const before = target.count;
    const taskRunId = await startTask(client, suiteId, taskId);
    expect((await waitForRunStatus(client, taskId, [RunStatus.Running], 5_000)).status).toBe(RunStatus.Running);
    while (target.count - before < 40) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 2_000)); // both workers have written intervals
    const [victim, survivor] = cluster.workers;
    await victim.kill('SIGKILL');
    cluster.workers = [survivor];

    const end = await waitForRunStatus(client, taskId, [2, 3, 4], 30_000);
    expect(end.status).toBe(RunStatus.Finished);
    const [caseRun] = await fresh.db.query<{ id: number }>('select id from case_runs where task_run_id = $1', [taskRunId]);
    const shares = await fresh.db.query<{ share_index: number; worker_id: string; status: string }>(
      'select share_index, worker_id, status from case_run_shares where case_run_id = $1 order by share_index',
      [caseRun.id],
    );
    expect(shares).toHaveLength(2);
    expect(shares.every((s) => s.worker_id === survivor.id && s.status === 'done')).toBe(true);

    // Rows of the dead worker are kept; the survivor wrote the taken-over share after the takeover.
    const rows = await fresh.db.query<{ share_index: number; worker_id: string; n: number }>(
      `select share_index, worker_id, sum((c.value->>${PACKED_STATS.requests})::bigint)::int as n
         from intervals i, jsonb_each(i.data->'cards') as c where i.case_run_id = $1 group by share_index, worker_id`,
      [caseRun.id],
    );
    const taken = shares.find((s) => rows.some((r) => r.share_index === s.share_index && r.worker_id === victim.id))!;
    expect(rows.find((r) => r.share_index === taken.share_index && r.worker_id === victim.id)!.n).toBeGreaterThan(0);
    expect(rows.find((r) => r.share_index === taken.share_index && r.worker_id === survivor.id)!.n).toBeGreaterThan(0);
    expect(await missingSeconds(fresh.db, caseRun.id)).toEqual([]);

    // Whatever the dead worker had not written yet is lost; nothing is counted twice.
    const answered = (await settled(() => target.count)) - before;
    expect(await recordedRequests(fresh.db, taskRunId)).toBeLessThanOrEqual(answered);
  });
});
