/**
 * bench:admission — the figures of issue 8 on the real server process as `npx pnpm start` runs it (apps/api/dist/main.js, PGlite
 * in a temporary directory, its in-process worker), each part on a fresh server:
 *
 *  1. million: a case of 1,000,000 users is saved (stage and run limits raised so that the save
 *     passes) and started against a worker budget of --memory-mb: the start's 400, its answer time
 *     and the server's RSS before and after (/proc);
 *  2. cards: bench:cards' run (bench/cards-bench.ts) of 10,000 cards, 1 user, 10 s: peak RSS, report
 *     read times;
 *  3. storm: 50 tasks (each 5 users for 3 s against a local target) started at once: each start's
 *     answer time; GET /health and signed CRUD (a task read and a test suite created, alternately),
 *     each one request at a time in a process of their own (bench/admission-probe.ts), while the
 *     starts are answered and until every run has ended: p50, p99, max; how each run ended (from
 *     the tables once the server is stopped);
 *  4. kill: a run of 10 users for 20 s, the server killed with SIGKILL 8 s in and started again on
 *     the same data directory: when the run ends against its planned end, its status and reason, the
 *     interruptions its case run records (`case_runs.interruptions`), the report's request count
 *     against what the target received.
 *
 *   npx pnpm bench:admission [--only million,cards,storm,kill] [--memory-mb 4096] [--starts 50] [--db pglite|postgres]
 *
 * With --db postgres (DATABASE_URL names the server) the million, cards and storm parts run on a
 * fresh database of it (the server still runs its in-process worker); the kill part is PGlite's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { CardType, ContentType, OperateMode, PACKED_STATS, PressureMode, ProtocolType, type CaseInfoDetail } from '../packages/model/src/index.js';
import { openDatabase } from '../packages/store/src/index.js';
import { freshDatabase, TEST_AK, TEST_SK, TestClient } from '../apps/api/test/helpers.js';
import { startServer, type ServerProcess } from '../apps/api/test/processes.js';
import type { ProbeData } from './admission-probe.js';
import { benchCards, memoryOf, ok } from './cards-bench.js';

const PROJECT = 'bench-admission';

/** A flag's value from argv. */
function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const ONLY = new Set(arg('only', 'million,cards,storm,kill').split(','));
const MEMORY_MB = arg('memory-mb', '4096');
const STARTS = Number(arg('starts', '50'));
/** The database of the million, cards and storm parts (the kill part is the embedded PGlite server's). */
const DB = arg('db', 'pglite') === 'postgres' ? 'postgres' : 'pglite';

/** A local target counting what it answered. */
async function startTarget(): Promise<{ url: string; count: () => number; close(): void }> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    count++;
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    count: () => count,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A case of one GET and a think time, one users stage. */
function httpCase(name: string, url: string, users: number, seconds: number, thinkMs: number): CaseInfoDetail {
  return {
    name,
    contents: [
      {
        data_type: CardType.Request,
        content: [
          { content_type: ContentType.Packet, content: { protocol_type: ProtocolType.Http, name, method: 'GET', url } },
          { content_type: ContentType.ThinkTime, content: { think_time: thinkMs } },
        ],
      },
    ],
    stages: [{ name: 'load', pressure_mode: PressureMode.Concurrency, operate_mode: OperateMode.ByDuration, time: seconds, issue_num: users }],
  } as CaseInfoDetail;
}

/**
 * A server (run as `npx pnpm start` runs it) on a fresh PGlite directory (`dataDir` to reuse one), or with `--db postgres` on a fresh
 * database of DATABASE_URL's server; `open()` reads its tables once it is stopped, `drop()` removes it.
 */
async function server(env: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), 'perftest-bench-admission-'))) {
  const postgres = DB === 'postgres' ? await freshDatabase('postgres') : undefined;
  const database: Record<string, string> = postgres === undefined ? { PERFTEST_DATA_DIR: dataDir } : { DATABASE_URL: postgres.url as string };
  // as `npx pnpm start` runs it: the bundle (apps/api/src/bundle/server-build.ts)
  const api = await startServer({ PERFTEST_AK: TEST_AK, PERFTEST_SK: TEST_SK, PORT: '0', LOG_LEVEL: 'warn', ...database, ...env }, 60_000, { bundle: true });
  return {
    api,
    dataDir,
    client: new TestClient(api.baseUrl, { kind: 'sign', ak: TEST_AK, sk: TEST_SK }),
    open: () => (postgres === undefined ? openDatabase({ dataDir }) : openDatabase({ databaseUrl: postgres.url as string, dataDir: '' })),
    drop: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await postgres?.drop();
    },
  };
}

async function createTask(client: TestClient, kase: CaseInfoDetail, suiteId?: number): Promise<{ suiteId: number; taskId: number }> {
  suiteId ??= (await ok(client.post(`/v1/${PROJECT}/test-suites`, { name: `suite-${Date.now()}` }), 201)).project_id as number;
  const taskId = (await ok(client.post(`/v1/${PROJECT}/tasks`, { name: kase.name, project_id: suiteId, parallel: false }), 201)).task_id as number;
  await ok(client.post(`/v1/${PROJECT}/task-cases`, { ...kase, type: 0, task_id: taskId }), 201);
  return { suiteId, taskId };
}

const startBody = { cluster_id: 0, cluster_type: 'shared-cluster-internet', without_package: 0, network_info: { network_type: 'internet' }, status: 9 };
const start = (client: TestClient, t: { suiteId: number; taskId: number }) => client.post(`/v1/${PROJECT}/test-suites/${t.suiteId}/tasks/${t.taskId}`, startBody);

function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
const figures = (values: number[]) =>
  `n ${values.length}, p50 ${quantile(values, 0.5).toFixed(1)} ms, p99 ${quantile(values, 0.99).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms`;

async function waitEnded(client: TestClient, taskId: number, timeoutMs: number): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const info = (await ok(client.get(`/v1/${PROJECT}/tasks/${taskId}`), 200)).taskInfo;
    if ([2, 3, 4].includes(info.run_status) || Date.now() > until) return info;
    await sleep(200);
  }
}

/** 1. A start of 1,000,000 users against the live capacity. */
async function million(): Promise<void> {
  const s = await server({ PERFTEST_WORKERS: '1', PERFTEST_WORKER_MEMORY_MB: MEMORY_MB, PERFTEST_MAX_STAGE_USERS: '10000000', PERFTEST_MAX_RUN_USERS: '10000000' });
  try {
    const target = await startTarget();
    const t = await createTask(s.client, httpCase('million', target.url, 1_000_000, 60, 1000));
    const pid = s.api.child.pid as number;
    const before = memoryOf(pid);
    const t0 = performance.now();
    const res = await start(s.client, t);
    const ms = performance.now() - t0;
    await sleep(1000);
    const after = memoryOf(pid);
    console.log(`million (${DB}): start of 1,000,000 users (budget ${MEMORY_MB} MB, 1 thread) answered ${res.status} in ${ms.toFixed(1)} ms: ${res.body?.error_msg}`);
    console.log(`million: server RSS ${before.rss.toFixed(0)} MB before, ${after.rss.toFixed(0)} MB 1 s after (VmHWM ${after.hwm.toFixed(0)} MB); target received ${target.count()}`);
    target.close();
  } finally {
    await s.api.stop();
    await s.drop();
  }
}

/** 3. STARTS starts at once, with /health and CRUD probed one request at a time meanwhile. */
async function storm(): Promise<void> {
  const s = await server();
  const target = await startTarget();
  try {
    const tasks = [await createTask(s.client, httpCase('storm-0', target.url, 5, 3, 100))];
    for (let i = 1; i < STARTS; i++) tasks.push(await createTask(s.client, httpCase(`storm-${i}`, target.url, 5, 3, 100), tasks[0].suiteId));
    const samples = { starts: { health: [] as number[], crud: [] as number[] }, runs: { health: [] as number[], crud: [] as number[] } };
    const probeData: ProbeData = { baseUrl: s.api.baseUrl, ak: TEST_AK, sk: TEST_SK, project: PROJECT, taskIds: tasks.map((t) => t.taskId) };
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const prober = fork(fileURLToPath(new URL('./admission-probe.ts', import.meta.url)), [], { execArgv: ['--import', tsx] });
    const ready = new Promise<void>((resolve) => prober.once('message', () => resolve()));
    const probed = new Promise<void>((resolve, reject) => {
      prober.on('message', (m: 'ready' | 'done' | ['health' | 'crud', string, number]) => {
        if (m === 'done') return resolve();
        if (m !== 'ready' && (m[1] === 'starts' || m[1] === 'runs')) samples[m[1]][m[0]].push(m[2]);
      });
      prober.once('error', reject);
    });
    prober.send(probeData);
    await ready;
    await sleep(500);
    prober.send({ phase: 'starts' });
    const t0 = performance.now();
    const answers = await Promise.all(
      tasks.map((t) => start(s.client, t).then((res) => ({ status: res.status, ms: performance.now() - t0, run: res.body?.result?.task_run_id as number }))),
    );
    prober.send({ phase: 'runs' });
    const times = answers.map((a) => a.ms);
    console.log(`storm (${DB}): ${STARTS} starts at once: statuses ${JSON.stringify(countBy(answers.map((a) => a.status)))}, answer times ${figures(times)}`);
    for (const t of tasks) await waitEnded(s.client, t.taskId, 300_000);
    const allMs = performance.now() - t0;
    prober.send({ stop: true });
    await probed;
    prober.kill();
    console.log(`storm: while the starts were answered: /health ${figures(samples.starts.health)}; CRUD ${figures(samples.starts.crud)}`);
    console.log(`storm: until every run ended (${(allMs / 1000).toFixed(1)} s): /health ${figures(samples.runs.health)}; CRUD ${figures(samples.runs.crud)}`);
    await s.api.stop();
    const db = await s.open();
    try {
      const rows = await db.query<{ status: number; reason: string | null; requests: number | null }>(
        `select t.status, t.reason, (select sum((c.value->>${PACKED_STATS.requests})::bigint) from intervals i join case_runs r on r.id = i.case_run_id,
                jsonb_each(i.data->'cards') as c where r.task_run_id = t.id) as requests
           from task_runs t order by t.id`,
      );
      const ends = countBy(rows.map((r) => (r.status === 2 && Number(r.requests) > 0 ? 'ended 2 with its load' : `ended ${r.status}${r.reason ? `: ${r.reason}` : ''} (${Number(r.requests ?? 0)} requests)`)));
      const recorded = rows.reduce((sum, r) => sum + Number(r.requests ?? 0), 0);
      console.log(`storm: how the runs ended: ${JSON.stringify(ends)}; recorded ${recorded} requests, target received ${target.count()}`);
    } finally {
      await db.close();
    }
  } finally {
    if (s.api.child.exitCode === null) await s.api.stop();
    target.close();
    await s.drop();
  }
}

function countBy<T extends string | number>(values: T[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
  return counts;
}

/** 4. kill -9 of the embedded server mid-run, and a restart on the same data directory. */
async function kill(): Promise<void> {
  const SECONDS = 20;
  const KILL_AT_S = 8;
  const target = await startTarget();
  let s = await server({ PERFTEST_WORKERS: '1' });
  const dataDir = s.dataDir;
  let api: ServerProcess = s.api;
  try {
    const t = await createTask(s.client, httpCase('killed', target.url, 10, SECONDS, 100));
    const startedAt = Date.now();
    const run = (await ok(start(s.client, t), 200)).result.task_run_id as number;
    await sleep(KILL_AT_S * 1000);
    api.child.kill('SIGKILL');
    await new Promise((r) => api.child.once('exit', r));
    const killedAt = Date.now();
    const receivedAtKill = target.count();
    s = await server({ PERFTEST_WORKERS: '1' }, dataDir);
    api = s.api;
    console.log(`kill: killed ${((killedAt - startedAt) / 1000).toFixed(1)} s into the run (target had ${receivedAtKill}), up again after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
    const info = await waitEnded(s.client, t.taskId, (SECONDS + 60) * 1000);
    const endedAt = Date.now();
    const caseRunId = info.related_temp_running_data[0].related_temp_running_id;
    const report = (await ok(s.client.get(`/v1/${PROJECT}/task-run-infos/${run}/case-run-infos/${caseRunId}/reports`), 200)).result;
    const rows = report.details.data[0].detailDatas as Array<{ requests: number }>;
    const reported = rows.reduce((sum, r) => sum + Number(r.requests ?? 0), 0);
    await api.stop();
    const db = await openDatabase({ dataDir });
    try {
      const [row] = await db.query<{ status: number; reason: string | null; start_at: Date; ended_at: Date; interruptions: unknown }>(
        'select c.status, c.reason, c.start_at, c.ended_at, c.interruptions from case_runs c where c.task_run_id = $1',
        [run],
      );
      const planned = new Date(row.start_at).getTime() + SECONDS * 1000;
      const ended = new Date(row.ended_at).getTime();
      console.log(
        `kill: the run ended ${row.status}${row.reason ? ` (${row.reason})` : ''} ${((ended - planned) / 1000).toFixed(1)} s after its planned end ` +
          `(${ended <= planned + 1000 ? 'within' : 'beyond'} its planned time; seen ended ${((endedAt - startedAt) / 1000).toFixed(1)} s after the start call)`,
      );
      console.log(`kill: interruptions recorded: ${JSON.stringify(row.interruptions ?? null)}`);
      const perSecond = target.count() / SECONDS;
      console.log(
        `kill: report counts ${reported} requests, target received ${target.count()} (difference ${target.count() - reported}, about ${((target.count() - reported) / perSecond).toFixed(1)} s of load)`,
      );
    } finally {
      await db.close();
    }
  } finally {
    if (api.child.exitCode === null && api.child.signalCode === null) await api.stop();
    target.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (ONLY.has('million')) await million();
if (ONLY.has('cards')) await benchCards({ cards: 10_000, users: 1, seconds: 10, threads: '1', db: DB });
if (ONLY.has('storm')) await storm();
if (ONLY.has('kill') && DB === 'pglite') await kill();
