/**
 * Runs end to end on the embedded server (PGlite, the in-process worker): start and stop through the
 * HTTP API, the task's run state, and the intervals agreeing with a local target's own count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStatus } from '@perftest/model';
import { expectErrorShape, startTestServer, type TestServer } from './helpers.js';
import {
  createTask,
  httpCase,
  recordedRequests,
  setTaskStatus,
  settled,
  startTarget,
  startTask,
  taskInfo,
  tpsStage,
  usersStage,
  waitForRunStatus,
  type CountingTarget,
} from './runs-fixtures.js';

describe('runs on the embedded server (PGlite, in-process worker)', () => {
  let server: TestServer;
  let target: CountingTarget;

  beforeAll(async () => {
    server = await startTestServer('pglite', { runs: { workers: 1 } });
    target = await startTarget();
  });
  afterAll(async () => {
    await server?.close();
    await target?.close();
  });

  it('runs a serial task (cases one after another) and records exactly what the target answered', async () => {
    const { client, db } = server;
    const cases = [
      httpCase('login', `${target.url}/login`, [usersStage(2, 1), usersStage(4, 1)]),
      httpCase('browse', `${target.url}/browse`, [tpsStage(40, 2, 10)], 0),
    ];
    const { suiteId, taskId, caseIds } = await createTask(client, cases, false);
    const before = target.count;
    const taskRunId = await startTask(client, suiteId, taskId);

    const running = await taskInfo(client, taskId);
    expect([RunStatus.Waiting, RunStatus.Running]).toContain(running.run_status);
    expect(running.related_temp_running_data).toHaveLength(2);
    const flat = {
      content_method_url: [`login-get#GET#${target.url}/login`],
      crawler_status: 0,
      related_temp_running_id: expect.any(Number),
      task_run_info_id: taskRunId,
      temp_id: caseIds[0],
      temp_name: 'login',
      temp_running_status: expect.any(Number),
    };
    // The reference's flat keys, and the same case run nested as the SDK's RelatedTempRunningData reads it.
    expect(running.related_temp_running_data[0]).toEqual({ ...flat, related_temp_running_data: [flat] });

    // Starting it again while it runs is a clean 409 naming the running task_run_id.
    const again = await setTaskStatus(client, suiteId, taskId, 9);
    expectErrorShape(again, 409);
    expect(again.body.error_msg).toContain(String(taskRunId));

    const end = await waitForRunStatus(client, taskId, [2, 3, 4], 20_000);
    expect(end.status).toBe(RunStatus.Finished);
    const info = await taskInfo(client, taskId);
    expect(info.related_temp_running_data.map((d: any) => d.temp_running_status)).toEqual([2, 2]);
    expect(info.related_temp_running_data.map((d: any) => d.temp_id)).toEqual(caseIds);

    const recorded = await recordedRequests(db, taskRunId);
    expect(recorded).toBe(target.count - before);
    expect(recorded).toBeGreaterThan(60); // 40 TPS for 2 s alone is 80

    // Serial: the second case started when the first had ended.
    const caseRuns = await db.query<{ start_at: Date; ended_at: Date }>(
      'select start_at, ended_at from case_runs where task_run_id = $1 order by position',
      [taskRunId],
    );
    expect(caseRuns[1].start_at.getTime()).toBeGreaterThanOrEqual(caseRuns[0].ended_at.getTime());
  });

  it('runs a parallel task (cases at once) and records exactly what the target answered', async () => {
    const { client, db } = server;
    const cases = [
      httpCase('a', `${target.url}/a`, [usersStage(3, 2)]),
      httpCase('b', `${target.url}/b`, [usersStage(1, 1), usersStage(2, 1)]),
      httpCase('c', `${target.url}/c`, [tpsStage(30, 2, 5)], 0),
    ];
    const { suiteId, taskId } = await createTask(client, cases, true);
    const before = target.count;
    const taskRunId = await startTask(client, suiteId, taskId);
    expect((await waitForRunStatus(client, taskId, [2, 3, 4], 20_000)).status).toBe(RunStatus.Finished);
    expect(await recordedRequests(db, taskRunId)).toBe(target.count - before);
    const starts = await db.query<{ start_at: Date }>('select start_at from case_runs where task_run_id = $1', [taskRunId]);
    expect(new Set(starts.map((s) => s.start_at.getTime())).size).toBe(1);
  });

  it('stops a running task: 5 then 4 within 2 s, and nothing reaches the target after', async () => {
    const { client, db } = server;
    const { suiteId, taskId } = await createTask(client, [httpCase('long', `${target.url}/long`, [usersStage(4, 30)], 100)], false);
    const before = target.count;
    const taskRunId = await startTask(client, suiteId, taskId);
    expect((await waitForRunStatus(client, taskId, [RunStatus.Running], 5_000)).status).toBe(RunStatus.Running);
    while (target.count - before < 20) await new Promise((r) => setTimeout(r, 50));

    const stoppedAt = Date.now();
    const stop = await setTaskStatus(client, suiteId, taskId, 2);
    expect(stop.status, stop.text).toBe(200);
    expect(stop.body.result).toEqual({ task_run_id: taskRunId });
    expect([RunStatus.Stopping, RunStatus.StoppedByUser]).toContain((await taskInfo(client, taskId)).run_status);
    const end = await waitForRunStatus(client, taskId, [2, 3, 4], 5_000);
    expect(end.status).toBe(RunStatus.StoppedByUser);
    expect(Date.now() - stoppedAt).toBeLessThan(2_000 + 500);
    const info = await taskInfo(client, taskId);
    expect(info.related_temp_running_data[0].temp_running_status).toBe(RunStatus.StoppedByUser);

    const answered = (await settled(() => target.count)) - before;
    const recorded = await recordedRequests(db, taskRunId);
    // The stop halts first: requests in flight complete within the grace and are recorded.
    expect(recorded).toBeGreaterThan(0);
    expect(recorded).toBe(answered);

    // Stopping a task that is not running is a clean 409.
    expectErrorShape(await setTaskStatus(client, suiteId, taskId, 2), 409);
  });

  it('refuses a case that cannot run with a 400 naming every problem, and records the attempt ended in 3', async () => {
    const { client, db } = server;
    const bad = { ...httpCase('bad', `${target.url}/x`, []), contents: [{ data_type: 0, content: [{ content_type: 2, content: { protocol_type: 1, method: 'GET' } }] }] };
    const { suiteId, taskId } = await createTask(client, [httpCase('good', `${target.url}/g`, [usersStage(1, 1)]), bad as never], false);
    const res = await setTaskStatus(client, suiteId, taskId, 9);
    expectErrorShape(res, 400);
    expect(res.body.error_code).toBe('CPTS.00000422');
    expect(res.body.error_msg).toContain('"bad"');
    expect(res.body.error_msg).toContain('stages');
    const info = await taskInfo(client, taskId);
    expect(info.run_status).toBe(RunStatus.Aborted);
    const [run] = await db.query<{ status: number; reason: string }>('select status, reason from task_runs where task_id = $1', [taskId]);
    expect(run.status).toBe(RunStatus.Aborted);
    expect(run.reason).toContain('stages');
  });

  it('answers 4xx for a task with no enabled case, a bad status, and another suite', async () => {
    const { client } = server;
    const { suiteId, taskId } = await createTask(client, [], false);
    expectErrorShape(await setTaskStatus(client, suiteId, taskId, 9), 400);
    const badStatus = await setTaskStatus(client, suiteId, taskId, 7);
    expectErrorShape(badStatus, 400);
    expect(badStatus.body.error_msg).toContain('status');
    expectErrorShape(await setTaskStatus(client, suiteId + 1000, taskId, 9), 404);
  });

  it('starts a task when the body leaves status out, as the reference example does', async () => {
    const { client } = server;
    const { suiteId, taskId } = await createTask(client, [httpCase('quick', `${target.url}/q`, [usersStage(1, 1)])], false);
    const res = await setTaskStatus(client, suiteId, taskId, undefined);
    expect(res.status, res.text).toBe(200);
    expect((await waitForRunStatus(client, taskId, [2, 3, 4], 10_000)).status).toBe(RunStatus.Finished);
  });
});
