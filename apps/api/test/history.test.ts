/**
 * The offline report list over HTTP on real servers: runs recorded with SQL as the runner records
 * them come back newest first with the SDK's HistoryRunInfo keys and values; the static
 * `history-run-list` segment wins over `/tasks/{task_id}`; tenancy and unknown tasks are 404s. The
 * extra keys `reason` and `interruptions` carry why a run ended in 3 and what its case runs recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, expectErrorShape, startTestServer, type TestServer } from './helpers.js';

const KEYS = ['continue_time', 'dropped_starts', 'end_time', 'interruptions', 'name', 'parallel', 'reason', 'run_id', 'run_type', 'start_time', 'temp_names'];
const iso = (epochSecond: number) => new Date(epochSecond * 1000).toISOString().replace('Z', '+00:00');

describe.each(backends())('history on %s', (backend) => {
  let server: TestServer;
  let suite: number;
  let task: number;

  /** Records a task run with its case runs (names in position order). */
  const recordRun = async (opts: {
    start: number | null;
    created: number;
    end: number | null;
    status: number;
    parallel: boolean;
    cases: string[];
    reason?: string;
    interruptions?: unknown[];
  }) => {
    const [tr] = await server.db.query<{ id: number }>(
      `insert into task_runs(task_id, test_suite_id, name, parallel, status, reason, created_at, started_at, ended_at)
       values ($1, $2, 'nightly', $3, $4, $5, to_timestamp($6), to_timestamp($7), to_timestamp($8)) returning id`,
      [task, suite, opts.parallel, opts.status, opts.reason ?? null, opts.created, opts.start, opts.end],
    );
    // inserted out of position order on purpose; the first case run holds the interruptions
    for (const [i, name] of [...opts.cases.entries()].reverse()) {
      await server.db.query(
        `insert into case_runs(task_run_id, case_id, position, name, status, input, interruptions) values ($1, null, $2, $3, $4, '{}'::jsonb, $5::jsonb)`,
        [tr.id, i + 1, name, opts.status, i === 0 && opts.interruptions ? JSON.stringify(opts.interruptions) : null],
      );
    }
    return tr.id;
  };
  const gap = (worker: string, resumed: boolean) => ({
    share: 0,
    share_count: 1,
    worker,
    host: 'box',
    from: '2025-10-09T09:03:20.250Z',
    to: '2025-10-09T09:03:24.000Z',
    seconds: 3.75,
    reason: `worker ${worker} on box stopped heartbeating`,
    resumed,
  });

  beforeAll(async () => {
    server = await startTestServer(backend);
    suite = (await server.client.post('/v1/proj-h/test-suites', { name: 'history' })).body.project_id;
    task = (await server.client.post('/v1/proj-h/tasks', { name: 'nightly', project_id: suite })).body.task_id;
  });
  afterAll(() => server.close());

  it('lists every run newest first with the SDK keys', async () => {
    const empty = await server.client.get(`/v1/proj-h/tasks/history-run-list/${task}`);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ code: 'SVCSTG.CPTS.0000000', message: 'success', log_list: [] });

    const first = await recordRun({ created: 1_760_000_000, start: 1_760_000_001, end: 1_760_000_596, status: 2, parallel: false, cases: ['login', 'browse'] });
    const reason = 'worker died twice while running it (...): not resumed again';
    const aborted = await recordRun({
      created: 1_760_001_000,
      start: null,
      end: 1_760_001_000,
      status: 3,
      parallel: true,
      cases: ['login'],
      reason,
      interruptions: [gap('w1', true), gap('w2', false)],
    });
    const now = Math.floor(Date.now() / 1000);
    const running = await recordRun({ created: now - 31, start: now - 30, end: null, status: 0, parallel: true, cases: ['a', 'b', 'c'] });

    const res = await server.client.get(`/v1/proj-h/tasks/history-run-list/${task}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'log_list', 'message']);
    const list = res.body.log_list;
    expect(list.map((r: { run_id: number }) => r.run_id)).toEqual([running, aborted, first]);
    for (const r of list) expect(Object.keys(r).sort()).toEqual(KEYS);
    expect(list[2]).toEqual({
      name: `nightly_${iso(1_760_000_001)}`,
      run_id: first,
      run_type: 0,
      start_time: iso(1_760_000_001),
      end_time: iso(1_760_000_596),
      continue_time: 595,
      temp_names: [{ name: 'login' }, { name: 'browse' }],
      parallel: false,
      reason: null,
      interruptions: [],
      dropped_starts: 0,
    });
    expect(list[1]).toMatchObject({ start_time: iso(1_760_001_000), end_time: iso(1_760_001_000), continue_time: 0, parallel: true, reason });
    const [caseRun] = await server.db.query<{ id: number }>('select id from case_runs where task_run_id = $1', [aborted]);
    expect(list[1].interruptions).toEqual(
      [gap('w1', true), gap('w2', false)].map((g) => ({
        ...g,
        case_run_id: Number(caseRun.id),
        from: '2025-10-09T09:03:20.250+00:00',
        to: '2025-10-09T09:03:24.000+00:00',
      })),
    );
    expect(list[0]).toMatchObject({ start_time: iso(now - 30), end_time: null, temp_names: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
    expect(list[0].continue_time).toBeGreaterThanOrEqual(29);
    expect(list[0].continue_time).toBeLessThan(300);
  });

  it('wins over /tasks/{task_id}, which still answers the task', async () => {
    const history = await server.client.get(`/v1/proj-h/tasks/history-run-list/${task}`);
    expect(history.body).toHaveProperty('log_list');
    expect(history.body).not.toHaveProperty('taskInfo');
    const plain = await server.client.get(`/v1/proj-h/tasks/${task}`);
    expect(plain.status).toBe(200);
    expect(plain.body.taskInfo.id).toBe(task);
    expectErrorShape(await server.client.get('/v1/proj-h/tasks/history-run-list'), 400);
  });

  it('answers 404 for another tenant and an unknown task, 400 for a bad id', async () => {
    expectErrorShape(await server.client.get(`/v1/proj-other/tasks/history-run-list/${task}`), 404);
    expectErrorShape(await server.client.get('/v1/proj-h/tasks/history-run-list/987654'), 404);
    expectErrorShape(await server.client.get('/v1/proj-h/tasks/history-run-list/abc'), 400);
  });
});
