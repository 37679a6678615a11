/**
 * bench:console — the web console's figures, in Debian's chromium (apps/console/test/browser.ts):
 *
 *   size      the console's JS and CSS as served, gzipped (goal < 150 KB), and the report page's
 *   report    a stored one-hour case run with 10 request cards (3,600 interval rows written as the
 *             runner writes them, 20 requests per card per second): the run page opened in the
 *             browser, timed in the page from the report data in hand to its charts painted (goal
 *             < 500 ms), and from navigation start; then the same report exported as one HTML file
 *             and opened from disk
 *   live      a task of 10 cases run in parallel against a local counting target by the embedded
 *             worker, watched in the live view: for every interval event, how long after its second
 *             ended it reached the page (goal: at most 2 s behind)
 *
 * The API runs in this process on PGlite in a temporary directory, like `npx pnpm start`.
 *
 * With --screenshots DIR it also saves the report page and the live view as PNG files there (the
 * README's pictures: `npx pnpm bench:console --screenshots docs`).
 *
 * --workers sets the embedded worker's engine threads (1: on the server's event loop, as in the tests).
 *
 *   npx pnpm bench:console [--rounds 5] [--live-seconds 20] [--workers 1] [--screenshots DIR]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { IntervalRecorder } from '../packages/engine/src/index.js';
import { packInterval, type CardInfo } from '../packages/model/src/index.js';
import { openDatabase, type Database } from '../packages/store/src/index.js';
import { bootstrapAdmin } from '../apps/api/src/auth/accounts.js';
import { startEmbedded } from '../apps/api/src/embedded.js';
import { buildServer } from '../apps/api/src/server.js';
import { createTask } from '../apps/api/src/storage/tasks.js';
import { createTestSuite } from '../apps/api/src/storage/test-suites.js';
import { ensureConsoleBuilt } from '../apps/console/src/build.js';
import { CONSOLE_DIST_DIR } from '../apps/console/src/paths.js';
import { builtFiles } from '../packages/report/src/build.js';
import { REPORT_PAGE_DIR, renderReportHtml } from '../packages/report/src/index.js';
import { launchBrowser } from '../apps/console/test/browser.js';

const PASSWORD = 'bench-console-password';
const PROJECT = 'bench-console';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3600);
const CARD_COUNT = 10;
const PER_CARD_PER_SECOND = 20;

/** A counting HTTP target: prints its URL, answers every request 200, `/count` tells how many it answered. */
const TARGET_SOURCE = `
let n = 0;
const s = require('node:http').createServer((req, res) => {
  if (req.url === '/count') return res.end(String(n));
  n++; req.resume(); res.end('ok');
});
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + s.address().port));
`;

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}
const ROUNDS = Number(arg('rounds', '5'));
const LIVE_SECONDS = Number(arg('live-seconds', '20'));
const WORKERS = Number(arg('workers', '1'));
const SCREENSHOTS = arg('screenshots', '');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
const ms = (x: number) => `${x.toFixed(0)} ms`;

/** Gzipped sizes of what the browser loads. */
function sizes(): void {
  const gz = (dir: string, files: Array<{ path: string }>) => files.reduce((n, f) => n + gzipSync(readFileSync(join(dir, f.path)), { level: 9 }).length, 0);
  const app = builtFiles(CONSOLE_DIST_DIR).filter((f) => /\.(js|css)$/.test(f.path));
  const report = builtFiles(REPORT_PAGE_DIR).filter((f) => /\.(js|css)$/.test(f.path));
  const raw = app.reduce((n, f) => n + f.bytes, 0);
  console.log(`size: console JS+CSS ${(raw / 1024).toFixed(1)} KB, gzipped ${(gz(CONSOLE_DIST_DIR, app) / 1024).toFixed(1)} KB (goal < 150 KB); report page ${(gz(REPORT_PAGE_DIR, report) / 1024).toFixed(1)} KB gzipped`);
}

/** Stores an ended one-hour case run with 10 cards; returns the path of its run page. */
async function storeRun(db: Database): Promise<{ requests: number; page: string; taskRunId: number; caseRunId: number }> {
  const T0 = Math.floor(Date.now() / 1000) - SECONDS - 120;
  const cards: CardInfo[] = Array.from({ length: CARD_COUNT }, (_, i) => ({ key: `card${i}`, name: `request ${i}`, method: 'GET', url: `http://127.0.0.1:9/r${i}`, protocolType: 1 }));
  const suite = await createTestSuite(db, PROJECT, 'stored', '');
  const task = await createTask(db, suite, { name: 'one hour', description: '', parallel: false, doc: {} });
  const [tr] = await db.query<{ id: number }>(
    `insert into task_runs(task_id, test_suite_id, name, parallel, status, started_at, ended_at) values ($1, $2, 'one hour', false, 2, to_timestamp($3), to_timestamp($4)) returning id`,
    [task, suite, T0, T0 + SECONDS],
  );
  const kase = { name: 'hour case', stages: [{ pressure_mode: 0, operate_mode: 0, time: SECONDS, issue_num: 100 }] };
  const [cr] = await db.query<{ id: number }>(
    `insert into case_runs(task_run_id, case_id, position, name, status, input, cards, start_at, ended_at)
     values ($1, null, 1, 'hour case', 2, $2::jsonb, $3::jsonb, to_timestamp($4), to_timestamp($5)) returning id`,
    [tr.id, JSON.stringify({ case: kase, variables: [], transactions: [] }), JSON.stringify(cards), T0, T0 + SECONDS],
  );
  const recorder = new IntervalRecorder();
  let x = 12345;
  let requests = 0;
  for (let s = 0; s < SECONDS; s += 200) {
    const rows = [];
    for (let k = s; k < Math.min(SECONDS, s + 200); k++) {
      // Users climb and fall twice in the hour; throughput follows them and saturates near the
      // peak, where response times grow and timeouts appear.
      const load = 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / 1800); // 0 .. 1
      const users = Math.round(10 + 90 * load);
      const perCard = Math.round(PER_CARD_PER_SECOND * (0.3 + 0.9 * Math.min(load, 0.75)));
      const slow = 1 + 3 * load * load;
      for (const card of cards) {
        for (let i = 0; i < perCard; i++) {
          x = (x * 16807) % 2147483647;
          const u = x / 2147483647;
          const failed = load > 0.8 && u < (load - 0.8) * 0.25;
          recorder.request(card.key, { outcome: failed ? 'timeout' : 'success', status: failed ? 0 : 200, responseTimeUs: Math.round(1500 * slow * Math.exp(u * Math.log(40))), sentBytes: 120, recBytes: 2400 });
          requests++;
        }
      }
      recorder.iteration({ ok: true, outcome: 'success', status: 200, responseTimeUs: 10_000, sentBytes: 0, recBytes: 0 });
      const data = recorder.flush(T0 + k, users, perCard, 0, 0);
      rows.push({ case_run_id: cr.id, share_index: 0, worker_id: 'bench', second: data.second, data: packInterval(data) }); // as the runner stores it
    }
    await db.query(
      `insert into intervals(case_run_id, share_index, worker_id, second, data)
       select x.case_run_id, x.share_index, x.worker_id, x.second, x.data
         from jsonb_to_recordset($1::jsonb) as x(case_run_id bigint, share_index integer, worker_id text, second bigint, data jsonb)`,
      [JSON.stringify(rows)],
    );
  }
  recorder.close();
  return { requests, page: `/suites/${suite}/tasks/${task}/runs/${tr.id}`, taskRunId: tr.id, caseRunId: cr.id };
}

async function main(): Promise<void> {
  await ensureConsoleBuilt({ log: (line) => console.log(line) });
  sizes();

  const dir = mkdtempSync(join(tmpdir(), 'perftest-bench-console-'));
  const db = await openDatabase({ dataDir: join(dir, 'data') });
  await bootstrapAdmin(db, { password: PASSWORD });
  const embedded = await startEmbedded(db, { workers: WORKERS, logLevel: 'warn' });
  const app = await buildServer({ db, logLevel: 'warn', runControl: embedded.control, consoleDir: CONSOLE_DIST_DIR });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  // The target answers in a process of its own, so that the API's event loop never delays it.
  const target = spawn(process.execPath, ['-e', TARGET_SOURCE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const targetUrl = await new Promise<string>((resolve, reject) => {
    target.stdout!.once('data', (d: Buffer) => resolve(String(d).trim()));
    target.once('exit', (code) => reject(new Error(`target exited ${code}`)));
  });
  const served = async (): Promise<number> => Number(await (await fetch(`${targetUrl}/count`)).text());
  const browser = await launchBrowser();
  try {
    // A token, as the login page gets it, kept in the tab's sessionStorage.
    const login = await fetch(`${base}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: PASSWORD } } }, scope: { project: { id: PROJECT } } } }),
    });
    const token = login.headers.get('x-subject-token');
    if (!token) throw new Error(`login answered ${login.status}`);
    const session = JSON.stringify({ user: 'admin', project: PROJECT, token, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    await browser.context.addInitScript((s) => {
      try {
        (globalThis as any).sessionStorage.setItem('perftest.session', s);
      } catch {
        // about:blank and file:// pages have no storage of this origin
      }
    }, session);
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, { method, headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const json = (await res.json().catch(() => ({}))) as any;
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };

    // Ten case runs streaming into the live view.
    const suite = (await call('POST', `/v1/${PROJECT}/test-suites`, { name: 'live' })).project_id as number;
    const task = (await call('POST', `/v1/${PROJECT}/tasks`, { name: 'ten cases', project_id: suite, parallel: true })).task_id as number;
    for (let i = 0; i < 10; i++) {
      await call('POST', `/v1/${PROJECT}/task-cases`, {
        name: `case ${i + 1}`, type: 0, task_id: task,
        contents: [{ content_id: 0, index: 0, data_type: 0, content: [
          { content_type: 2, content: { protocol_type: 1, name: `get ${i + 1}`, method: 'GET', url: `${targetUrl}/c${i}` } },
          { content_type: 1, content: { think_time: 50 } },
        ] }],
        stages: [{ name: 's', operate_mode: 0, pressure_mode: 0, time: LIVE_SECONDS + 15, issue_num: 2 }],
      });
    }
    const live = await browser.page();
    const taskRun = (await call('POST', `/v1/${PROJECT}/test-suites/${suite}/tasks/${task}`, { status: 9 })).result.task_run_id as number;
    await live.goto(`${base}/suites/${suite}/tasks/${task}/runs/${taskRun}`);
    await live.waitForFunction(() => ((globalThis as any).__liveLags ?? []).length > 0, undefined, { timeout: 60_000 });
    await live.evaluate(() => ((globalThis as any).__liveLags = []));
    await new Promise((r) => setTimeout(r, LIVE_SECONDS * 1000));
    const lags = (await live.evaluate(() => (globalThis as any).__liveLags)) as number[];
    const tabs = await live.locator('[data-testid=live] .tab').count();
    const state = (await call('GET', `/v1/${PROJECT}/tasks/${task}`)).taskInfo;
    if (state.run_status !== 0) {
      const [why] = await db.query<{ reason: string | null }>('select reason from case_runs where task_run_id = $1 and reason is not null limit 1', [taskRun]);
      console.log(`live: the run ended before the window did (run_status ${state.run_status}${why ? `: ${why.reason}` : ''}); figures cover what streamed`);
    }
    if (SCREENSHOTS) await live.screenshot({ path: join(SCREENSHOTS, 'console-live.png') });
    await call('POST', `/v1/${PROJECT}/test-suites/${suite}/tasks/${task}`, { status: 2 }).catch(() => undefined); // may have ended already
    console.log(`live: ${tabs} case runs streaming, ${lags.length} interval events in ${LIVE_SECONDS} s; behind the end of their second by median ${ms(median(lags))}, p95 ${ms(quantile(lags, 0.95))}, max ${ms(Math.max(...lags))} (goal <= 2000 ms); target answered ${await served()} requests`);
    await live.close();
    // The stored one-hour run's report page.
    const t = Date.now();
    const run = await storeRun(db);
    console.log(`report: stored ${SECONDS} s x ${CARD_COUNT} cards in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const page = await browser.page();
    const draw: number[] = [];
    const total: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      await page.goto(`${base}${run.page}`);
      const timing = await (await page.waitForFunction(() => {
        const t = (globalThis as any).__reportTimings;
        return t?.drawnAt !== undefined ? t : undefined;
      }, undefined, { timeout: 60_000 })).jsonValue() as { dataAt: number; drawnAt: number };
      const canvases = await page.locator('.uplot canvas').count();
      const shown = Number(String(await page.textContent('[data-testid=total-count]')).replace(/\D/g, ''));
      if (shown !== run.requests) throw new Error(`the page shows ${shown} requests, ${run.requests} were stored`);
      if (canvases < 6) throw new Error(`only ${canvases} charts drew`);
      if (round === 0) continue; // the first read folds the intervals and writes the rollup
      draw.push(timing.drawnAt - timing.dataAt);
      total.push(timing.drawnAt);
    }
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'console-report.png') });
    const points = await page.evaluate(() => (globalThis as any).document.querySelectorAll('.uplot').length);
    console.log(`report: one-hour run, 10 cards, ${points} charts: drawn ${ms(median(draw))} after its data arrived (worst ${ms(Math.max(...draw))}; goal < 500 ms), ${ms(median(total))} from navigation start (worst ${ms(Math.max(...total))})`);

    const report = (await call('GET', `/v1/${PROJECT}/task-run-infos/${run.taskRunId}/case-run-infos/${run.caseRunId}/reports`)).result;
    const file = join(dir, 'report.html');
    writeFileSync(file, renderReportHtml(report, { name: 'hour case' }));
    const exported: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await page.goto(pathToFileURL(file).href);
      const timing = await (await page.waitForFunction(() => {
        const t = (globalThis as any).__reportTimings;
        return t?.drawnAt !== undefined ? t : undefined;
      }, undefined, { timeout: 60_000 })).jsonValue() as { dataAt: number; drawnAt: number };
      exported.push(timing.drawnAt - timing.dataAt);
    }
    console.log(`report: exported HTML file (${(readFileSync(file).length / 1024).toFixed(0)} KB) drawn ${ms(median(exported))} after its script started (worst ${ms(Math.max(...exported))})`);
    await page.close();

    if (browser.errors.length > 0) console.log(`page errors: ${browser.errors.join('\n')}`);
  } finally {
    await browser.close();
    await app.close();
    await embedded.stop();
    await db.close();
    target.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
