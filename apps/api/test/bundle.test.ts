import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_AK, TEST_SK, TestClient } from './helpers.js';
import { startServer, type ServerProcess } from './processes.js';
import { SERVER_BUNDLE_DIR, SERVER_BUNDLE_MAIN } from '../src/bundle/server-build.js';
import { createTask, httpCase, PROJECT, startTarget, startTask, taskInfo, usersStage, waitForRunStatus, type CountingTarget } from './runs-fixtures.js';

/**
 * The server as `npx pnpm start` runs it: the bundle of src/bundle/server-build.ts on a fresh PGlite
 * directory with its in-process worker. It must find what the sources find relative to their own
 * files (the console and the report page), start its engine threads on the bundled thread entry,
 * and count exactly.
 */
describe('the bundled server (npx pnpm start)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'perftest-bundle-'));
  let server: ServerProcess | undefined;
  let target: CountingTarget | undefined;

  afterAll(async () => {
    await server?.stop();
    await target?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the console and the report page, runs a case on its engine thread and counts what the target received', async () => {
    server = await startServer(
      { PORT: '0', HOST: '127.0.0.1', PERFTEST_DATA_DIR: dataDir, LOG_LEVEL: 'warn', PERFTEST_WORKERS: '1', PERFTEST_AK: TEST_AK, PERFTEST_SK: TEST_SK },
      90_000,
      { bundle: true },
    );
    // the engine pool's threads load the bundled entry (a build-time constant), not the TypeScript one through tsx
    const bundled = readFileSync(SERVER_BUNDLE_MAIN, 'utf8');
    expect(bundled).toContain(JSON.stringify(join(SERVER_BUNDLE_DIR, 'thread-worker.js')));
    expect(bundled).not.toContain('BUNDLED_THREAD_ENTRY');
    expect(bundled).not.toContain('import.meta.url');
    const client = new TestClient(server.baseUrl, { kind: 'sign', ak: TEST_AK, sk: TEST_SK });
    const page = await client.get('/', { auth: { kind: 'none' } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div id="app">');
    const reportScript = await client.get('/console-report/report.js', { auth: { kind: 'none' } });
    expect(reportScript.status).toBe(200);
    expect(reportScript.text.length).toBeGreaterThan(10_000);

    target = await startTarget();
    const { suiteId, taskId } = await createTask(client, [httpCase('bundled', `${target.url}/bundled`, [usersStage(2, 2)], 20)], false);
    const taskRunId = await startTask(client, suiteId, taskId);
    expect((await waitForRunStatus(client, taskId, [2, 3], 30_000)).status).toBe(2);
    const caseRunId = (await taskInfo(client, taskId)).related_temp_running_data[0].related_temp_running_id as number;
    const report = await client.get(`/v1/${PROJECT}/task-run-infos/${taskRunId}/case-run-infos/${caseRunId}/reports`);
    expect(report.status, report.text).toBe(200);
    const requests = report.body.result.details.data[0].performance.requests as number;
    expect(requests).toBeGreaterThan(20);
    expect(requests).toBe(target.count);
  }, 120_000); // a first start runs initdb (processes.ts, startServer)
});
