/**
 * Fixtures of the runs tests: projects, tasks and cases made through the HTTP API, start and stop
 * calls, polling a task's run_status, reads of the intervals the workers wrote, and the separate
 * processes (API and workers on one Postgres database) of the multi-process tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { PACKED_STATS, type CaseInfoDetail, type LiveInterval } from '@perftest/model';
import type { Database } from '@perftest/store';
import { freshDatabase, TEST_AK, TEST_PASSWORD, TEST_SK, TestClient, type TestServer } from './helpers.js';
import { cleanEnv, REPO_ROOT, startServer, type ServerProcess } from './processes.js';
import { startTarget, type CountingTarget } from '../../../packages/runner/test/helpers.js';

export { httpCase, startTarget, tpsStage, usersStage, type CountingTarget } from '../../../packages/runner/test/helpers.js';

/** The project id the runs tests use. */
export const PROJECT = 'runs-project';

/** Creates a test suite and a task holding `cases` (in order); returns their ids. */
export async function createTask(
  client: TestClient,
  cases: CaseInfoDetail[],
  parallel: boolean,
  suiteId?: number,
): Promise<{ suiteId: number; taskId: number; caseIds: number[] }> {
  if (suiteId === undefined) {
    const suite = await client.post(`/v1/${PROJECT}/test-suites`, { name: `suite-${Date.now()}` });
    expect(suite.status).toBe(201);
    suiteId = suite.body.project_id as number;
  }
  const task = await client.post(`/v1/${PROJECT}/tasks`, { name: `task-${parallel ? 'parallel' : 'serial'}`, project_id: suiteId, parallel });
  expect(task.status).toBe(201);
  const taskId = task.body.task_id as number;
  const caseIds: number[] = [];
  for (const kase of cases) {
    const res = await client.post(`/v1/${PROJECT}/task-cases`, { ...kase, type: 0, task_id: taskId });
    expect(res.status, res.text).toBe(201);
    caseIds.push(res.body.json.task_case_id as number);
  }
  return { suiteId, taskId, caseIds };
}

/** The start/stop call (reference 4.2.6) with the fields SDK clients send. */
export function setTaskStatus(client: TestClient, suiteId: number, taskId: number, status: number | undefined) {
  const body: Record<string, unknown> = {
    cluster_id: 0,
    cluster_type: 'shared-cluster-internet',
    without_package: 0,
    network_info: { network_type: 'internet' },
    enterprise_project_id: '0',
  };
  if (status !== undefined) body.status = status;
  return client.post(`/v1/${PROJECT}/test-suites/${suiteId}/tasks/${taskId}`, body);
}

/** Starts a task and returns its task_run_id (expects a 200 with the documented shape). */
export async function startTask(client: TestClient, suiteId: number, taskId: number): Promise<number> {
  const res = await setTaskStatus(client, suiteId, taskId, 9);
  expect(res.status, res.text).toBe(200);
  expect(Object.keys(res.body).sort()).toEqual(['code', 'extend', 'message', 'result']);
  expect(res.body.extend).toBeNull();
  expect(Number.isInteger(res.body.result.task_run_id)).toBe(true);
  return res.body.result.task_run_id as number;
}

/** The taskInfo of a task. */
export async function taskInfo(client: TestClient, taskId: number): Promise<any> {
  const res = await client.get(`/v1/${PROJECT}/tasks/${taskId}`);
  expect(res.status, res.text).toBe(200);
  return res.body.taskInfo;
}

/** Polls the task's run_status until it is one of `statuses`; returns it and the ms waited. */
export async function waitForRunStatus(client: TestClient, taskId: number, statuses: number[], timeoutMs: number): Promise<{ status: number; ms: number }> {
  const start = Date.now();
  for (;;) {
    const status = (await taskInfo(client, taskId)).run_status as number;
    if (statuses.includes(status) || Date.now() - start > timeoutMs) return { status, ms: Date.now() - start };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Requests recorded in the intervals of a task run (every card of every row). */
export async function recordedRequests(db: Database, taskRunId: number): Promise<number> {
  const [row] = await db.query<{ n: number | null }>(
    `select sum((c.value->>${PACKED_STATS.requests})::bigint) as n
       from intervals i join case_runs r on r.id = i.case_run_id, jsonb_each(i.data->'cards') as c
      where r.task_run_id = $1`,
    [taskRunId],
  );
  return Number(row.n ?? 0);
}

/** Per worker id, the requests its interval rows of the task run hold. */
export async function requestsByWorker(db: Database, taskRunId: number): Promise<Map<string, number>> {
  const rows = await db.query<{ worker_id: string; n: number }>(
    `select i.worker_id, sum((c.value->>${PACKED_STATS.requests})::bigint) as n
       from intervals i join case_runs r on r.id = i.case_run_id, jsonb_each(i.data->'cards') as c
      where r.task_run_id = $1 group by i.worker_id`,
    [taskRunId],
  );
  return new Map(rows.map((r) => [r.worker_id, Number(r.n)]));
}

/** Waits until `read()` stops changing for `quietMs`; returns the settled value. */
export async function settled(read: () => number, quietMs = 500, timeoutMs = 5_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  let last = read();
  let since = Date.now();
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      break;
    }
  }
  return last;
}

/** A separate worker process (`apps/worker/src/main.ts` through tsx). */
export interface WorkerProcess {
  child: ChildProcess;
  /** Its id in `workers`. */
  id: string;
  output(): string;
  /** Ends it with `signal` and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

const WORKER_MAIN = fileURLToPath(new URL('../../worker/src/main.ts', import.meta.url));

/** Starts a worker on `databaseUrl` with `threads` engine threads; resolves once it has joined. */
export function startWorkerProcess(databaseUrl: string, threads = 1, timeoutMs = 30_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
    cwd: REPO_ROOT,
    env: cleanEnv({ DATABASE_URL: databaseUrl, PERFTEST_WORKER_THREADS: String(threads), LOG_LEVEL: 'warn' }),
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker did not join in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (): void => {
      const match = /perftest worker (\S+) joined/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({
        child,
        id: match[1],
        output: () => out,
        kill: async (signal) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    };
    child.stdout.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`worker exited before joining:\n${out}`));
    });
  });
}

/** Seconds from the first to the last interval second of a case run that have no row. */
export async function missingSeconds(db: Database, caseRunId: number): Promise<number[]> {
  const rows = await db.query<{ second: number }>('select distinct second from intervals where case_run_id = $1 order by second', [caseRunId]);
  const seconds = rows.map((r) => Number(r.second));
  const missing: number[] = [];
  for (let s = seconds[0]; s <= seconds[seconds.length - 1]; s++) if (!seconds.includes(s)) missing.push(s);
  return missing;
}

/** `describe` when DATABASE_URL names a Postgres server, else `describe.skip` with a warning saying `why`. */
export function describeOnPostgres(file: string, why: string): typeof describe | typeof describe.skip {
  if (process.env.DATABASE_URL) return describe;
  console.warn(`${file}: skipped (set DATABASE_URL=postgres://... to ${why})`);
  return describe.skip;
}

/** A fresh Postgres database, a counting target, an API process that only dispatches, and worker processes. */
export class ProcessCluster {
  fresh!: Awaited<ReturnType<typeof freshDatabase>>;
  target!: CountingTarget;
  api!: ServerProcess;
  /** A signed client of the current API process. */
  client!: TestClient;
  /** The workers still to stop at `close` (a test that kills one takes it out). */
  workers: WorkerProcess[] = [];

  /** Starts a cluster with `workerCount` workers (started side by side); on a failure, stops what it started. */
  static async start(workerCount: number): Promise<ProcessCluster> {
    const cluster = new ProcessCluster();
    try {
      cluster.fresh = await freshDatabase('postgres');
      cluster.target = await startTarget();
      await cluster.startApi();
      const url = cluster.fresh.url as string;
      cluster.workers = await Promise.all(Array.from({ length: workerCount }, () => startWorkerProcess(url)));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /** Starts an API process on the database (again, after one was killed); replaces `api` and `client`. */
  async startApi(): Promise<void> {
    this.api = await startServer({
      DATABASE_URL: this.fresh.url as string,
      PERFTEST_WORKERS: '0',
      PERFTEST_AK: TEST_AK,
      PERFTEST_SK: TEST_SK,
      PORT: '0',
      LOG_LEVEL: 'warn',
    });
    this.client = new TestClient(this.api.baseUrl, { kind: 'sign', ak: TEST_AK, sk: TEST_SK });
  }

  /** Stops the workers and the API, closes the target and drops the database. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.kill('SIGTERM')));
    await this.api?.stop();
    await this.target?.close();
    await this.fresh?.drop();
  }
}

/** A target whose first `stallMs` (from its first request after start or `restall()`) answers late. */
export interface StallingTarget {
  url: string;
  /** Stalls again from the next request on. */
  restall(): void;
  close(): Promise<void>;
}

/** Starts a stalling target on port 0: every request within the stall is answered when it ends. */
export async function startStallingTarget(stallMs = 1500): Promise<StallingTarget> {
  let stallUntil = 0;
  const target = http.createServer((req, res) => {
    req.resume();
    if (stallUntil === 0) stallUntil = Date.now() + stallMs;
    const wait = stallUntil - Date.now();
    if (wait > 0) setTimeout(() => res.end('late'), wait);
    else res.end('ok');
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(target.address() as AddressInfo).port}/stall`,
    restall: () => {
      stallUntil = 0;
    },
    close: async () => {
      target.closeAllConnections();
      await new Promise((resolve) => target.close(resolve));
    },
  };
}

/** The `interval` events of a task run's live stream, read until its `end` event. */
export async function liveIntervals(server: TestServer, taskRunId: number): Promise<LiveInterval[]> {
  const auth = { identity: { methods: ['password'], password: { user: { name: 'admin', password: TEST_PASSWORD, domain: { name: 'admin' } } } }, scope: { project: { id: PROJECT } } };
  const token = (await server.client.post('/v3/auth/tokens', { auth }, { auth: { kind: 'none' } })).headers['x-subject-token'] as string;
  const res = await fetch(`${server.baseUrl}/v1/${PROJECT}/task-run-infos/${taskRunId}/live`, { headers: { 'X-Auth-Token': token, Accept: 'text/event-stream' } });
  expect(res.status).toBe(200);
  const events: LiveInterval[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event === 'end') return events;
      if (event === 'interval' && data !== undefined) events.push(JSON.parse(data));
    }
  }
  return events;
}
