/**
 * A user stop loses no request (docs/run-lifecycle.md#stop): a users run against a local target on
 * port 0 that counts every request it receives, answers most after 150 ms and holds every fifth
 * until it closes, is stopped through the API while requests are held. The run halts, the requests in
 * flight that complete within the grace are recorded, the held ones are aborted when it is over and
 * counted as aborted: the report's requests plus its aborted requests are exactly what the target
 * received, in the v1 report, the merged v2 outline and the live stream. On PGlite and, with DATABASE_URL, Postgres.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStatus } from '@perftest/model';
import { backends, startTestServer, type TestServer } from './helpers.js';
import { createTask, httpCase, liveIntervals, PROJECT, recordedRequests, setTaskStatus, startTask, taskInfo, usersStage, waitForRunStatus } from './runs-fixtures.js';

describe.each(backends())('a stop through the API on %s', (backend) => {
  let server: TestServer;
  let target: http.Server;
  let url = '';
  const received = { total: 0, held: 0 };

  beforeAll(async () => {
    server = await startTestServer(backend, { runs: { workers: 1 } });
    target = http.createServer((req, res) => {
      req.resume();
      received.total++;
      if (received.total % 5 === 0) {
        received.held++;
        return;
      }
      setTimeout(() => res.end('ok'), 150);
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/count`;
  });
  afterAll(async () => {
    await server?.close();
    target?.closeAllConnections();
    await new Promise((resolve) => target?.close(resolve));
  });

  it('reports requests plus aborted requests equal to what the target received', async () => {
    const { client, db } = server;
    const { suiteId, taskId } = await createTask(client, [httpCase('slow', url, [usersStage(6, 60)], 0)], false);
    const taskRunId = await startTask(client, suiteId, taskId);
    const live = liveIntervals(server, taskRunId);
    while (received.held < 3) await new Promise((r) => setTimeout(r, 20));
    const asked = Date.now();
    const stop = await setTaskStatus(client, suiteId, taskId, 2);
    expect(stop.status, stop.text).toBe(200);
    expect((await waitForRunStatus(client, taskId, [2, 3, 4], 10_000)).status).toBe(RunStatus.StoppedByUser);
    // The grace (2 s) ran out on the held requests; the abort after it is prompt.
    expect(Date.now() - asked).toBeGreaterThanOrEqual(1_900);
    expect(Date.now() - asked).toBeLessThan(6_000);
    const receivedAtEnd = received.total;
    await new Promise((r) => setTimeout(r, 300));
    expect(received.total).toBe(receivedAtEnd);

    const [caseRun] = (await taskInfo(client, taskId)).related_temp_running_data;
    const res = await client.get(`/v1/${PROJECT}/task-run-infos/${taskRunId}/case-run-infos/${caseRun.related_temp_running_id}/reports`);
    expect(res.status, res.text).toBe(200);
    const { outline, details } = res.body.result;
    const performance = details.data[0].performance;
    expect(performance.requests).toBe(await recordedRequests(db, taskRunId));
    expect(performance.abortedRequests).toBe(received.held);
    expect(outline.abortedRequests).toBe(received.held);
    expect(performance.requests).toBeGreaterThan(10);
    expect(performance.requests + performance.abortedRequests).toBe(received.total);
    // Every recorded request completed: none failed because the stop cut it.
    expect(performance.successCount).toBe(performance.requests);

    const merged = await client.get(`/v2/${PROJECT}/task-run-infos/${taskRunId}/reports/log-outline`);
    expect(merged.status, merged.text).toBe(200);
    const core = merged.body.result.outline.core_index;
    expect(core.request_count + core.aborted_requests).toBe(received.total);

    // The live stream's seconds carry the same: their requests, and the aborted ones in the last.
    const frames = await live;
    expect(frames.reduce((sum, f) => sum + f.rps, 0)).toBe(performance.requests);
    expect(frames.reduce((sum, f) => sum + f.aborted, 0)).toBe(received.held);
  }, 40_000);
});
