/**
 * bench:api — latency and throughput of the REST API itself. The server runs in this process, in a
 * worker thread of its own (its event loop is not shared with the load generator), on a fresh
 * database: PGlite in a temporary data directory, and also Postgres when DATABASE_URL is set (a fresh
 * database created and dropped there). A project and a task are created up front; autocannon
 * (programmatic, on the main thread) then drives each variant:
 *
 *   GET  /v1/{p}/tasks/{id}     AK/SK-signed per request (autocannon setupRequest), and with a token
 *   POST /v1/{p}/test-suites    AK/SK-signed per request, a new name each time
 *
 * each at a fixed --rate with evenly spaced arrivals (an open-loop client of its own, below), at the
 * same --rate in autocannon's bursts (overallRate) and at the maximum rate, over --connections
 * keep-alive connections for --seconds. Latencies are recorded per response from autocannon's
 * 'response' event (sub-millisecond; autocannon's own histogram keeps whole milliseconds). "server
 * µs/req" is the time the server thread's event loop was busy per request (its event-loop
 * utilisation), "process µs/req" the CPU time of the whole process (server, database, client).
 *
 *   pnpm bench:api [--seconds 10] [--rate 500] [--connections 10] [--only pglite|postgres]
 *
 * autocannon's rate limit is a per-connection quota per second: each connection sends back to back
 * until it has sent rate/connections requests, then waits for the next second. Fixed-rate figures
 * are therefore latencies under short bursts of --connections concurrent requests (rows "bursts"), not
 * under evenly spaced arrivals (rows "even", the open-loop client): pessimistic for the goal (p99 <
 * 10 ms at 500 req/s). Traffic stays on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { openDatabase } from '../packages/store/src/index.js';
import { bootstrapAdmin } from '../apps/api/src/auth/accounts.js';
import { signRequest } from '../apps/api/src/auth/signer.js';
import { buildServer } from '../apps/api/src/server.js';
import { freshDatabase } from '../apps/api/test/helpers.js';

/** The slice of autocannon's programmatic API used here (it ships no types). */
interface AutocannonRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}
interface AutocannonResult {
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
type Autocannon = (
  opts: Record<string, unknown>,
  done: (err: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

const requireFromApi = createRequire(new URL('../apps/api/package.json', import.meta.url));
/** autocannon is a devDependency of @perftest/api, not of the root. */
const autocannon = requireFromApi('autocannon') as Autocannon;
/** The slice of undici's Pool used by the open-loop client. */
interface UndiciPool {
  request(opts: { method: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ statusCode: number; body: { dump(): Promise<void> } }>;
  close(): Promise<void>;
}
/** undici is a dependency of @perftest/api, not of the root. */
const { Pool } = requireFromApi('undici') as { Pool: new (origin: string, opts: { connections: number }) => UndiciPool };

const AK = 'AKBENCHADMIN00000001';
const SK = 'SKbenchadminSECRET0001';
const PASSWORD = 'bench-admin-password';
const PROJECT = 'bench';

/** A flag's value from argv. */
function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const SECONDS = Number(arg('seconds', '10'));
const RATE = Number(arg('rate', '500'));
const CONNECTIONS = Number(arg('connections', '10'));
const ONLY = arg('only', '');
/** Connections the open-loop client may open (it needs one per request in flight). */
const OPEN_LOOP_CONNECTIONS = 64;

/** One measured variant. */
interface Row {
  backend: string;
  variant: string;
  rate: string;
  p50: number;
  p99: number;
  max: number;
  reqPerSec: number;
  total: number;
  failed: number;
  /** CPU time of this process (server, database and client together) per request, in microseconds. */
  cpuUs: number;
  /** Busy time of the server thread's event loop per request, in microseconds. */
  serverUs: number;
}

/** The server thread as the load generator sees it. */
interface ServerHandle {
  host: string;
  /** Event-loop utilisation of the server thread (since `since` when given). */
  elu(since?: EventLoopUtilization): EventLoopUtilization;
}

/** The value at quantile q of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/** Headers of a request signed now, as the SDKs sign. */
function signed(method: string, path: string, host: string, body: string | undefined): Record<string, string> {
  return signRequest({ method, path, query: {}, headers: { Host: host, 'Content-Type': 'application/json' }, body }, AK, SK);
}

/** Runs autocannon once and summarises what it measured. */
function measure(server: ServerHandle, request: AutocannonRequest, rate: number | undefined, seconds: number): Promise<Omit<Row, 'backend' | 'variant' | 'rate'>> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let failed = 0;
    const cpu = process.cpuUsage();
    const elu = server.elu();
    const instance = autocannon(
      { url: `http://${server.host}`, connections: CONNECTIONS, duration: seconds, requests: [request], ...(rate ? { overallRate: rate } : {}) },
      (err, result) => {
        if (err) return reject(err);
        const used = process.cpuUsage(cpu);
        const busy = server.elu(elu);
        const sorted = Float64Array.from(latencies).sort();
        resolve({
          p50: quantile(sorted, 0.5),
          p99: quantile(sorted, 0.99),
          max: sorted[sorted.length - 1] ?? NaN,
          reqPerSec: result.requests.total / result.duration,
          total: result.requests.total,
          failed: failed + result.errors + result.timeouts,
          cpuUs: (used.user + used.system) / Math.max(1, result.requests.total),
          serverUs: (busy.active * 1000) / Math.max(1, result.requests.total),
        });
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
      else failed++;
    });
  });
}

/**
 * Open-loop measurement: one request every 1/rate s, evenly spaced, whatever the server's answers
 * (over a pool of up to OPEN_LOOP_CONNECTIONS keep-alive connections, so that slow answers do not hold
 * back later arrivals). Latency runs from the request's scheduled time to its response's end, so a
 * late client timer or a queue in front of the server counts against the server (no coordinated
 * omission).
 */
async function measureOpenLoop(
  server: ServerHandle,
  pool: UndiciPool,
  request: AutocannonRequest,
  rate: number,
  seconds: number,
): Promise<Omit<Row, 'backend' | 'variant' | 'rate'>> {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const latencies = new Float64Array(total);
  let answered = 0;
  let failed = 0;
  const cpu = process.cpuUsage();
  const elu = server.elu();
  const start = performance.now() + 5;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const fire = (due: number): void => {
      const r = request.setupRequest ? request.setupRequest(request) : request;
      pool.request({ method: r.method, path: r.path, headers: r.headers, body: r.body }).then(
        async (res) => {
          await res.body.dump();
          if (res.statusCode >= 200 && res.statusCode < 300) latencies[answered++] = performance.now() - due;
          else failed++;
          if (answered + failed === total) resolve();
        },
        () => {
          if (answered + ++failed === total) resolve();
        },
      );
    };
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) fire(start + sent++ * interval);
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
  const used = process.cpuUsage(cpu);
  const busy = server.elu(elu);
  const sorted = latencies.subarray(0, answered).sort();
  const elapsed = (performance.now() - start) / 1000;
  return {
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? NaN,
    reqPerSec: total / elapsed,
    total,
    failed,
    cpuUs: (used.user + used.system) / total,
    serverUs: (busy.active * 1000) / total,
  };
}

async function post(base: string, path: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return res;
}

/** Seeds the server and measures every variant. */
async function benchBackend(backend: string, server: ServerHandle): Promise<Row[]> {
  const host = server.host;
  const base = `http://${host}`;
  {
    const suitePath = `/v1/${PROJECT}/test-suites`;
    const suiteBody = JSON.stringify({ name: 'bench-suite', description: 'bench' });
    const suite = (await (await post(base, suitePath, JSON.parse(suiteBody), signed('POST', suitePath, host, suiteBody))).json()) as { project_id: number };
    const taskPath = `/v1/${PROJECT}/tasks`;
    const taskBody = JSON.stringify({ name: 'bench-task', project_id: suite.project_id });
    const task = (await (await post(base, taskPath, JSON.parse(taskBody), signed('POST', taskPath, host, taskBody))).json()) as { task_id: number };
    const tokenRes = await post(
      base,
      '/v3/auth/tokens',
      { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: PASSWORD } } }, scope: { project: { id: PROJECT } } } },
      { 'Content-Type': 'application/json' },
    );
    const token = tokenRes.headers.get('x-subject-token') ?? '';

    const getPath = `/v1/${PROJECT}/tasks/${task.task_id}`;
    let n = 0;
    const variants: Array<[string, AutocannonRequest]> = [
      ['GET task, signed', { method: 'GET', path: getPath, setupRequest: (r) => ({ ...r, headers: signed('GET', getPath, host, undefined) }) }],
      ['GET task, token', { method: 'GET', path: getPath, headers: { 'X-Auth-Token': token } }],
      [
        'POST test-suite, signed',
        {
          method: 'POST',
          path: suitePath,
          setupRequest: (r) => {
            const body = `{"name":"bench-${++n}","description":"bench"}`;
            return { ...r, body, headers: signed('POST', suitePath, host, body) };
          },
        },
      ],
    ];
    // Warm-up: JIT and connection pools, not measured.
    await measure(server, variants[0][1], undefined, 2);
    await sleep(300);
    const rows: Row[] = [];
    const pool = new Pool(base, { connections: OPEN_LOOP_CONNECTIONS });
    try {
      await measureOpenLoop(server, pool, variants[0][1], RATE, 1);
      for (const [variant, request] of variants) {
        const m = await measureOpenLoop(server, pool, request, RATE, SECONDS);
        await sleep(300);
        const row = { backend, variant, rate: `${RATE}/s even`, ...m };
        rows.push(row);
        process.stdout.write(`${format(row)}\n`);
      }
    } finally {
      await pool.close();
    }
    for (const rate of [RATE, undefined]) {
      for (const [variant, request] of variants) {
        const m = await measure(server, request, rate, SECONDS);
        // Requests autocannon abandoned at the end still run in the server: let them finish.
        await sleep(300);
        const row = { backend, variant, rate: rate ? `${rate}/s bursts` : 'max', ...m };
        rows.push(row);
        process.stdout.write(`${format(row)}\n`);
      }
    }
    return rows;
  }
}

/** Where the server thread keeps its data. */
interface ServerData {
  dataDir?: string;
  databaseUrl?: string;
}

/** The server thread: opens the database, starts the server, reports its port, stops on 'stop'. */
async function serverThread(data: ServerData): Promise<void> {
  const db = await openDatabase({ databaseUrl: data.databaseUrl, dataDir: data.dataDir ?? '' });
  await bootstrapAdmin(db, { accessKey: AK, secretKey: SK, password: PASSWORD });
  const app = await buildServer({ db, logLevel: 'warn' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  parentPort?.once('message', () => {
    void app
      .close()
      .then(() => db.close())
      .then(() => parentPort?.close());
  });
  parentPort?.postMessage((app.server.address() as { port: number }).port);
}

/** Runs the server thread on `data` while `fn` measures it. */
async function withServer<T>(data: ServerData, fn: (server: ServerHandle) => Promise<T>): Promise<T> {
  // Worker threads do not inherit tsx's loader: register it there, then load this file.
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    .then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: data });
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  try {
    return await fn({ host: `127.0.0.1:${port}`, elu: (since) => worker.performance.eventLoopUtilization(since) });
  } finally {
    worker.postMessage('stop');
    await exited;
  }
}

const ms = (v: number): string => v.toFixed(2);

function format(r: Row): string {
  return `| ${r.backend} | ${r.variant} | ${r.rate} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${Math.round(r.reqPerSec)} | ${r.total} | ${r.failed} | ${Math.round(r.serverUs)} | ${Math.round(r.cpuUs)} |`;
}

async function main(): Promise<void> {
  const backends = ['pglite', ...(process.env.DATABASE_URL ? ['postgres'] : [])].filter((b) => ONLY === '' || b === ONLY);
  process.stdout.write(
    `bench:api — ${SECONDS} s per variant, ${CONNECTIONS} connections, fixed rate ${RATE}/s, node ${process.version}\n\n` +
      '| database | variant | rate | p50 ms | p99 ms | max ms | req/s | requests | failed | server µs/req | process µs/req |\n|---|---|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const backend of backends) {
    if (backend === 'pglite') {
      const dataDir = mkdtempSync(join(tmpdir(), 'perftest-bench-api-'));
      try {
        await withServer({ dataDir }, (server) => benchBackend('pglite', server));
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    } else {
      const fresh = await freshDatabase('postgres');
      await fresh.db.close();
      try {
        await withServer({ databaseUrl: fresh.url }, (server) => benchBackend('postgres', server));
      } finally {
        await fresh.drop();
      }
    }
  }
}

if (isMainThread) await main();
else await serverThread(workerData as ServerData);
