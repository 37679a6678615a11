/**
 * Report rollups on real servers: the report of a finished case run read from its rollup is the
 * report folded from its interval rows, deep-equal at every brokens_limit_count, for intervals of
 * the engine's IntervalRecorder over two workers' shares (a plain run with a gap and a card the case
 * does not list, a peak-load run whose KPI is missed, an intelligent-high-pressure run with a knee).
 * Also: the rollup job writes rollups only once a case run has ended and its grace has passed; a
 * restarted server reads the rollup without folding a row (even with the rows gone); rows that land
 * after the rollup are counted and the rollup rebuilt; a rollup of another version, or one that does
 * not decode, is rebuilt; deleting the project deletes its rollups.
 */
import { CaseRunAccumulator, foldStats, IntervalRecorder, type RequestResult } from '@perftest/engine';
import type { CardInfo, IntervalMessage, Outcome } from '@perftest/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/server.js';
import { buildReport } from '../src/reports/build-report.js';
import { DEFAULT_BROKENS_LIMIT } from '../src/reports/brokens.js';
import { foldIntervals } from '../src/reports/interval-fold.js';
import { ROLLUP_VERSION } from '../src/reports/rollup-codec.js';
import { RollupJob } from '../src/reports/rollup-job.js';
import { rollupStats } from '../src/reports/rollup-store.js';
import { requireReportMeta } from '../src/storage/reports.js';
import { backends, startTestServer, TestClient, type TestServer } from './helpers.js';

const PROJECT = 'proj-rollup';
const T0 = 1_760_000_000;
const SECONDS = 40;
const CARDS: CardInfo[] = [
  { key: 'k1', name: 'login', method: 'POST', url: 'http://127.0.0.1:9/login', protocolType: 1 },
  { key: 'k2', name: 'list', method: 'GET', url: 'http://127.0.0.1:9/list', protocolType: 1 },
  { key: 'k3', name: 'never', method: 'GET', url: 'http://127.0.0.1:9/never', protocolType: 1 },
];
const OUTCOMES: Outcome[] = ['success', 'success', 'success', 'checkPointFailed', 'success', 'timeout', 'success', 'refusedFailed'];

/** A deterministic stream of response times (us), log-uniform over 1 ms .. ~6 s. */
function times(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 16807) % 2147483647;
    return Math.round(1000 * Math.exp((x / 2147483647) * 8.7));
  };
}

/** One request. */
const req = (us: number, outcome: Outcome = 'success'): RequestResult => ({
  outcome,
  status: outcome === 'success' ? 200 : outcome === 'checkPointFailed' ? 500 : 0,
  responseTimeUs: us,
  sentBytes: 100 + (us % 13),
  recBytes: 1000 + (us % 7),
});

/** The intervals of one share: `perSecond(s)` gives each card's requests of second s (none: no row). */
function recordShare(
  perSecond: (s: number) => Record<string, RequestResult[]> | undefined,
  users: (s: number) => number,
  stage: (s: number) => number = () => 0,
  seconds = SECONDS,
): IntervalMessage[] {
  const recorder = new IntervalRecorder();
  const out: IntervalMessage[] = [];
  for (let s = 0; s < seconds; s++) {
    const cards = perSecond(s);
    if (cards === undefined) continue;
    let iterationUs = 0;
    for (const [key, results] of Object.entries(cards)) {
      for (const r of results) {
        recorder.request(key, r);
        iterationUs += r.responseTimeUs;
      }
    }
    if (iterationUs > 0) recorder.iteration({ ok: s % 9 !== 0, outcome: s % 9 !== 0 ? 'success' : 'othersFailed', status: 200, responseTimeUs: iterationUs, sentBytes: 0, recBytes: 0 });
    out.push(recorder.flush(T0 + s, users(s), 1, 0, stage(s)));
  }
  recorder.close();
  return out;
}

/** A plain run: worker A fast, worker B spread with failures and a card the case does not list; second 17 has no row. */
function plainShares(): IntervalMessage[][] {
  const a = times(7);
  const b = times(11);
  const shareA = recordShare(
    (s) => (s === 17 ? undefined : { k1: Array.from({ length: 8 }, () => req(a() % 40_000)), k2: Array.from({ length: 5 + (s % 4) }, () => req(a())) }),
    () => 3,
  );
  const shareB = recordShare(
    (s) =>
      s === 17
        ? undefined
        : { k1: Array.from({ length: 6 }, (_, i) => req(b(), OUTCOMES[(s + i) % OUTCOMES.length])), k9: s % 5 === 0 ? [req(b())] : [] },
    (s) => 2 + (s % 3),
  );
  return [shareA, shareB];
}

/** A peak-load run whose average response time misses its KPI from second 20 (worker B slows down). */
function kpiShares(): IntervalMessage[][] {
  const at = (us: number) => Array.from({ length: 5 }, () => req(us));
  return [
    recordShare(() => ({ k1: at(50_000) }), () => 5),
    recordShare((s) => ({ k1: at(s >= 20 ? 300_000 : 50_000 + s) }), () => 5),
  ];
}
const KPI_STAGES = [
  { pressure_mode: 2, operate_mode: 0, time: SECONDS, issue_num: 10, ramp_up: 5, peak_load_kpis: { average_response_time: { comparison: '<=', value: 100 } } },
];

/** An intelligent-high-pressure run: steps of 2 s from 10 users by 10; worker B fails requests from step 3 on. */
function kneeShares(): IntervalMessage[][] {
  const ok = (n: number) => Array.from({ length: n }, (_, i) => req(20_000 + i));
  return [
    recordShare((s) => ({ k1: ok(10 + 5 * Math.floor(s / 2)) }), () => 5, () => 0, 10),
    recordShare((s) => ({ k1: s >= 4 ? [...ok(9), req(20_000, 'refusedFailed')] : ok(10) }), () => 5, () => 0, 10),
  ];
}
const KNEE_STAGES = [{ pressure_mode: 7, operate_mode: 0, time: 10, current_user_num: 10, maximum: 50, step_size: 10, step_duration: 2 }];

/** Every brokens_limit_count from 1 to one past the span, a few beyond, and the default. */
const LIMITS = [...Array.from({ length: SECONDS + 1 }, (_, i) => i + 1), 97, 3600, 100_000, undefined];

interface Run {
  taskRunId: number;
  caseRunId: number;
  rows: number;
}

describe.each(backends())('report rollups on %s', (backend) => {
  let server: TestServer;
  let suite: number;
  let task: number;

  /** Records an ended case run (ended `endedAgo` seconds ago) with `shares` written by two workers. */
  const recordRun = async (shares: IntervalMessage[][], opts: { stages?: unknown[]; status?: number; endedAgo?: number } = {}): Promise<Run> => {
    const status = opts.status ?? 2;
    const ended = status === 2 ? `now() - make_interval(secs => ${opts.endedAgo ?? 3600})` : 'null';
    const [tr] = await server.db.query<{ id: number }>(
      `insert into task_runs(task_id, test_suite_id, name, parallel, status, started_at, ended_at)
       values ($1, $2, 'rollup task', false, $3, to_timestamp($4), ${ended}) returning id`,
      [task, suite, status, T0],
    );
    const kase = { name: 'rollup case', stages: opts.stages ?? [{ pressure_mode: 0, operate_mode: 0, time: SECONDS, issue_num: 5 }] };
    const [cr] = await server.db.query<{ id: number }>(
      `insert into case_runs(task_run_id, case_id, position, name, status, input, cards, start_at, ended_at)
       values ($1, null, 1, 'rollup case', $2, $3::jsonb, $4::jsonb, to_timestamp($5), ${ended}) returning id`,
      [tr.id, status, JSON.stringify({ case: kase, variables: [], transactions: [] }), JSON.stringify(CARDS), T0],
    );
    let rows = 0;
    for (const [share, messages] of shares.entries()) {
      const batch = messages.map((data) => ({ share_index: share, worker_id: `worker-${share}`, second: data.second, data }));
      await insertRows(cr.id, batch);
      rows += batch.length;
    }
    return { taskRunId: tr.id, caseRunId: cr.id, rows };
  };
  const insertRows = (caseRunId: number, rows: Array<{ share_index: number; worker_id: string; second: number; data: IntervalMessage }>) =>
    server.db.query(
      `insert into intervals(case_run_id, share_index, worker_id, second, data)
       select $1, x.share_index, x.worker_id, x.second, x.data
         from jsonb_to_recordset($2::jsonb) as x(share_index integer, worker_id text, second bigint, data jsonb)`,
      [caseRunId, JSON.stringify(rows)],
    );
  const path = (run: Run) => `/v1/${PROJECT}/task-run-infos/${run.taskRunId}/case-run-infos/${run.caseRunId}/reports`;
  const read = async (client: TestClient, run: Run, limit?: number) => {
    const res = await client.get(path(run), { query: limit === undefined ? {} : { brokens_limit_count: limit } });
    expect(res.status, res.text).toBe(200);
    return res.body.result;
  };
  /** The reports folded from the interval rows, in this process (no rollup, no cache), by limit. */
  const folded = async (run: Run) => {
    const meta = await requireReportMeta(server.db, PROJECT, run.taskRunId, run.caseRunId);
    const acc = new CaseRunAccumulator();
    await foldIntervals(server.db, run.caseRunId, acc, Number.MIN_SAFE_INTEGER, { pageRows: 7 });
    expect(acc.rowCount).toBe(run.rows);
    return (limit: number | undefined) => JSON.parse(JSON.stringify(buildReport(meta, acc, limit ?? DEFAULT_BROKENS_LIMIT)));
  };
  const rollupOf = async (run: Run) =>
    (await server.db.query<{ version: number; row_count: number }>('select version, row_count from report_rollups where case_run_id = $1', [run.caseRunId]))[0];
  /** A second server on the same database (a restart: empty report cache), with its rollup job only when asked. */
  const restart = async (rollupJob: boolean = false) => {
    const app = await buildServer({ db: server.db, logLevel: 'warn', rollupJob: rollupJob ? {} : false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const client = new TestClient(`http://127.0.0.1:${(app.server.address() as { port: number }).port}`, server.client.auth);
    return { client, close: () => app.close() };
  };
  const job = () => new RollupJob(server.db);

  beforeAll(async () => {
    // No background job: each test rolls up when it says so (a job racing it would write first).
    server = await startTestServer(backend, { rollupJob: false });
    suite = (await server.client.post(`/v1/${PROJECT}/test-suites`, { name: 'rollups' })).body.project_id;
    task = (await server.client.post(`/v1/${PROJECT}/tasks`, { name: 'rollup task', project_id: suite })).body.task_id;
  });
  afterAll(() => server?.close());

  it('builds, from the rollup, the report folded from the intervals at every brokens_limit_count (plain, KPI, knee)', async () => {
    const runs = [await recordRun(plainShares()), await recordRun(kpiShares(), { stages: KPI_STAGES }), await recordRun(kneeShares(), { stages: KNEE_STAGES })];
    await job().runOnce();
    for (const run of runs) expect(await rollupOf(run)).toEqual({ version: ROLLUP_VERSION, row_count: run.rows });
    const restarted = await restart();
    try {
      for (const run of runs) {
        const expected = await folded(run);
        const [readsBefore, rowsBefore] = [rollupStats.read, foldStats.rows];
        for (const limit of LIMITS) expect(await read(restarted.client, run, limit), `limit ${limit}`).toEqual(expected(limit));
        expect(rollupStats.read - readsBefore).toBe(1);
        expect(foldStats.rows - rowsBefore).toBe(0);
      }
    } finally {
      await restarted.close();
    }
    // the figures are the runs' own: the plain run's cards (and the unlisted one), the KPI miss, the knee
    const plain = await read(server.client, runs[0]);
    const cards = plain.details.data[0].detailDatas.map((d: { detailId: string; requests: number }) => [d.detailId, d.requests]);
    expect(cards).toEqual([['k1', 39 * 14], ['k2', cards[1][1]], ['k3', 0], ['k9', 8]]);
    expect(plain.brokens.commonTimestamps).toHaveLength(SECONDS);
    expect(plain.brokens.respcode_brokens.success[17]).toBe(0);
    const kpi = (await read(server.client, runs[1])).outline;
    expect(kpi).toMatchObject({ kpiCaseCount: 1, kpiCaseExecuteCount: 1, kpiCasePassCount: 0, kpiMissed: 'average_response_time' });
    const knee = (await read(server.client, runs[2])).outline;
    expect(knee.stageName).toContain('knee at step 3');
    expect(knee.peakMetric).toMatchObject({ vuser: 20, successRate: 100, rps: 25 });
  });

  it('is written by the first read of an ended run, or by the server job after the grace; never while running', async () => {
    const justEnded = await recordRun(plainShares(), { endedAgo: 0 });
    await read(server.client, justEnded); // within the grace: its workers' last rows may still land
    expect(await rollupOf(justEnded)).toBeUndefined();
    const running = await recordRun(plainShares(), { status: 0 });
    const ended = await recordRun(kpiShares(), { stages: KPI_STAGES });
    await read(server.client, running);
    expect(await rollupOf(running)).toBeUndefined();
    await new RollupJob(server.db, { graceSeconds: 7200 }).runOnce();
    expect(await rollupOf(justEnded)).toBeUndefined();
    expect(await rollupOf(ended)).toBeUndefined(); // ended an hour ago: that job waits two

    // the first read of an ended run folds the rows and writes the rollup; later reads write nothing
    const written = rollupStats.written;
    const first = await read(server.client, ended, 10);
    expect(await rollupOf(ended)).toEqual({ version: ROLLUP_VERSION, row_count: ended.rows });
    expect(rollupStats.written - written).toBe(1);
    expect(await read(server.client, ended, 10)).toEqual(first);
    expect(rollupStats.written - written).toBe(1);

    // a server's own job rolls up the run that just ended once the grace has passed
    const withJob = await restart(true);
    try {
      const deadline = Date.now() + 15_000;
      while ((await rollupOf(justEnded)) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await rollupOf(justEnded)).toEqual({ version: ROLLUP_VERSION, row_count: justEnded.rows });
      expect(await rollupOf(running)).toBeUndefined();
    } finally {
      await withJob.close();
    }
  });

  it('is written by the job from the report cache when a read folded the run whole, without folding its rows again', async () => {
    const run = await recordRun(plainShares(), { endedAgo: 0 });
    const expected = await folded(run);
    await read(server.client, run); // within the grace: folded into the cache, no rollup yet
    expect(await rollupOf(run)).toBeUndefined();
    const rowsBefore = foldStats.rows;
    const cached = new RollupJob(server.db, { graceSeconds: 0, cache: server.app.reportCache });
    await cached.runOnce();
    expect(await rollupOf(run)).toEqual({ version: ROLLUP_VERSION, row_count: run.rows });
    expect(cached.fromCache).toBeGreaterThanOrEqual(1);
    expect(foldStats.rows - rowsBefore).toBe(0);
    const restarted = await restart();
    try {
      for (const limit of LIMITS) expect(await read(restarted.client, run, limit), `limit ${limit}`).toEqual(expected(limit));
    } finally {
      await restarted.close();
    }
  });

  it('serves a restart from the rollup with no row folded, even once the rows are gone', async () => {
    const run = await recordRun(plainShares());
    const expected = await folded(run);
    await job().runOnce();
    await server.db.query('delete from intervals where case_run_id = $1', [run.caseRunId]);
    const restarted = await restart();
    try {
      const rowsBefore = foldStats.rows;
      for (const limit of [1, 7, 40, undefined]) expect(await read(restarted.client, run, limit)).toEqual(expected(limit));
      expect(foldStats.rows - rowsBefore).toBe(0);
    } finally {
      await restarted.close();
    }
  });

  it('counts rows that land after the rollup and rebuilds it; rebuilds a rollup of another version', async () => {
    const [shareA, shareB] = plainShares();
    const run = await recordRun([shareA, shareB.slice(0, -1)]);
    await job().runOnce();
    expect(await rollupOf(run)).toEqual({ version: ROLLUP_VERSION, row_count: run.rows });
    const restarted = await restart();
    try {
      const before = await read(restarted.client, run); // restored from the rollup, kept in the cache
      const last = shareB[shareB.length - 1];
      await insertRows(run.caseRunId, [{ share_index: 1, worker_id: 'worker-1', second: last.second, data: last }]);
      run.rows++;
      const after = await read(restarted.client, run);
      expect(after.details.data[0].performance.requests).toBe(before.details.data[0].performance.requests + 6 + (last.cards.k9?.requests ?? 0));
      expect(after).toEqual((await folded(run))(undefined));
      expect(await rollupOf(run)).toEqual({ version: ROLLUP_VERSION, row_count: run.rows });
    } finally {
      await restarted.close();
    }

    await server.db.query('update report_rollups set version = 0 where case_run_id = $1', [run.caseRunId]);
    expect(await job().runOnce()).toBeGreaterThanOrEqual(1);
    expect(await rollupOf(run)).toEqual({ version: ROLLUP_VERSION, row_count: run.rows });

    // bytes that do not decode: the read folds the rows and writes the rollup over them
    await server.db.query(`update report_rollups set data = '\\x0001'::bytea where case_run_id = $1`, [run.caseRunId]);
    const expected = (await folded(run))(undefined);
    for (const round of ['refolds', 'reads the rewritten rollup']) {
      const again = await restart();
      try {
        const rowsBefore = foldStats.rows;
        expect(await read(again.client, run), round).toEqual(expected);
        expect(foldStats.rows - rowsBefore, round).toBe(round === 'refolds' ? run.rows : 0);
      } finally {
        await again.close();
      }
    }
  });

  it('is deleted with the project', async () => {
    const run = await recordRun(kneeShares(), { stages: KNEE_STAGES });
    await read(server.client, run);
    expect(await rollupOf(run)).toBeDefined();
    const res = await server.client.delete(`/v1/${PROJECT}/test-suites/${suite}`);
    expect(res.status, res.text).toBeLessThan(300);
    expect(await rollupOf(run)).toBeUndefined();
    const [{ n }] = await server.db.query<{ n: number }>('select count(*)::int as n from report_rollups');
    expect(n).toBe(0);
  });
});
