/**
 * GET /metrics during and after a real run (embedded worker, local counting target): the text
 * parses, the named series are there with the run's values (users, TPS and errors of the second the
 * scrape reports equal its stored intervals; quantiles in seconds; workers, runs by status, the
 * API's requests by route pattern), the case-run series are gone once the run has ended, and who may
 * scrape follows PERFTEST_METRICS_AUTH. On Postgres, a separate worker process serves its own
 * metrics on PERFTEST_METRICS_PORT.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKED_STATS } from '@perftest/model';
import { createAccount } from '../src/auth/accounts.js';
import { buildServer } from '../src/server.js';
import { backends, expectErrorShape, freshDatabase, startTestServer, type TestServer } from './helpers.js';
import { createTask, describeOnPostgres, httpCase, PROJECT, startTarget, startTask, taskInfo, tpsStage, waitForRunStatus, type CountingTarget } from './runs-fixtures.js';
import { cleanEnv, REPO_ROOT } from './processes.js';

/** One sample of the exposition: metric name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (every sample line; HELP/TYPE comments checked for each name). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) typed.add(line.split(' ')[2]);
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
    const base = match[1].replace(/_(bucket|sum|count)$/, '');
    if (!typed.has(match[1]) && !typed.has(base)) throw new Error(`sample without # TYPE: ${line}`);
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

describe.each(backends())('GET /metrics (%s)', (backend) => {
  let server: TestServer;
  let target: CountingTarget;
  beforeAll(async () => {
    server = await startTestServer(backend, { runs: { workers: 1 } });
    target = await startTarget();
  });
  afterAll(async () => {
    await server?.close();
    await target?.close();
  });

  it('exposes the running case run with the values of its stored intervals, then drops it', async () => {
    const { client, db } = server;
    const { suiteId, taskId } = await createTask(client, [httpCase('metered', `${target.url}/m`, [tpsStage(20, 6, 3)], 0)], false);
    const taskRunId = await startTask(client, suiteId, taskId);
    expect((await waitForRunStatus(client, taskId, [0], 20_000)).status).toBe(0);
    const caseRunId = (await taskInfo(client, taskId)).related_temp_running_data[0].related_temp_running_id as number;

    // a scrape whose reported second has rows: the figures equal that second's intervals
    let samples: Sample[] = [];
    let second = 0;
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const before = Math.floor(Date.now() / 1000);
      const res = await client.get('/metrics');
      expect(res.status, res.text).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      if (Math.floor(Date.now() / 1000) !== before) continue; // the scrape straddled a second: its second is unknown
      samples = parseMetrics(res.text);
      second = before - 2;
      if ((find(samples, 'perftest_case_run_tps')[0]?.value ?? 0) > 0) break;
    }
    const labels = { project: PROJECT, task_id: String(taskId), task: 'task-serial', case: 'metered', case_run: String(caseRunId) };
    const [row] = await db.query<{ users: number; requests: number; success: number }>(
      `select sum((data->>'users')::int)::int as users,
              sum((c.value->>${PACKED_STATS.requests})::int)::int as requests,
              sum((c.value->>${PACKED_STATS.success})::int)::int as success
         from intervals, jsonb_each(data->'cards') c where case_run_id = $1 and second = $2`,
      [caseRunId, second],
    );
    expect(row.requests).toBeGreaterThan(0);
    expect(find(samples, 'perftest_case_run_tps', labels).map((s) => s.value)).toEqual([row.success]);
    expect(find(samples, 'perftest_case_run_rps', labels).map((s) => s.value)).toEqual([row.requests]);
    expect(find(samples, 'perftest_case_run_errors', labels).map((s) => s.value)).toEqual([row.requests - row.success]);
    expect(find(samples, 'perftest_case_run_users', labels).map((s) => s.value)).toEqual([row.users]);
    const quantiles = find(samples, 'perftest_case_run_response_time_seconds', labels);
    expect(quantiles.map((s) => s.labels.quantile)).toEqual(['0.5', '0.9', '0.99']);
    expect(quantiles.every((s) => s.value > 0 && s.value < 5)).toBe(true);
    expect(quantiles[0].value).toBeLessThanOrEqual(quantiles[2].value);
    expect(find(samples, 'perftest_workers_live')[0].value).toBe(1);
    expect(find(samples, 'perftest_task_runs', { status: '0' })[0].value).toBe(1);
    expect(find(samples, 'perftest_case_runs', { status: '0' })[0].value).toBe(1);
    const metricsCalls = find(samples, 'perftest_http_requests_total', { method: 'GET', route: '/metrics', status: '200' })[0].value;
    expect(metricsCalls).toBeGreaterThanOrEqual(1);
    expect(find(samples, 'perftest_http_request_duration_seconds_count', { method: 'POST', route: '/v1/:project_id/task-cases' })[0].value).toBe(1);
    expect(find(samples, 'perftest_api_process_cpu_user_seconds_total')).toHaveLength(1);

    expect((await waitForRunStatus(client, taskId, [2, 3, 4], 30_000)).status).toBe(2);
    const after = parseMetrics((await client.get('/metrics')).text);
    expect(after.filter((s) => s.name.startsWith('perftest_case_run_'))).toEqual([]);
    expect(find(after, 'perftest_task_runs', { status: '2' })[0].value).toBe(1);
    expect(find(after, 'perftest_task_runs', { status: '0' })).toEqual([]);
    expect(find(after, 'perftest_http_requests_total', { method: 'GET', route: '/metrics', status: '200' })[0].value).toBeGreaterThan(metricsCalls);
    expect(taskRunId).toBeGreaterThan(0);
  });

  it('asks for a credential allowed on every project, or the scrape token, unless PERFTEST_METRICS_AUTH is none', async () => {
    expectErrorShape(await server.client.get('/metrics', { auth: { kind: 'none' } }), 401);
    const limited = await createAccount(server.db, `limited-${backend}`, ['one-project']);
    expectErrorShape(await server.client.get('/metrics', { auth: { kind: 'sign', ak: limited.accessKey, sk: limited.secretKey } }), 403);
    const open = await buildServer({ db: server.db, logLevel: 'warn', metricsAuth: 'none' });
    try {
      const res = await open.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(parseMetrics(res.body).some((s) => s.name === 'perftest_workers_live')).toBe(true);
    } finally {
      await open.close();
    }
    const token = 'scrape-token-0123456789';
    const tokened = await buildServer({ db: server.db, logLevel: 'warn', metricsAuth: 'token', metricsToken: token });
    try {
      const scrape = (authorization?: string) =>
        tokened.inject({ method: 'GET', url: '/metrics', headers: authorization === undefined ? {} : { authorization } });
      const ok = await scrape(`Bearer ${token}`);
      expect(ok.statusCode).toBe(200);
      expect(parseMetrics(ok.body).some((s) => s.name === 'perftest_workers_live')).toBe(true);
      for (const bad of [undefined, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, token, 'Bearer ']) {
        const res = await scrape(bad);
        expect(res.statusCode).toBe(401);
        expect(JSON.parse(res.body)).toMatchObject({ error_code: expect.stringMatching(/^CPTS\.\d{8}$/), error_msg: expect.stringContaining('PERFTEST_METRICS_TOKEN') });
        expect(res.body).not.toContain(token);
      }
    } finally {
      await tokened.close();
    }
  });
});

describeOnPostgres('metrics.test.ts', 'check a separate worker\'s metrics port')('worker metrics port (postgres)', () => {
  it('a separate worker serves its own metrics on PERFTEST_METRICS_PORT', async () => {
    const fresh = await freshDatabase('postgres');
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const worker = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../worker/src/main.ts', import.meta.url))], {
      cwd: REPO_ROOT,
      env: cleanEnv({
        DATABASE_URL: fresh.url as string,
        PERFTEST_WORKER_THREADS: '1',
        PERFTEST_METRICS_PORT: String(port),
        PERFTEST_METRICS_TOKEN: 'worker-scrape-token-01',
        LOG_LEVEL: 'warn',
      }),
    });
    try {
      let out = '';
      worker.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const until = Date.now() + 30_000;
      while (!out.includes('/metrics') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      const id = /perftest worker (\S+) joined/.exec(out)?.[1];
      expect(out).toContain(`perftest worker metrics on http://127.0.0.1:${port}/metrics`);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: 'Bearer worker-scrape-token-02' } })).status).toBe(401);
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: 'Bearer worker-scrape-token-01' } })).text();
      const samples = parseMetrics(text);
      expect(find(samples, 'perftest_worker_shares_running', { worker: id as string }).map((s) => s.value)).toEqual([0]);
      expect(find(samples, 'perftest_worker_threads', { worker: id as string }).map((s) => s.value)).toEqual([1]);
      expect(find(samples, 'perftest_worker_process_cpu_user_seconds_total')).toHaveLength(1);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
      await fresh.drop();
    }
  });
});
