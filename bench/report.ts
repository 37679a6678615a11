/**
 * bench:report — how long `GET .../reports` takes for a stored one-hour case run with 10 request
 * cards: 3,600 interval rows (one share, one worker; 100 requests per card per second, response
 * times spread log-uniformly over 2 ms .. 400 ms with about 0.5 % failures, each row about 6 KB with its 11
 * encoded histograms), written to a fresh database (PGlite in a temporary directory; Postgres too
 * when DATABASE_URL is set). The server runs in this process; a signed GET with
 * brokens_limit_count=360 is timed from request to parsed response, in three situations:
 *
 *   cold         the first read after the server starts (every row read and folded)
 *   warm         reads with nothing new (one count query, then the report is built)
 *   incremental  after one more second is written (the new row folded, then built)
 *
 * Then the case run is marked ended (a minute ago, past the rollup grace) and read again:
 *
 *   ended, no rollup   the first read after a start with no rollup stored: every row folded, then
 *                      the rollup written (what a read pays when the rollup job has not run yet)
 *   rollup job         one RollupJob.runOnce() rolling the case run up in the background (with
 *                      the longest event-loop stall it caused, what a concurrent request may wait)
 *   cold from rollup   the first read after a start with the rollup stored (rollup read, decoded)
 *   warm from rollup   reads after that one
 *
 * Each is repeated over --rounds server starts (cold) or reads (warm, incremental); the figures are
 * the median and the worst. The report's request total is checked against what was written.
 *
 * --cards, --seconds and --per-card change the shape of the stored run (a 10,000-card case of one
 * user: `--cards 10000 --seconds 10 --per-card 1`).
 *
 *   pnpm bench:report [--rounds 5] [--only pglite|postgres] [--cards 10] [--seconds 3600] [--per-card 100]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { IntervalRecorder } from '../packages/engine/src/index.js';
import { packRows, type CardInfo, type IntervalMessage, type IntervalRow } from '../packages/model/src/index.js';
import { openDatabase, type Database } from '../packages/store/src/index.js';
import { bootstrapAdmin } from '../apps/api/src/auth/accounts.js';
import { signRequest } from '../apps/api/src/auth/signer.js';
import { decodeRollup } from '../apps/api/src/reports/rollup-codec.js';
import { RollupJob } from '../apps/api/src/reports/rollup-job.js';
import { rollupStats } from '../apps/api/src/reports/rollup-store.js';
import { buildServer } from '../apps/api/src/server.js';
import { createTask } from '../apps/api/src/storage/tasks.js';
import { createTestSuite } from '../apps/api/src/storage/test-suites.js';
import { freshDatabase } from '../apps/api/test/helpers.js';

const AK = 'AKBENCHREPORT0000001';
const SK = 'SKbenchreportSECRET01';
const PROJECT = 'bench';
const T0 = 1_760_000_000;

/** A flag's value from argv. */
function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const SECONDS = Number(arg('seconds', '3600'));
const CARD_COUNT = Number(arg('cards', '10'));
const PER_CARD_PER_SECOND = Number(arg('per-card', '100'));

const ROUNDS = Number(arg('rounds', '5'));
const ONLY = arg('only', '');

const CARDS: CardInfo[] = Array.from({ length: CARD_COUNT }, (_, i) => ({
  key: `card${i}`,
  name: `request ${i}`,
  method: 'GET',
  url: `http://127.0.0.1:9/r${i}`,
  protocolType: 1,
}));

/** The intervals of one second (same generator every time: the run is deterministic). */
class RunGenerator {
  private readonly recorder = new IntervalRecorder();
  private x = 12345;

  second(s: number): IntervalMessage {
    for (const card of CARDS) {
      for (let i = 0; i < PER_CARD_PER_SECOND; i++) {
        this.x = (this.x * 16807) % 2147483647;
        const u = this.x / 2147483647;
        const us = Math.round(2000 * Math.exp(u * Math.log(200)));
        const failed = i === 0 && u < 0.5; // about 0.5 % of requests
        this.recorder.request(card.key, {
          outcome: failed ? 'checkPointFailed' : 'success',
          status: failed ? 500 : 200,
          responseTimeUs: us,
          sentBytes: 120,
          recBytes: 2400,
        });
        // one iteration per request of the first card, about ten requests long
        if (card === CARDS[0]) {
          this.recorder.iteration({ ok: !failed, outcome: failed ? 'checkPointFailed' : 'success', status: 200, responseTimeUs: us * 10, sentBytes: 1200, recBytes: 24000 });
        }
      }
    }
    return this.recorder.flush(T0 + s, 100, PER_CARD_PER_SECOND, 0, 0);
  }
}

/** Writes the task run, case run and `seconds` interval rows; returns the ids and the generator. */
async function storeRun(db: Database): Promise<{ taskRunId: number; caseRunId: number; gen: RunGenerator; bytes: number }> {
  const suite = { id: await createTestSuite(db, PROJECT, 'bench', '') };
  const task = { id: await createTask(db, suite.id, { name: 'bench', description: '', parallel: false, doc: {} }) };
  const [tr] = await db.query<{ id: number }>(
    `insert into task_runs(task_id, test_suite_id, name, parallel, status, started_at) values ($1, $2, 'bench', false, 0, to_timestamp($3)) returning id`,
    [task.id, suite.id, T0],
  );
  const kase = { name: 'bench case', stages: [{ pressure_mode: 0, operate_mode: 0, time: 7200, issue_num: 100 }] };
  const [cr] = await db.query<{ id: number }>(
    `insert into case_runs(task_run_id, case_id, position, name, status, input, cards, start_at)
     values ($1, null, 1, 'bench case', 0, $2::jsonb, $3::jsonb, to_timestamp($4)) returning id`,
    [tr.id, JSON.stringify({ case: kase, variables: [], transactions: [] }), JSON.stringify(CARDS), T0],
  );
  const gen = new RunGenerator();
  let bytes = 0;
  for (let s = 0; s < SECONDS; s += 100) {
    const batch = [];
    for (let k = s; k < Math.min(SECONDS, s + 100); k++) {
      const data = gen.second(k);
      bytes += JSON.stringify(data).length;
      batch.push({ case_run_id: cr.id, share_index: 0, worker_id: 'bench-worker', second: data.second, data });
    }
    await insertRows(db, batch);
  }
  return { taskRunId: tr.id, caseRunId: cr.id, gen, bytes };
}

/** Inserts interval rows as the runner's writer does (one statement per batch, cells packed). */
async function insertRows(db: Database, intervals: IntervalRow[]): Promise<void> {
  const rows = packRows(intervals);
  await db.query(
    `insert into intervals(case_run_id, share_index, worker_id, second, data)
     select x.case_run_id, x.share_index, x.worker_id, x.second, x.data
       from jsonb_to_recordset($1::jsonb) as x(case_run_id bigint, share_index integer, worker_id text, second bigint, data jsonb)`,
    [JSON.stringify(rows)],
  );
}

/** One timed, signed GET of the report; returns ms and the request total it reported. */
async function timedReport(host: string, path: string): Promise<{ ms: number; requests: number }> {
  const query = { brokens_limit_count: '360' };
  const headers = signRequest({ method: 'GET', path, query, headers: { Host: host, 'Content-Type': 'application/json' }, body: undefined }, AK, SK);
  const start = performance.now();
  const res = await fetch(`http://${host}${path}?brokens_limit_count=360`, { method: 'GET', headers });
  const body = (await res.json()) as { result?: { details: { data: Array<{ performance: { requests: number } }> } } };
  const ms = performance.now() - start;
  if (res.status !== 200 || body.result === undefined) throw new Error(`report answered ${res.status}: ${JSON.stringify(body)}`);
  return { ms, requests: body.result.details.data[0].performance.requests };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[]) => `${median(xs).toFixed(0)} ms (worst ${Math.max(...xs).toFixed(0)})`;

/** Measures one backend. */
async function benchBackend(name: string, db: Database): Promise<void> {
  await bootstrapAdmin(db, { accessKey: AK, secretKey: SK, password: 'bench-report-password' });
  const t = performance.now();
  const run = await storeRun(db);
  console.log(`${name}: stored ${SECONDS} rows (${(run.bytes / 1e6).toFixed(1)} MB of interval JSON) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const path = `/v1/${PROJECT}/task-run-infos/${run.taskRunId}/case-run-infos/${run.caseRunId}/reports`;
  const expected = () => CARD_COUNT * PER_CARD_PER_SECOND * written;
  let written = SECONDS;
  const cold: number[] = [];
  const warm: number[] = [];
  const incremental: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const app = await buildServer({ db, logLevel: 'warn' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const host = `127.0.0.1:${(app.server.address() as { port: number }).port}`;
    try {
      const first = await timedReport(host, path);
      if (first.requests !== expected()) throw new Error(`report counts ${first.requests} requests, ${expected()} were written`);
      cold.push(first.ms);
      for (let i = 0; i < 3; i++) warm.push((await timedReport(host, path)).ms);
      await insertRows(db, [{ case_run_id: run.caseRunId, share_index: 0, worker_id: 'bench-worker', second: T0 + written, data: run.gen.second(written) }]);
      written++;
      const next = await timedReport(host, path);
      if (next.requests !== expected()) throw new Error(`report counts ${next.requests} requests, ${expected()} were written`);
      incremental.push(next.ms);
    } finally {
      await app.close();
    }
  }
  console.log(`${name}: cold ${fmt(cold)}, warm ${fmt(warm)}, incremental ${fmt(incremental)}`);

  // the case run ends: reads with no rollup yet, the job's rollup, then reads from the rollup
  await db.query(`update case_runs set status = 2, ended_at = now() - interval '1 minute' where id = $1`, [run.caseRunId]);
  const unrolled: number[] = [];
  const job: number[] = [];
  const fromRollup: number[] = [];
  const warmRollup: number[] = [];
  const decode: number[] = [];
  const stall: number[] = [];
  const check = (r: { requests: number }) => {
    if (r.requests !== expected()) throw new Error(`report counts ${r.requests} requests, ${expected()} were written`);
  };
  for (let round = 0; round < ROUNDS; round++) {
    await db.query('delete from report_rollups where case_run_id = $1', [run.caseRunId]);
    await withServer(db, async (host) => {
      const written = rollupStats.written;
      const first = await timedReport(host, path);
      check(first);
      if (rollupStats.written !== written + 1) throw new Error('the first read of the ended case run wrote no rollup');
      unrolled.push(first.ms);
    });
    await db.query('delete from report_rollups where case_run_id = $1', [run.caseRunId]);
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const t0 = performance.now();
    if ((await new RollupJob(db).runOnce()) !== 1) throw new Error('the rollup job rolled up nothing');
    job.push(performance.now() - t0);
    delay.disable();
    stall.push(delay.max / 1e6);
    await withServer(db, async (host) => {
      const read = rollupStats.read;
      const first = await timedReport(host, path);
      check(first);
      if (rollupStats.read !== read + 1) throw new Error('the first read did not take the rollup');
      fromRollup.push(first.ms);
      for (let i = 0; i < 3; i++) warmRollup.push((await timedReport(host, path)).ms);
    });
    const [row] = await db.query<{ data: Uint8Array }>('select data from report_rollups where case_run_id = $1', [run.caseRunId]);
    const t1 = performance.now();
    decodeRollup(row.data);
    decode.push(performance.now() - t1);
  }
  const [size] = await db.query<{ bytes: number }>('select octet_length(data) as bytes from report_rollups where case_run_id = $1', [run.caseRunId]);
  console.log(
    `${name}: ended, no rollup ${fmt(unrolled)}; rollup job ${fmt(job)} (longest event-loop stall ${fmt(stall)}); ` +
      `cold from rollup ${fmt(fromRollup)}, warm ${fmt(warmRollup)}; ` +
      `rollup ${(size.bytes / 1024).toFixed(0)} KB, decoded in ${fmt(decode)}`,
  );
  console.log(`| ${name} | ${fmt(cold)} | ${fmt(warm)} | ${fmt(incremental)} | ${fmt(unrolled)} | ${fmt(job)} | ${fmt(fromRollup)} | ${fmt(warmRollup)} |`);
}

/** Runs `fn` against a server started on `db` (listening on a free port), then closes it. */
async function withServer(db: Database, fn: (host: string) => Promise<void>): Promise<void> {
  const app = await buildServer({ db, logLevel: 'warn' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    await fn(`127.0.0.1:${(app.server.address() as { port: number }).port}`);
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  if (ONLY !== 'postgres') {
    const dir = mkdtempSync(join(tmpdir(), 'perftest-bench-report-'));
    const db = await openDatabase({ dataDir: dir });
    try {
      await benchBackend('pglite', db);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (ONLY !== 'pglite' && process.env.DATABASE_URL) {
    const fresh = await freshDatabase('postgres');
    try {
      await benchBackend('postgres', fresh.db);
    } finally {
      await fresh.drop();
    }
  }
}

await main();
