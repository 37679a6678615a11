/**
 * The report endpoint over HTTP on real servers. Case runs are recorded with SQL as the runner
 * records them (task_runs, case_runs, intervals rows), their intervals made by the engine's own
 * IntervalRecorder from known response times, split over two shares of two workers; one test runs
 * the engine for real against a counting HTTP server. Checked: every key of the reference example
 * with its type, curve downsampling whose points add up to the totals, percentiles equal to those of
 * one histogram fed every value, live reads that catch up with rows written later (late ones too),
 * the knee and KPI verdicts on merged data, tenancy; and a task started through the API with the
 * embedded worker, whose reports add up to what its target answered.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { clampUs, CompactHistogram, foldStats, IntervalRecorder, PERCENTILES, rtBucketCounts, startRun, type RequestResult } from '@perftest/engine';
import { packInterval, type CardInfo, type IntervalMessage, type Outcome } from '@perftest/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RollupJob } from '../src/reports/rollup-job.js';
import { rollupStats } from '../src/reports/rollup-store.js';
import { backends, expectErrorShape, startTestServer, type TestServer } from './helpers.js';
import {
  createTask,
  httpCase,
  PROJECT,
  settled,
  startTarget,
  startTask,
  taskInfo,
  usersStage,
  waitForRunStatus,
  type CountingTarget,
} from './runs-fixtures.js';

const T0 = 1_760_000_000; // an epoch second
const CARDS: CardInfo[] = [
  { key: 'k1', name: 'login', method: 'POST', url: 'http://127.0.0.1:9/login', protocolType: 1 },
  { key: 'k2', name: 'list', method: 'GET', url: 'http://127.0.0.1:9/list', protocolType: 1 },
];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$/;
const CURVE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

/** Keys of the reference example and the SDK models, by object. */
const KEYS = {
  result: ['brokens', 'details', 'outline', 'respTimeRange', 'rtproportion', 'taskInfo'],
  // dropped_brokens is an extra key (starts dropped per point; report-dropped.test.ts)
  brokens: ['brand_brokens', 'commonTimestamps', 'dropped_brokens', 'respcode_brokens', 'tps_brokens', 'vusers_brokens'],
  respcode: ['checkPointFailed', 'error', 'othersFailed', 'parsedFailed', 'refusedFailed', 'success', 'timeout'],
  details: ['data', 'detailPageIndex', 'detailPageSize', 'detailTotal', 'pageIndex', 'pageSize', 'total'],
  item: ['customTransactions', 'detailDatas', 'performance'],
  row: ['averageRespTime', 'avgNetworkTraffic', 'avgRecBytes', 'avgSentBytes', 'avgTranRespTime', 'caseUri', 'createTime',
    'currentThreadNum', 'detailId', 'endTime', 'errorCount', 'errorEventsCount', 'failedAssert', 'failedOthers', 'failedParsed',
    'failedRefused', 'failedTimeout', 'id', 'isAW', 'max', 'maxNetworkTraffic', 'maxRecBytes', 'maxRespTime', 'maxSentBytes',
    'maxTranRespTime', 'min', 'minNetworkTraffic', 'name', 'requests', 'result', 'startTime', 'status', 'successCount',
    'successRate', 'sum1xx', 'sum2xx', 'sum3xx', 'sum4xx', 'sum5xx', 'taskId', 'taskProjectId', 'taskStatus', 'testCaseUri',
    'tp50', 'tp75', 'tp90', 'tp95', 'tp99', 'tp999', 'tp9999', 'tps', 'tranTPS', 'transactionId', 'transactionSuccess',
    'transactionalSuccessRate', 'transactionalTps', 'transactionalTpsSuccess', 'transactions', 'updateTime', 'vum'],
  outline: ['avgResponseTime', 'branchId', 'branchName', 'caseRetry', 'completeNum', 'createBy', 'duration', 'endTime',
    'executedNum', 'iterationUri', 'kpiCaseCount', 'kpiCaseExecuteCount', 'kpiCasePassCount', 'maxUsers', 'passNum',
    'progressState', 'projectId', 'serviceId', 'stage', 'stageName', 'startTime', 'statusValue', 'successRate', 'taskStatus',
    'totalNum', 'tps', 'versionUri'],
  buckets: ['0~50ms', '50~200ms', '200~500ms', '500ms~1s', '1~2s', '2~3s', '3~4s', '4~5s', '>5s'],
};
/** Row keys that are strings, or may be null; every other row key is a number (isAW a boolean). */
const STRING_KEYS = new Set(['caseUri', 'createTime', 'detailId', 'endTime', 'id', 'name', 'startTime', 'taskId', 'taskProjectId', 'testCaseUri', 'updateTime']);
const NULLABLE_KEYS = new Set(['transactionId', 'transactionSuccess', 'transactions']);

/** One request as the recorder takes it. */
const req = (us: number, outcome: Outcome = 'success', status = 200): RequestResult => ({
  outcome,
  status,
  responseTimeUs: us,
  sentBytes: 100,
  recBytes: 1000 + (us % 7),
});

/** A deterministic spread of response times (us), log-uniform between 1 ms and ~6 s. */
function responseTimes(n: number, seed: number): number[] {
  let x = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 16807) % 2147483647;
    out.push(Math.round(1000 * Math.exp((x / 2147483647) * 8.7)));
  }
  return out;
}

/** Intervals of one share: `perSecond(s)` gives each card's requests of second s. */
function recordShare(seconds: number, perSecond: (s: number) => Record<string, RequestResult[]>, users: number, stage = (_s: number) => 0): IntervalMessage[] {
  const recorder = new IntervalRecorder();
  const out: IntervalMessage[] = [];
  for (let s = 0; s < seconds; s++) {
    let iterationUs = 0;
    for (const [key, results] of Object.entries(perSecond(s))) {
      for (const r of results) {
        recorder.request(key, r);
        iterationUs += r.responseTimeUs;
      }
    }
    recorder.iteration({ ok: true, outcome: 'success', status: 200, responseTimeUs: iterationUs || 1, sentBytes: 0, recBytes: 0 });
    out.push(recorder.flush(T0 + s, users, 1, 0, stage(s)));
  }
  recorder.close();
  return out;
}

describe.each(backends())('reports on %s', (backend) => {
  let server: TestServer;
  let suite: number;
  let task: number;
  let caseId: number;

  const recordRun = async (opts: { stages?: unknown[]; status?: number; cards?: CardInfo[] } = {}) => {
    const [tr] = await server.db.query<{ id: number }>(
      `insert into task_runs(task_id, test_suite_id, name, parallel, status, started_at, ended_at)
       values ($1, $2, 'report task', false, $3, to_timestamp($4), case when $3 = 2 then to_timestamp($4 + 20) end) returning id`,
      [task, suite, opts.status ?? 2, T0],
    );
    const kase = { name: 'report case', stages: opts.stages ?? [{ pressure_mode: 0, operate_mode: 0, time: 20, issue_num: 6 }] };
    const [cr] = await server.db.query<{ id: number }>(
      `insert into case_runs(task_run_id, case_id, position, name, status, input, cards, start_at, ended_at)
       values ($1, $6, 1, 'report case', $2, $3::jsonb, $4::jsonb, to_timestamp($5), case when $2 = 2 then to_timestamp($5 + 20) end)
       returning id`,
      [tr.id, opts.status ?? 2, JSON.stringify({ case: kase, variables: [], transactions: [] }), JSON.stringify(opts.cards ?? CARDS), T0, caseId],
    );
    return { taskRunId: tr.id, caseRunId: cr.id };
  };
  /** Stores rows as the runner does (packed cells), or as earlier versions did (`objects`). */
  const insertRows = async (caseRunId: number, share: number, worker: string, rows: IntervalMessage[], form: 'packed' | 'objects' = 'packed') => {
    for (const row of rows) {
      await server.db.query(
        'insert into intervals(case_run_id, share_index, worker_id, second, data) values ($1, $2, $3, $4, $5::jsonb)',
        [caseRunId, share, worker, row.second, JSON.stringify(form === 'packed' ? packInterval(row) : row)],
      );
    }
  };
  const report = async (run: { taskRunId: number; caseRunId: number }, limit?: number, project = 'proj-r') => {
    const res = await server.client.get(`/v1/${project}/task-run-infos/${run.taskRunId}/case-run-infos/${run.caseRunId}/reports`, {
      query: limit === undefined ? {} : { brokens_limit_count: limit },
    });
    return res;
  };

  /** 20 s, two workers: worker A share 0 fast successes, worker B share 1 a spread with failures. */
  const values = { k1: responseTimes(400, 7), k2: responseTimes(600, 11) };
  const shareA = () =>
    recordShare(20, (s) => ({ k1: values.k1.slice(s * 10, s * 10 + 10).map((us) => req(us)), k2: values.k2.slice(s * 15, s * 15 + 15).map((us) => req(us)) }), 3);
  const shareB = () =>
    recordShare(
      20,
      (s) => ({
        k1: values.k1.slice(200 + s * 10, 210 + s * 10).map((us, i) => (i === 0 ? req(us, 'checkPointFailed', 500) : req(us))),
        k2: values.k2.slice(300 + s * 15, 315 + s * 15).map((us, i) => (i === 1 ? req(us, 'timeout', 0) : req(us))),
      }),
      3,
    );
  /** One histogram fed every value (its percentiles are the library's, packages/engine/src/metrics/compact-histogram.test.ts). */
  const reference = (list: number[]): CompactHistogram & { maxValue: number } => {
    const h = new CompactHistogram();
    for (const us of list) h.recordValue(clampUs(us));
    return Object.assign(h, { maxValue: Math.max(...list.map(clampUs)) });
  };

  beforeAll(async () => {
    server = await startTestServer(backend);
    suite = (await server.client.post('/v1/proj-r/test-suites', { name: 'reports' })).body.project_id;
    task = (await server.client.post('/v1/proj-r/tasks', { name: 'report task', project_id: suite })).body.task_id;
    caseId = (await server.client.post('/v1/proj-r/task-cases', { name: 'report case', type: 0, task_id: task })).body.json.task_case_id;
  });
  afterAll(() => server.close());

  it('answers every key of the reference example with its type, percentiles equal to one histogram of every value', async () => {
    const run = await recordRun();
    await insertRows(run.caseRunId, 0, 'worker-a', shareA());
    await insertRows(run.caseRunId, 1, 'worker-b', shareB());
    const res = await report(run, 100);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'extend', 'message', 'result']);
    const r = res.body.result;
    for (const key of KEYS.result) expect(r).toHaveProperty(key);
    expect(Object.keys(r.brokens).sort()).toEqual(KEYS.brokens);
    expect(Object.keys(r.brokens.respcode_brokens).sort()).toEqual(KEYS.respcode);
    expect(Object.keys(r.brokens.brand_brokens).sort()).toEqual(['recBytes', 'sentBytes']);
    expect(Object.keys(r.brokens.tps_brokens).sort()).toEqual(['average', 'tps']);
    expect(Object.keys(r.brokens.vusers_brokens)).toEqual(['vusers']);
    expect(r.brokens.commonTimestamps).toHaveLength(20);
    for (const t of r.brokens.commonTimestamps) expect(t).toMatch(CURVE);
    expect(Object.keys(r.details).sort()).toEqual(KEYS.details);
    expect(r.details.data).toHaveLength(1);
    expect(Object.keys(r.details.data[0]).sort()).toEqual(KEYS.item);
    const perf = r.details.data[0].performance;
    const rows = [perf, ...r.details.data[0].detailDatas];
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      for (const key of KEYS.row) {
        expect(row, key).toHaveProperty(key);
        const value = row[key];
        if (NULLABLE_KEYS.has(key) && value === null) continue;
        if (key === 'isAW') expect(typeof value).toBe('boolean');
        else if (key === 'transactionId') expect(['string', 'object']).toContain(typeof value);
        else if (STRING_KEYS.has(key)) expect(typeof value, key).toBe('string');
        else expect(typeof value, key).toBe('number');
      }
      for (const key of ['createTime', 'startTime', 'endTime', 'updateTime']) expect(row[key]).toMatch(ISO);
    }
    for (const key of KEYS.outline) expect(r.outline, key).toHaveProperty(key);
    expect(Object.keys(r.respTimeRange).sort()).toEqual([...KEYS.buckets].sort());
    for (const v of Object.values(r.respTimeRange)) expect(v).toMatch(/^\d+\.\d%\(\d+\)$/);
    expect(typeof r.rtproportion).toBe('string');
    expect(r.taskInfo).toEqual({ vum: 2 }); // 6 users for 20 s = 120 user-seconds

    // counts: 1000 requests, 20 checkpoint failures (k1), 20 timeouts (k2)
    const [login, list] = r.details.data[0].detailDatas;
    expect([login.name, login.url, list.name]).toEqual(['login', 'http://127.0.0.1:9/login', 'list']);
    expect([perf.caseUri, perf.taskId, perf.taskProjectId]).toEqual([String(caseId), `${task}_${run.taskRunId}`, String(task)]);
    expect(perf).toMatchObject({ requests: 1000, successCount: 960, errorCount: 40, failedAssert: 20, failedTimeout: 20, sum5xx: 20, sum2xx: 960 });
    expect(perf).toMatchObject({ isAW: false, transactions: 40, transactionSuccess: 40, currentThreadNum: 6, tps: 48, rps: 50 });
    expect(login).toMatchObject({ requests: 400, successCount: 380, failedAssert: 20, isAW: true });
    expect(list).toMatchObject({ requests: 600, successCount: 580, failedTimeout: 20 });
    expect(r.outline).toMatchObject({ duration: 20, maxUsers: 6, tps: 48, successRate: 96, taskStatus: 2, totalNum: 1, completeNum: 1 });

    // percentiles: the report's equal those of one histogram fed every value, for each card and the case
    const all = reference([...values.k1, ...values.k2]);
    for (const [row, h] of [[perf, all], [login, reference(values.k1)], [list, reference(values.k2)]] as const) {
      for (const [name, p] of Object.entries(PERCENTILES)) expect(row[name], name).toBe(h.getValueAtPercentile(p) / 1000);
      expect(row.max).toBe(h.maxValue / 1000);
    }
    const buckets = rtBucketCounts(all);
    for (const label of KEYS.buckets) expect(r.respTimeRange[label]).toMatch(new RegExp(`\\(${buckets[label as keyof typeof buckets]}\\)$`));
    const mean = [...values.k1, ...values.k2].reduce((a, b) => a + clampUs(b), 0) / 1000;
    expect(perf.averageRespTime).toBeCloseTo(mean / 1000, 3);
  });

  it('merges adjacent seconds down to brokens_limit_count points whose sums equal the totals', async () => {
    const run = await recordRun();
    await insertRows(run.caseRunId, 0, 'worker-a', shareA());
    await insertRows(run.caseRunId, 1, 'worker-b', shareB());
    for (const [limit, points] of [[5, 5], [7, 7], [1, 1], [20, 20], [1000, 20]] as const) {
      const b = (await report(run, limit)).body.result.brokens;
      expect(b.commonTimestamps, `limit ${limit}`).toHaveLength(points);
      const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
      const rc = b.respcode_brokens;
      expect(sum(rc.success)).toBe(960);
      expect(sum(rc.checkPointFailed)).toBe(20);
      expect(sum(rc.timeout)).toBe(20);
      expect(sum(rc.error)).toBe(40);
      expect(sum(b.brand_brokens.sentBytes)).toBe(100_000);
      for (const key of Object.keys(rc)) expect(rc[key]).toHaveLength(points);
      expect(b.tps_brokens.tps.every((t: number) => t === 48)).toBe(true);
      expect(b.vusers_brokens.vusers.every((u: number) => u === 6)).toBe(true);
    }
    const five = (await report(run, 5)).body.result.brokens;
    expect(five.commonTimestamps[0]).toBe(new Date(T0 * 1000).toISOString().slice(0, 19).replace('T', ' '));
    expect(five.commonTimestamps[1]).toBe(new Date((T0 + 4) * 1000).toISOString().slice(0, 19).replace('T', ' '));
    const res = await server.client.get(`/v1/proj-r/task-run-infos/${run.taskRunId}/case-run-infos/${run.caseRunId}/reports`, {
      query: { brokens_limit_count: 0 },
    });
    expectErrorShape(res, 400);
  });

  it('is live: a running case run reads what is written so far, then catches up, late rows included', async () => {
    const run = await recordRun({ status: 0 });
    const a = shareA();
    const b = shareB();
    await insertRows(run.caseRunId, 0, 'worker-a', a.slice(0, 10));
    await insertRows(run.caseRunId, 1, 'worker-b', b.slice(0, 8));
    let r = (await report(run)).body.result;
    expect(r.details.data[0].performance.requests).toBe(250 + 200);
    expect(r.brokens.commonTimestamps).toHaveLength(10);
    expect(r.outline.endTime).toBe(new Date((T0 + 10) * 1000).toISOString().replace('Z', '+00:00'));
    // the rest, with worker B's seconds 8-9 landing last (older than the tail re-read)
    await insertRows(run.caseRunId, 0, 'worker-a', a.slice(10));
    await insertRows(run.caseRunId, 1, 'worker-b', b.slice(10));
    r = (await report(run)).body.result;
    expect(r.details.data[0].performance.requests).toBe(1000 - 50);
    await insertRows(run.caseRunId, 1, 'worker-b', b.slice(8, 10));
    r = (await report(run)).body.result;
    expect(r.details.data[0].performance.requests).toBe(1000);
    expect(r.details.data[0].performance.tp99).toBe(reference([...values.k1, ...values.k2]).getValueAtPercentile(99) / 1000);
    expect(r.outline.taskStatus).toBe(0);
  });

  it('judges the intelligent-high-pressure knee and peak-load KPIs on the merged data of both workers', async () => {
    // mode 7: steps of 2 s from 10 users by 10; worker B fails some requests from step 3 on
    const knee = await recordRun({
      stages: [{ pressure_mode: 7, operate_mode: 0, time: 10, current_user_num: 10, maximum: 50, step_size: 10, step_duration: 2 }],
    });
    const ok = (n: number) => Array.from({ length: n }, () => req(20_000));
    await insertRows(knee.caseRunId, 0, 'worker-a', recordShare(10, (s) => ({ k1: ok(10 + 5 * Math.floor(s / 2)) }), 5));
    await insertRows(knee.caseRunId, 1, 'worker-b', recordShare(10, (s) => ({ k1: s >= 4 ? [...ok(9), req(20_000, 'refusedFailed', 0)] : ok(10) }), 5));
    const outline = (await report(knee)).body.result.outline;
    expect(outline.stage).toBe(2);
    expect(outline.stageName).toContain('knee at step 3');
    expect(outline.peakMetric).toMatchObject({ vuser: 20, successRate: 100, rps: 25 });

    // mode 2: average RT <= 100 ms expected; worker B slows from second 10, so the merged average misses
    const kpi = await recordRun({
      stages: [{ pressure_mode: 2, operate_mode: 0, time: 20, issue_num: 10, ramp_up: 5, peak_load_kpis: { average_response_time: { comparison: '<=', value: 100 } } }],
    });
    const at = (us: number) => Array.from({ length: 5 }, () => req(us));
    await insertRows(kpi.caseRunId, 0, 'worker-a', recordShare(20, () => ({ k1: at(50_000) }), 5));
    await insertRows(kpi.caseRunId, 1, 'worker-b', recordShare(20, (s) => ({ k1: at(s >= 10 ? 300_000 : 50_000) }), 5));
    const o = (await report(kpi)).body.result.outline;
    expect(o).toMatchObject({ kpiCaseCount: 1, kpiCaseExecuteCount: 1, kpiCasePassCount: 0, kpiMissed: 'average_response_time' });
    expect(o.peakMetric).toMatchObject({ vuser: 10, avgRT: 175, peakTime: new Date((T0 + 10) * 1000).toISOString().replace('Z', '+00:00') });
  });

  it('leaves the seconds every share was down out of duration and rates, and shows the interruptions', async () => {
    const run = await recordRun();
    // One share, 25 requests a second; its worker died after second 4 and the share resumed at T0+9.4.
    const rows = shareA().filter((row) => row.second < T0 + 5 || row.second >= T0 + 9);
    expect(rows).toHaveLength(16);
    await insertRows(run.caseRunId, 0, 'worker-a', rows);
    const gap = {
      share: 0,
      share_count: 1,
      worker: 'worker-a',
      host: 'box',
      from: new Date((T0 + 5) * 1000).toISOString(),
      to: new Date((T0 + 9.4) * 1000).toISOString(),
      seconds: 4.4,
      reason: 'worker worker-a on box stopped heartbeating (its server restarted on the same data directory)',
      resumed: true,
    };
    await server.db.query('update case_runs set interruptions = $2::jsonb where id = $1', [run.caseRunId, JSON.stringify([gap])]);
    const r = (await report(run)).body.result;
    // 20 seconds from the first to the last row, 4 of them (T0+5 .. T0+8) wholly down.
    expect(r.outline).toMatchObject({ duration: 16, interruptedSeconds: 4, rps: 25, tps: 25, reason: null });
    expect(r.outline.interruptions).toEqual([
      {
        share: 0,
        shareCount: 1,
        worker: 'worker-a',
        host: 'box',
        from: new Date((T0 + 5) * 1000).toISOString().replace('Z', '+00:00'),
        to: new Date((T0 + 9.4) * 1000).toISOString().replace('Z', '+00:00'),
        seconds: 4.4,
        reason: gap.reason,
        resumed: true,
      },
    ]);
    expect(r.details.data[0].performance.rps).toBe(25);
    // Without the record, the same rows span 20 seconds.
    await server.db.query('update case_runs set interruptions = null where id = $1', [run.caseRunId]);
    await server.db.query('delete from report_rollups where case_run_id = $1', [run.caseRunId]);
    const plain = (await report(run)).body.result;
    expect(plain.outline).toMatchObject({ duration: 20, interruptedSeconds: 0, rps: 20, interruptions: [] });
  });

  it('reads rows of earlier versions, whose cells are objects, to the same report, also mixed with packed rows', async () => {
    const packed = await recordRun();
    await insertRows(packed.caseRunId, 0, 'worker-a', shareA());
    await insertRows(packed.caseRunId, 1, 'worker-b', shareB());
    const mixed = await recordRun();
    await insertRows(mixed.caseRunId, 0, 'worker-a', shareA(), 'objects');
    await insertRows(mixed.caseRunId, 1, 'worker-b', shareB());
    const [stored] = await server.db.query<{ packed: string; objects: string }>(
      `select jsonb_typeof(p.data->'cards'->'k1') as packed, jsonb_typeof(o.data->'cards'->'k1') as objects
         from intervals p, intervals o where p.case_run_id = $1 and p.share_index = 0 and o.case_run_id = $2 and o.share_index = 0 limit 1`,
      [packed.caseRunId, mixed.caseRunId],
    );
    expect(stored).toEqual({ packed: 'array', objects: 'object' });
    const a = (await report(packed, 100)).body.result;
    const b = (await report(mixed, 100)).body.result;
    expect(b.brokens).toEqual(a.brokens);
    // rows of the details: the same figures (their ids and creation times are their own case run's)
    const figures = (rows: Array<Record<string, unknown>>) =>
      rows.map((row) => Object.fromEntries(Object.entries(row).filter(([key, value]) => typeof value === 'number' || key === 'failedReason')));
    const [perfA, perfB] = [a, b].map((r) => figures([r.details.data[0].performance, ...r.details.data[0].detailDatas]));
    expect(perfB).toEqual(perfA);
    expect(perfB[0].requests).toBe(1000);
  });

  it('answers 404 for another tenant, a case run of another task run and unknown ids', async () => {
    const one = await recordRun();
    const two = await recordRun();
    expectErrorShape(await report(one, 10, 'proj-other'), 404);
    expectErrorShape(await report({ taskRunId: one.taskRunId, caseRunId: two.caseRunId }), 404);
    expectErrorShape(await report({ taskRunId: 999_999, caseRunId: one.caseRunId }), 404);
    const fresh = (await report(one)).body.result;
    expect(fresh.details.data[0].performance.requests).toBe(0);
    expect(fresh.brokens.commonTimestamps).toEqual([]);
  });

  it('folds a case run once for the v1 report and the merged reports: the second read, of either, comes from the one cache', async () => {
    const reads = {
      v1: (run: { taskRunId: number; caseRunId: number }) => report(run),
      outline: (run: { taskRunId: number }) => server.client.get(`/v2/proj-r/task-run-infos/${run.taskRunId}/reports/log-outline`),
      detail: (run: { taskRunId: number; caseRunId: number }) =>
        server.client.get(`/v2/proj-r/task-run-infos/${run.taskRunId}/case-run-infos/${run.caseRunId}/detail`),
    };
    // foldStats counts the folds of the whole process: first let the server's rollup job find
    // nothing to do, and keep the runs below from being rolled up meanwhile (running, or ended
    // within the grace), so that every fold counted is a read's.
    await new RollupJob(server.db, { graceSeconds: 0 }).runOnce();
    for (const status of [0, 2]) {
      for (const [first, second] of [
        ['v1', 'outline'],
        ['outline', 'v1'],
        ['detail', 'v1'],
      ] as const) {
        const run = await recordRun({ status });
        if (status === 2) await server.db.query(`update case_runs set ended_at = now() + interval '1 hour' where id = $1`, [run.caseRunId]);
        await insertRows(run.caseRunId, 0, 'worker-a', shareA());
        await insertRows(run.caseRunId, 1, 'worker-b', shareB());
        const before = { rows: foldStats.rows, rollups: rollupStats.read };
        expect((await reads[first](run)).status).toBe(200);
        // the first read folds every row
        expect(foldStats.rows - before.rows).toBe(40);
        const after = { rows: foldStats.rows, rollups: rollupStats.read };
        const res = await reads[second](run);
        expect(res.status, res.text).toBe(200);
        expect({ rows: foldStats.rows - after.rows, rollups: rollupStats.read - after.rollups }).toEqual({ rows: 0, rollups: 0 });
        // and the v1 report and the merged outline read the same figures from it
        const v1 = (await reads.v1(run)).body.result.details.data[0].performance;
        const outline = (await reads.outline(run)).body.result.outline.core_index;
        expect(outline.request_count).toBe(v1.requests);
        expect(foldStats.rows - after.rows).toBe(0);
      }
    }
  });

  it("counts exactly what a target served in a real engine run split over two workers' shares", async () => {
    let served = 0;
    const byPath = { a: 0, b: 0 };
    const target = http.createServer((req, res) => {
      served++;
      byPath[req.url === '/a' ? 'a' : 'b']++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
    try {
      const kase = {
        name: 'engine run',
        contents: [
          { data_type: 0, content: [{ content_type: 2, content: { protocol_type: 1, name: 'first', method: 'GET', url: `${url}a` } }] },
          { data_type: 0, content: [{ content_type: 2, content: { protocol_type: 1, name: 'second', method: 'GET', url: `${url}b` } }] },
        ],
        stages: [{ pressure_mode: 0, operate_mode: 0, time: 2, issue_num: 4 }],
      };
      const intervals: IntervalMessage[][] = [[], []];
      const startAt = Date.now() + 200;
      const runs = await Promise.all(
        [0, 1].map((index) =>
          startRun({ case: kase, share: { index, count: 2 }, options: { startAt }, onInterval: (i) => intervals[index].push(i) }),
        ),
      );
      await Promise.all(runs.map((r) => r.done));
      const run = await recordRun({ cards: [...runs[0].cards] });
      await insertRows(run.caseRunId, 0, 'worker-a', intervals[0]);
      await insertRows(run.caseRunId, 1, 'worker-b', intervals[1]);
      const r = (await report(run)).body.result;
      const perf = r.details.data[0].performance;
      expect(served).toBeGreaterThan(50);
      expect(perf.requests).toBe(served);
      expect(perf.successCount).toBe(served);
      // The plan's end halts: a pass cut after its first request records that request, not the
      // iteration (docs/run-lifecycle.md#stop), so every pass that sent `second` is one transaction.
      expect(perf.transactions).toBe(byPath.b);
      expect(byPath.a - byPath.b).toBeLessThanOrEqual(4);
      expect(r.details.data[0].detailDatas.map((d: { name: string; requests: number }) => [d.name, d.requests])).toEqual([
        ['first', byPath.a],
        ['second', byPath.b],
      ]);
      expect(r.outline.maxUsers).toBe(4);
    } finally {
      await new Promise((resolve) => target.close(resolve));
    }
  });
});

describe.each(backends())('reports of a task started through the API on %s (embedded worker)', (backend) => {
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

  it('reports, live and final, exactly what the target answered, and history lists the run', async () => {
    const { client } = server;
    const cases = [httpCase('alpha', `${target.url}/alpha`, [usersStage(3, 2)]), httpCase('beta', `${target.url}/beta`, [usersStage(2, 2)], 0)];
    const { suiteId, taskId } = await createTask(client, cases, true);
    const before = target.count;
    const taskRunId = await startTask(client, suiteId, taskId);
    const caseRunIds = (await taskInfo(client, taskId)).related_temp_running_data.map((d: { related_temp_running_id: number }) => d.related_temp_running_id);
    expect(caseRunIds).toHaveLength(2);
    const path = (caseRunId: number) => `/v1/${PROJECT}/task-run-infos/${taskRunId}/case-run-infos/${caseRunId}/reports`;

    // live reads while it runs: never fewer requests than the read before
    const live: number[] = [];
    for (let i = 0; i < 200 && ![2, 3, 4].includes((await taskInfo(client, taskId)).run_status); i++) {
      const res = await client.get(path(caseRunIds[0]), { query: { brokens_limit_count: 10 } });
      expect(res.status).toBe(200);
      live.push(res.body.result.details.data[0].performance.requests);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(live).toEqual([...live].sort((a, b) => a - b));
    const end = await waitForRunStatus(client, taskId, [2, 3, 4], 20_000);
    expect(end.status).toBe(2);
    const served = (await settled(() => target.count)) - before;

    const reports = await Promise.all(caseRunIds.map(async (id: number) => (await client.get(path(id))).body.result));
    const perf = reports.map((r) => r.details.data[0].performance);
    expect(perf[0].requests + perf[1].requests).toBe(served);
    expect(perf.map((p) => p.name)).toEqual(['alpha', 'beta']);
    expect(perf.every((p) => p.requests > 0 && p.successCount === p.requests && p.status === 2 && p.taskStatus === 2)).toBe(true);
    expect(live.every((n) => n <= perf[0].requests)).toBe(true);
    for (const r of reports) {
      expect(r.outline).toMatchObject({ taskStatus: 2, totalNum: 2, executedNum: 2, completeNum: 2, passNum: 2 });
      const rc = r.brokens.respcode_brokens;
      expect(rc.success.reduce((a: number, b: number) => a + b, 0)).toBe(r.details.data[0].performance.requests);
    }
    expect(reports[0].outline.maxUsers).toBe(3);
    expect(reports[0].details.data[0].detailDatas[0]).toMatchObject({ name: 'alpha-get', url: `${target.url}/alpha`, method: 'GET' });

    const history = await client.get(`/v1/${PROJECT}/tasks/history-run-list/${taskId}`);
    expect(history.body.log_list[0]).toMatchObject({ run_id: taskRunId, parallel: true, temp_names: [{ name: 'alpha' }, { name: 'beta' }] });
    expect(history.body.log_list[0].end_time).toMatch(ISO);
  });
});
