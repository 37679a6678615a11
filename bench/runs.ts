/**
 * bench:runs — what a client feels of runs, on the real processes:
 *
 *  1. start latency: from the start call (POST .../tasks/{id}, status 9) to the first request at the
 *     target, over --starts runs of a one-user, one-second task;
 *  2. API latency under load: CRUD calls (a signed GET of a task and a signed POST of a test suite,
 *     alternating, --crud-rate per second, one at a time) while a --tps run of --seconds streams its
 *     intervals; p50/p99/max over the calls made after the run's first second (--tps 0 skips it);
 *  3. ingestion (Postgres): --ingest-workers interval writers (each its own connection pool, as
 *     separate workers have) each writing --ingest-shares shares of intervals of 10 request cards
 *     with real HDR histograms, at --ingest-speed times real time (one interval per share per
 *     second / speed), for --ingest-seconds; rows per second and insert (flush) latencies.
 *
 * Setups: "embedded" = the server (`apps/api/src/main.ts`) on PGlite with its in-process worker
 * (PERFTEST_WORKERS = --threads); "postgres" (when DATABASE_URL is set) = the server with
 * PERFTEST_WORKERS=0 and --workers separate `apps/worker` processes (PERFTEST_WORKER_THREADS=1) on a
 * fresh database of that server. The target is a node:http server in a child process of its own,
 * reporting its first request after each reset and its count. Everything stays on 127.0.0.1.
 *
 *   pnpm bench:runs [--only embedded|postgres|ingest] [--starts 5] [--tps 5000] [--seconds 20]
 *                   [--threads 2] [--workers 2] [--crud-rate 20] [--ingest-workers 10]
 *                   [--ingest-shares 3] [--ingest-speed 10] [--ingest-seconds 10]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CardType, ContentType, OperateMode, PressureMode, ProtocolType, type CaseInfoDetail, type TestCaseStage } from '../packages/model/src/index.js';
import { IntervalRecorder } from '../packages/engine/src/index.js';
import { IntervalWriter } from '../packages/runner/src/index.js';
import { openDatabase } from '../packages/store/src/index.js';
import { freshDatabase, TEST_AK, TEST_SK, TestClient } from '../apps/api/test/helpers.js';
import { startServer, type ServerProcess } from '../apps/api/test/processes.js';
import { startWorkerProcess, type WorkerProcess } from '../apps/api/test/runs-fixtures.js';

const PROJECT = 'bench-runs';

/** A flag's value from argv. */
function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

// ---------------------------------------------------------------------------------------------
// The target, in a child process: answers 200 at once, counts, and reports its first request.

/** What the target child tells the bench. */
type TargetEvent = { type: 'listening'; port: number } | { type: 'first'; at: number } | { type: 'count'; count: number };

function runTarget(): void {
  let count = 0;
  let armed = false;
  const server = createServer((req, res) => {
    count++;
    if (armed) {
      armed = false;
      process.send!({ type: 'first', at: Date.now() } satisfies TargetEvent);
    }
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
  });
  server.keepAliveTimeout = 60_000;
  process.on('message', (message: { type: 'arm' | 'count' }) => {
    if (message.type === 'arm') armed = true;
    else process.send!({ type: 'count', count } satisfies TargetEvent);
  });
  server.listen(0, '127.0.0.1', () => process.send!({ type: 'listening', port: (server.address() as AddressInfo).port } satisfies TargetEvent));
}

/** The bench's handle on the target child. */
class Target {
  url = '';
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<Target> {
    const child = fork(fileURLToPath(import.meta.url), ['target'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const target = new Target(child);
    const { port } = (await target.next('listening')) as { port: number };
    target.url = `http://127.0.0.1:${port}`;
    return target;
  }

  /** Resolves with the epoch ms of the next request. */
  firstRequest(): Promise<number> {
    this.child.send({ type: 'arm' });
    return this.next('first').then((e) => (e as { at: number }).at);
  }

  async count(): Promise<number> {
    this.child.send({ type: 'count' });
    return ((await this.next('count')) as { count: number }).count;
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }

  private next(type: TargetEvent['type']): Promise<TargetEvent> {
    return new Promise((resolve) => {
      const on = (event: TargetEvent): void => {
        if (event.type !== type) return;
        this.child.off('message', on);
        resolve(event);
      };
      this.child.on('message', on);
    });
  }
}

// ---------------------------------------------------------------------------------------------

function httpCase(name: string, url: string, stage: TestCaseStage, thinkMs: number): CaseInfoDetail {
  return {
    name,
    contents: [
      {
        data_type: CardType.Request,
        content: [
          { content_type: ContentType.Packet, content: { protocol_type: ProtocolType.Http, name, method: 'GET', url } },
          ...(thinkMs > 0 ? [{ content_type: ContentType.ThinkTime, content: { think_time: thinkMs } }] : []),
        ],
      },
    ],
    stages: [stage],
  } as CaseInfoDetail;
}

async function ok(res: Promise<{ status: number; text: string; body: any }>, status: number): Promise<any> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.text}`);
  return r.body;
}

/** Creates a suite and a one-case task; returns their ids. */
async function createTask(client: TestClient, kase: CaseInfoDetail): Promise<{ suiteId: number; taskId: number }> {
  const suite = await ok(client.post(`/v1/${PROJECT}/test-suites`, { name: `suite-${kase.name}-${Date.now()}` }), 201);
  const task = await ok(client.post(`/v1/${PROJECT}/tasks`, { name: `task-${kase.name}`, project_id: suite.project_id, parallel: false }), 201);
  await ok(client.post(`/v1/${PROJECT}/task-cases`, { ...kase, type: 0, task_id: task.task_id }), 201);
  return { suiteId: suite.project_id, taskId: task.task_id };
}

const startBody = { cluster_id: 0, cluster_type: 'shared-cluster-internet', without_package: 0, network_info: { network_type: 'internet' } };

async function waitEnded(client: TestClient, taskId: number, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const info = (await ok(client.get(`/v1/${PROJECT}/tasks/${taskId}`), 200)).taskInfo;
    if ([2, 3, 4].includes(info.run_status) || Date.now() > until) return info.run_status as number;
    await sleep(100);
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

/** Start latency over `starts` runs of a one-user, one-second task. */
async function startLatency(client: TestClient, target: Target, starts: number): Promise<number[]> {
  const { suiteId, taskId } = await createTask(client, httpCase('latency', `${target.url}/latency`, {
    name: 'one', pressure_mode: PressureMode.Concurrency, operate_mode: OperateMode.ByDuration, time: 1, issue_num: 1,
  }, 100));
  const latencies: number[] = [];
  for (let i = 0; i < starts; i++) {
    const first = target.firstRequest();
    const t0 = Date.now();
    await ok(client.post(`/v1/${PROJECT}/test-suites/${suiteId}/tasks/${taskId}`, { ...startBody, status: 9 }), 200);
    latencies.push((await first) - t0);
    await waitEnded(client, taskId, 20_000);
  }
  return latencies;
}

/** CRUD latencies while a `tps` run of `seconds` streams its intervals. */
async function crudUnderLoad(client: TestClient, target: Target, tps: number, seconds: number, crudRate: number) {
  const { suiteId, taskId } = await createTask(client, httpCase('load', `${target.url}/load`, {
    name: 'tps', pressure_mode: PressureMode.Tps, operate_mode: OperateMode.ByDuration, time: seconds, tps_value: tps, issue_num: Math.max(50, tps / 20),
  }, 0));
  const probe = (await createTask(client, httpCase('probe', `${target.url}/probe`, {
    name: 'p', pressure_mode: PressureMode.Concurrency, operate_mode: OperateMode.ByDuration, time: 1, issue_num: 1,
  }, 0))).taskId;
  const before = await target.count();
  const first = target.firstRequest();
  await ok(client.post(`/v1/${PROJECT}/test-suites/${suiteId}/tasks/${taskId}`, { ...startBody, status: 9 }), 200);
  const startedAt = await first;
  await sleep(1_000);
  const latencies: number[] = [];
  let failed = 0;
  const endAt = startedAt + seconds * 1000 - 500;
  for (let i = 0; Date.now() < endAt; i++) {
    const due = performance.now() + 1000 / crudRate;
    const t = performance.now();
    const res = i % 2 === 0 ? await client.get(`/v1/${PROJECT}/tasks/${probe}`) : await client.post(`/v1/${PROJECT}/test-suites`, { name: `crud-${i}` });
    latencies.push(performance.now() - t);
    if (res.status >= 300) failed++;
    await sleep(Math.max(0, due - performance.now()));
  }
  const status = await waitEnded(client, taskId, 60_000);
  const answered = (await target.count()) - before;
  latencies.sort((a, b) => a - b);
  return { status, answered, achievedTps: answered / seconds, calls: latencies.length, failed, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: latencies.at(-1) ?? Number.NaN };
}

async function bench(setup: string, client: TestClient, target: Target): Promise<void> {
  const starts = Number(arg('starts', '5'));
  const latencies = await startLatency(client, target, starts);
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(`${setup}: start latency ms over ${starts} starts: ${latencies.join(', ')} (median ${quantile(sorted, 0.5)}, max ${sorted.at(-1)})`);
  const tps = Number(arg('tps', '5000'));
  if (tps === 0) return;
  const seconds = Number(arg('seconds', '20'));
  const crud = await crudUnderLoad(client, target, tps, seconds, Number(arg('crud-rate', '20')));
  console.log(
    `${setup}: ${tps} TPS run for ${seconds} s (ended ${crud.status}; target answered ${crud.answered}, ${crud.achievedTps.toFixed(0)}/s): ` +
      `${crud.calls} CRUD calls, failed ${crud.failed}, p50 ${crud.p50.toFixed(1)} ms, p99 ${crud.p99.toFixed(1)} ms, max ${crud.max.toFixed(1)} ms`,
  );
}

/** One realistic interval: 10 request cards with 500 requests each over a spread of response times. */
function sampleInterval(second: number) {
  const keys = Array.from({ length: 10 }, (_, i) => `card-${i}`);
  const recorder = new IntervalRecorder();
  for (const key of keys) {
    for (let i = 0; i < 500; i++) {
      const result = { outcome: 'success' as const, status: 200, responseTimeUs: 500 + ((i * 7919) % 200_000), sentBytes: 120, recBytes: 800 };
      recorder.request(key, result);
      recorder.iteration({ ...result, ok: true });
    }
  }
  const interval = recorder.flush(second, 250, 5000, 0, 0);
  recorder.close();
  return interval;
}

/** Interval ingestion of `workers` writers on the Postgres database at `url`. */
async function ingest(url: string): Promise<void> {
  const workers = Number(arg('ingest-workers', '10'));
  const shares = Number(arg('ingest-shares', '3'));
  const speed = Number(arg('ingest-speed', '10'));
  const seconds = Number(arg('ingest-seconds', '10'));
  const setupDb = await openDatabase({ databaseUrl: url, dataDir: '' });
  const [suite] = await setupDb.query<{ id: number }>("insert into test_suites(project, name) values ('ingest', 'ingest') returning id");
  const [task] = await setupDb.query<{ id: number }>("insert into tasks(test_suite_id, name) values ($1, 'ingest') returning id", [suite.id]);
  const [run] = await setupDb.query<{ id: number }>("insert into task_runs(task_id, test_suite_id, name, parallel, status) values ($1, $2, 'ingest', true, 0) returning id", [task.id, suite.id]);
  const caseRuns: number[] = [];
  for (let c = 0; c < shares; c++) {
    const [row] = await setupDb.query<{ id: number }>("insert into case_runs(task_run_id, position, name, status, input) values ($1, $2, 'c', 0, '{}') returning id", [run.id, c + 1]);
    caseRuns.push(row.id);
    for (let w = 0; w < workers; w++) {
      await setupDb.query('insert into case_run_shares(case_run_id, share_index, share_count, worker_id, status) values ($1, $2, $3, $4, $5)', [row.id, w, workers, `w${w}`, 'running']);
    }
  }
  const template = sampleInterval(0);
  const bytes = JSON.stringify(template).length;
  const dbs = await Promise.all(Array.from({ length: workers }, () => openDatabase({ databaseUrl: url, dataDir: '', poolSize: 4 })));
  const flushes: number[] = [];
  const ticks = seconds * speed;
  const started = performance.now();
  await Promise.all(
    dbs.map(async (db, w) => {
      const writer = new IntervalWriter(db, undefined, 60_000);
      for (let t = 0; t < ticks; t++) {
        const due = started + ((t + 1) * 1000) / speed;
        for (const caseRunId of caseRuns) writer.add({ case_run_id: caseRunId, share_index: w, worker_id: `w${w}`, second: t, data: { ...template, second: t } });
        const f = performance.now();
        await writer.flush();
        flushes.push(performance.now() - f);
        await sleep(Math.max(0, due - performance.now()));
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const [{ n }] = await setupDb.query<{ n: number }>('select count(*)::int as n from intervals');
  flushes.sort((a, b) => a - b);
  console.log(
    `ingest (postgres): ${workers} writers x ${shares} shares at ${speed}x real time for ${elapsed.toFixed(1)} s: ${n} rows of ${(bytes / 1024).toFixed(1)} KiB ` +
      `(${(n / elapsed).toFixed(0)} rows/s, expected ${workers * shares * speed}/s); insert p50 ${quantile(flushes, 0.5).toFixed(1)} ms, ` +
      `p99 ${quantile(flushes, 0.99).toFixed(1)} ms, max ${(flushes.at(-1) ?? 0).toFixed(1)} ms`,
  );
  await Promise.all(dbs.map((db) => db.close()));
  await setupDb.close();
}

async function main(): Promise<void> {
  const only = arg('only', '');
  const target = await Target.start();
  const env = { PERFTEST_AK: TEST_AK, PERFTEST_SK: TEST_SK, PORT: '0', LOG_LEVEL: 'warn' };
  try {
    if (only === '' || only === 'embedded') {
      const dataDir = mkdtempSync(join(tmpdir(), 'perftest-bench-runs-'));
      const threads = arg('threads', '2');
      const api: ServerProcess = await startServer({ ...env, PERFTEST_DATA_DIR: dataDir, PERFTEST_WORKERS: threads }, 60_000);
      try {
        await bench(`embedded (PGlite, in-process worker, ${threads} threads)`, new TestClient(api.baseUrl, { kind: 'sign', ak: TEST_AK, sk: TEST_SK }), target);
      } finally {
        await api.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    if ((only === '' || only === 'postgres') && process.env.DATABASE_URL) {
      const fresh = await freshDatabase('postgres');
      const count = Number(arg('workers', '2'));
      const api = await startServer({ ...env, DATABASE_URL: fresh.url as string, PERFTEST_WORKERS: '0' }, 60_000);
      const workers: WorkerProcess[] = await Promise.all(Array.from({ length: count }, () => startWorkerProcess(fresh.url as string, 1, 60_000)));
      try {
        await bench(`postgres (API + ${count} worker processes, 1 thread each)`, new TestClient(api.baseUrl, { kind: 'sign', ak: TEST_AK, sk: TEST_SK }), target);
      } finally {
        await Promise.all(workers.map((w) => w.kill('SIGTERM')));
        await api.stop();
        await fresh.drop();
      }
    } else if (only === 'postgres') {
      console.log('postgres: skipped (set DATABASE_URL)');
    }
    if ((only === '' || only === 'ingest') && process.env.DATABASE_URL) {
      const fresh = await freshDatabase('postgres');
      try {
        await ingest(fresh.url as string);
      } finally {
        await fresh.drop();
      }
    }
  } finally {
    target.stop();
  }
}

if (process.argv[2] === 'target') runTarget();
else void main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
