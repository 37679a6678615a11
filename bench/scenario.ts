/**
 * `pnpm bench:scenario [--users 64] [--seconds 15] [--only engine,locust] [--runs 1]`: a realistic
 * script, the engine next to Locust, on the same target and core for the same time.
 *
 * Target: nginx (bench/local-nginx.ts, one worker pinned to core 1). `POST /login` answers a JSON
 * token made of the request id (`{"token":"tok-<32 hex>",...}`); `GET /items/{id}` answers 401
 * unless the `Authorization` header is `Bearer tok-<32 hex>`, else the item as JSON.
 * Script, for each user: log in once (the engine's setup_contents, Locust's on_start), extract the
 * token from the JSON body; then per iteration GET `/items/{random 1..10000}` with the token header
 * and check the status (200) and the body (regex `"name":"item-\d+"`), as fast as possible.
 * Each tool runs pinned to core 0 (taskset): the engine as `perftest run CASE.json --threads 1`,
 * Locust (Debian's python3-locust) as one headless process with FastHttpUser.
 * Prints per tool: requests per second, CPU µs per request (whole process tree, start-up included),
 * p99 in ms, checks failed; and the ratio engine / Locust. Goal: at least 8x Locust's rps.
 * `--cpu-prof DIR` runs the engine under node's CPU profiler (the .cpuprofile lands in DIR).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startNginx } from './local-nginx.js';
import { median, numberOption, perftestCommand, round, runPinned, textOption } from './peers.js';

const users = numberOption('users', 64);
const seconds = numberOption('seconds', 15);
const runs = numberOption('runs', 1);
const only = new Set(textOption('only', 'engine,locust').split(','));
const GEN_CPU = 0;

const LOCATIONS = `
    location = /login {
      if ($request_method != POST) { return 405; }
      default_type application/json;
      return 200 '{"token":"tok-$request_id","user":"demo","expires_in":3600}';
    }
    location ~ ^/items/(?<item>[0-9]+)$ {
      if ($http_authorization !~ "^Bearer tok-[0-9a-f]{32}$") { return 401 '{"error":"unauthorized"}'; }
      default_type application/json;
      return 200 '{"id":$item,"name":"item-$item","price":42.5,"stock":7,"tags":["a","b"]}';
    }
`;

/** The script as a case of the engine. */
function engineCase(base: string): object {
  const card = (...content: object[]) => ({ data_type: 0, content });
  return {
    name: 'bench-scenario',
    setup_contents: [
      card(
        {
          content_type: 2,
          content: {
            protocol_type: 1,
            name: 'login',
            method: 'POST',
            url: `${base}/login`,
            headers: [{ key: 'Content-Type', value: 'application/json' }],
            body: '{"user":"demo","password":"secret"}',
          },
        },
        { content_type: 4, content: { extractions: [{ name: 'token', source: 'json', expression: '$.token' }] } },
      ),
    ],
    contents: [
      card(
        {
          content_type: 2,
          content: {
            protocol_type: 1,
            name: 'item',
            method: 'GET',
            url: `${base}/items/\${id}`,
            headers: [{ key: 'Authorization', value: 'Bearer ${token}' }],
          },
        },
        {
          content_type: 3,
          content: {
            logic: 'AND',
            checks: [
              { source: 'status', operator: 'equals', value: '200' },
              { source: 'body', operator: 'regex', value: '"name":"item-\\d+"' },
            ],
          },
        },
      ),
    ],
    stages: [{ pressure_mode: 0, operate_mode: 0, time: seconds, issue_num: users, ramp_up: 0 }],
    variables: [{ name: 'id', variable_type: 1, variable: [1, 10000], variable_mode: 1, share_mode: 0 }],
    transactions: [],
  };
}

const LOCUSTFILE = `
import random
import re
from locust import FastHttpUser, constant, task

ITEM = re.compile(r'"name":"item-\\d+"')


class Shopper(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        with self.client.post("/login", json={"user": "demo", "password": "secret"}, catch_response=True) as r:
            self.token = r.json()["token"]
            self.headers = {"Authorization": "Bearer " + self.token}

    @task
    def item(self):
        item_id = random.randint(1, 10000)
        with self.client.get(f"/items/{item_id}", headers=self.headers, name="/items/[id]", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
            elif ITEM.search(r.text) is None:
                r.failure("body does not match")
            else:
                r.success()
`;

interface Figures {
  rps: number;
  requests: number;
  failed: number;
  cpuUsPerRequest: number;
  /** The engine's own figure over the run alone (no start-up). */
  runCpuUsPerRequest?: number;
  p99Ms: number;
}

async function engine(dir: string, base: string): Promise<Figures> {
  const file = path.join(dir, 'scenario.json');
  writeFileSync(file, JSON.stringify(engineCase(base)));
  const m = await runPinned(GEN_CPU, [...perftestCommand(), 'run', file, '--threads', '1', '--json']);
  if (m.code !== 0) throw new Error(`engine exited with ${m.code}\n${m.stdout}\n${m.stderr}`);
  const json = JSON.parse(m.stdout.trim().split('\n').at(-1) ?? '') as {
    rps: number;
    requests: number;
    errorCount: number;
    tp99: number;
    cpuUsPerRequest: number;
  };
  return {
    rps: round(json.rps),
    requests: json.requests,
    failed: json.errorCount,
    cpuUsPerRequest: round((m.cpuSeconds * 1e6) / json.requests, 2),
    runCpuUsPerRequest: json.cpuUsPerRequest,
    p99Ms: json.tp99,
  };
}

async function locust(dir: string, base: string): Promise<Figures> {
  const file = path.join(dir, 'locustfile.py');
  writeFileSync(file, LOCUSTFILE);
  const csv = path.join(dir, 'locust');
  const argv = ['locust', '-f', file, '--headless', '-u', String(users), '-r', String(users), '-t', `${seconds}s`];
  argv.push('--host', base, '--only-summary', '--csv', csv, '--loglevel', 'WARNING', '--stop-timeout', '1');
  const m = await runPinned(GEN_CPU, argv);
  // Locust exits 1 when any request failed: the failures are reported, not fatal
  const text = readFileSync(`${csv}_stats.csv`, 'utf8').trim().split('\n');
  const header = text[0].split(',').map((h) => h.replace(/"/g, ''));
  const row = text.find((line) => line.includes('Aggregated'));
  if (row === undefined) throw new Error(`locust wrote no stats (exit ${m.code})\n${m.stderr}`);
  const cells = row.split(',').map((c) => c.replace(/"/g, ''));
  const cell = (name: string): number => Number(cells[header.indexOf(name)]);
  const requests = cell('Request Count');
  return {
    rps: round(cell('Requests/s')),
    requests,
    failed: cell('Failure Count'),
    cpuUsPerRequest: round((m.cpuSeconds * 1e6) / requests, 2),
    p99Ms: cell('99%'),
  };
}

const nginx = await startNginx(4096, 1, LOCATIONS);
const base = nginx.url.replace(/\/$/, '');
const dir = mkdtempSync(path.join(tmpdir(), 'perftest-scenario-'));
const rows: Array<{ engine?: Figures; locust?: Figures }> = [];
try {
  for (let run = 0; run < runs; run++) {
    const row: { engine?: Figures; locust?: Figures } = {};
    if (only.has('engine')) row.engine = await engine(dir, base);
    if (only.has('locust')) row.locust = await locust(dir, base);
    rows.push(row);
    const line: Record<string, unknown> = { run: run + 1, users, seconds, ...row };
    if (row.engine && row.locust) {
      line.engine_vs_locust_rps = round(row.engine.rps / row.locust.rps, 2);
      line.locust_vs_engine_cpu_per_request = round(row.locust.cpuUsPerRequest / row.engine.cpuUsPerRequest, 2);
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
} finally {
  nginx.stop();
  rmSync(dir, { recursive: true, force: true });
}
if (runs > 1 && only.has('engine') && only.has('locust')) {
  const ratios = rows.map((r) => round((r.engine as Figures).rps / (r.locust as Figures).rps, 2));
  process.stdout.write(
    `${JSON.stringify({
      runs,
      engine_rps_median: median(rows.map((r) => (r.engine as Figures).rps)),
      locust_rps_median: median(rows.map((r) => (r.locust as Figures).rps)),
      engine_cpu_us_median: median(rows.map((r) => (r.engine as Figures).cpuUsPerRequest)),
      locust_cpu_us_median: median(rows.map((r) => (r.locust as Figures).cpuUsPerRequest)),
      engine_vs_locust_median: median(ratios),
      engine_vs_locust_worst: Math.min(...ratios),
    })}\n`,
  );
}
