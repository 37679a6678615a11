/**
 * Dropped starts in the reports: a TPS run (20/s for 3 s, 2 users) against a target that stalls its
 * first 1.5 s, through the API (PGlite, embedded worker). Some starts are dropped; the v1 report
 * (details' performance row, outline, the per-point `dropped_brokens`) and the merged v2 outline
 * carry exactly what the engine's stored intervals say, and no more starts than the stage scheduled;
 * the live stream's seconds add up to the same total, which its last `dropped_total` carries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStatus } from '@perftest/model';
import { startTestServer, type TestServer } from './helpers.js';
import { createTask, httpCase, liveIntervals, PROJECT, startStallingTarget, startTask, taskInfo, tpsStage, waitForRunStatus, type StallingTarget } from './runs-fixtures.js';

describe('starts dropped while every user waits on a stalled target', () => {
  let server: TestServer;
  let target: StallingTarget;
  let url = '';
  beforeAll(async () => {
    server = await startTestServer('pglite', { runs: { workers: 1 } });
    target = await startStallingTarget();
    url = target.url;
  });
  afterAll(async () => {
    await server?.close();
    await target?.close();
  });

  it('counts them per second and in total in the v1 report and the merged outline', async () => {
    const { client } = server;
    const { suiteId, taskId } = await createTask(client, [httpCase('stalled', url, [tpsStage(20, 3, 2)], 0)], false);
    const taskRunId = await startTask(client, suiteId, taskId);
    const live = liveIntervals(server, taskRunId);
    expect((await waitForRunStatus(client, taskId, [2, 3, 4], 30_000)).status).toBe(RunStatus.Finished);
    const [caseRun] = (await taskInfo(client, taskId)).related_temp_running_data;
    const res = await client.get(`/v1/${PROJECT}/task-run-infos/${taskRunId}/case-run-infos/${caseRun.related_temp_running_id}/reports`);
    expect(res.status, res.text).toBe(200);
    const { outline, details, brokens } = res.body.result;
    const performance = details.data[0].performance;
    const [stored] = await server.db.query<{ started: string; dropped: string }>(
      `select sum((i.data->>'started')::bigint) as started, sum((i.data->>'dropped')::bigint) as dropped
         from intervals i join case_runs r on r.id = i.case_run_id where r.task_run_id = $1`,
      [taskRunId],
    );
    expect(performance.droppedStarts).toBeGreaterThan(0);
    expect(performance.droppedStarts).toBe(Number(stored.dropped));
    expect(performance.startedIterations).toBe(Number(stored.started));
    // 20/s for 3 s: every intended start is started or dropped, those still waiting at the end too
    expect(performance.startedIterations + performance.droppedStarts).toBe(60);
    expect(performance.transactions).toBe(performance.startedIterations);
    expect(outline.droppedStarts).toBe(performance.droppedStarts);
    const perPoint: number[] = brokens.dropped_brokens.dropped;
    expect(perPoint).toHaveLength(brokens.commonTimestamps.length);
    expect(perPoint.reduce((a, b) => a + b, 0)).toBe(performance.droppedStarts);
    expect(outline.droppedStartsMaxPerSecond).toBe(Math.max(...perPoint));
    expect(performance.droppedStartsMaxPerSecond).toBe(outline.droppedStartsMaxPerSecond);

    const seconds = await live;
    expect(seconds.reduce((sum, e) => sum + e.dropped, 0)).toBe(performance.droppedStarts);
    expect(seconds.at(-1)?.dropped_total).toBe(performance.droppedStarts);

    const merged = await client.get(`/v2/${PROJECT}/task-run-infos/${taskRunId}/reports/log-outline`);
    expect(merged.status, merged.text).toBe(200);
    const core = merged.body.result.outline.core_index;
    expect(core.dropped_starts).toBe(performance.droppedStarts);
    expect(core.max_dropped_starts_per_second).toBe(outline.droppedStartsMaxPerSecond);
  }, 40_000);
});
