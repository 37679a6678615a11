/**
 * Dropped starts in the history (issue 12 item 5): a TPS task (20/s for 3 s, 2 users) against a
 * target that stalls its first 1.5 s, run twice through the API. Each run's history entry carries
 * `dropped_starts`, and the merged case list each case run's `droppedStarts`, equal to the v1
 * report's `droppedStarts`: first summed from the interval rows, then, once the run is rolled up
 * and its rows are gone, read from the rollup. On PGlite and, with DATABASE_URL, Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStatus } from '@perftest/model';
import { RollupJob } from '../src/reports/rollup-job.js';
import { backends, startTestServer, type TestServer } from './helpers.js';
import { createTask, httpCase, PROJECT, startStallingTarget, startTask, taskInfo, tpsStage, waitForRunStatus, type StallingTarget } from './runs-fixtures.js';

describe.each(backends())('dropped starts in the history on %s', (backend) => {
  let server: TestServer;
  let target: StallingTarget;
  let url = '';
  beforeAll(async () => {
    server = await startTestServer(backend, { runs: { workers: 1 } });
    target = await startStallingTarget();
    url = target.url;
  });
  afterAll(async () => {
    await server?.close();
    await target?.close();
  });

  it('carries each run\'s dropped starts, from the intervals and then from the rollup', async () => {
    const { client, db } = server;
    const { suiteId, taskId } = await createTask(client, [httpCase('stalled', url, [tpsStage(20, 3, 2)], 0)], false);
    const runs: Array<{ taskRunId: number; caseRunId: number; dropped: number }> = [];
    for (let i = 0; i < 2; i++) {
      target.restall();
      const taskRunId = await startTask(client, suiteId, taskId);
      expect((await waitForRunStatus(client, taskId, [2, 3, 4], 30_000)).status).toBe(RunStatus.Finished);
      const caseRunId = (await taskInfo(client, taskId)).related_temp_running_data[0].related_temp_running_id as number;
      const report = await client.get(`/v1/${PROJECT}/task-run-infos/${taskRunId}/case-run-infos/${caseRunId}/reports`);
      expect(report.status, report.text).toBe(200);
      const dropped = report.body.result.outline.droppedStarts as number;
      expect(dropped).toBeGreaterThan(0);
      runs.push({ taskRunId, caseRunId, dropped });
    }
    const expectDropped = async (): Promise<void> => {
      const history = await client.get(`/v1/${PROJECT}/tasks/history-run-list/${taskId}`);
      expect(history.status, history.text).toBe(200);
      expect(history.body.log_list.map((e: { run_id: number; dropped_starts: number }) => [e.run_id, e.dropped_starts])).toEqual(
        runs.map((r) => [r.taskRunId, r.dropped]).reverse(),
      );
      for (const run of runs) {
        const cases = await client.get(`/v2/${PROJECT}/task-run-infos/${run.taskRunId}/cases`);
        expect(cases.status, cases.text).toBe(200);
        expect(cases.body.result.case_aw_info_list.map((c: { droppedStarts: number }) => c.droppedStarts)).toEqual([run.dropped]);
      }
    };
    // The figures summed from the interval rows: the runs are not rolled up yet, or (the server's
    // job may have been quick) their rollups count no dropped starts, as one written before did.
    await db.query('update report_rollups set dropped_starts = null where case_run_id = any($1::bigint[])', [runs.map((r) => r.caseRunId)]);
    await expectDropped();
    // Rolled up (grace 0), and the rows gone: the figures come from the rollups.
    await db.query('delete from report_rollups where case_run_id = any($1::bigint[])', [runs.map((r) => r.caseRunId)]);
    await new RollupJob(db, { graceSeconds: 0 }).runOnce();
    const rollups = await db.query<{ dropped_starts: string }>('select dropped_starts from report_rollups where case_run_id = any($1::bigint[]) order by case_run_id', [
      runs.map((r) => r.caseRunId),
    ]);
    expect(rollups.map((r) => Number(r.dropped_starts))).toEqual(runs.map((r) => r.dropped));
    await db.query('delete from intervals where case_run_id = any($1::bigint[])', [runs.map((r) => r.caseRunId)]);
    await expectDropped();
  }, 60_000);
});
