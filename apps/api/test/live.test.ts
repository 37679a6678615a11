/**
 * The live stream of a real task run (two parallel cases against a local counting target, embedded
 * worker) over HTTP with a token, as the console reads it: an interval event every second of each
 * case run with no gap, status and end events, cumulative cards whose end equals the REST report
 * and the target's count; a viewer that disconnects and resumes with Last-Event-ID gets exactly the
 * events it missed (no gap, no duplicate), also from a second server on the same database (an API
 * restart); a viewer after the end gets the same events. Bad requests are 4xx naming the field.
 * On the same server, POST /v1/{project_id}/load-shape: the engine's own plan of the stages (every
 * pressure mode in one request), 400s naming each bad field, the OpenAPI description.
 */
import { loadShape, planStages } from '@perftest/engine';
import { LOAD_SHAPE_MAX_POINTS, type TestCaseStage } from '@perftest/model';
import { request as undiciRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveStats } from '../src/live/task-run-feed.js';
import { buildServer } from '../src/server.js';
import { backends, expectErrorShape, startTestServer, TEST_PASSWORD, type TestServer } from './helpers.js';
import { createTask, httpCase, PROJECT, settled, startTarget, startTask, tpsStage, type CountingTarget } from './runs-fixtures.js';

/** One server-sent event. */
interface SseEvent {
  event: string;
  id?: string;
  data: any;
  text: string;
}

/** Reads events from `url` until the stream ends or `stop(events)` says so (then it disconnects). */
async function readEvents(url: string, token: string, stop: (events: SseEvent[]) => boolean = () => false, lastEventId?: string): Promise<{ events: SseEvent[]; ended: boolean }> {
  const controller = new AbortController();
  const headers: Record<string, string> = { 'X-Auth-Token': token, Accept: 'text/event-stream' };
  if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
  const res = await undiciRequest(url, { headers, signal: controller.signal });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  const events: SseEvent[] = [];
  let buffer = '';
  try {
    for await (const chunk of res.body) {
      buffer += (chunk as Buffer).toString('utf8');
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const text = buffer.slice(0, cut + 2);
        buffer = buffer.slice(cut + 2);
        const fields: Record<string, string> = {};
        for (const line of text.split('\n')) {
          const colon = line.indexOf(': ');
          if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 2);
        }
        if (fields.data !== undefined) events.push({ event: fields.event, id: fields.id, data: JSON.parse(fields.data), text });
      }
      if (stop(events)) {
        controller.abort();
        return { events, ended: false };
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return { events, ended: true };
}

const SHAPE_PATH = `/v1/${PROJECT}/load-shape`;

/** One stage of every pressure mode, back to back. */
const STAGES: TestCaseStage[] = [
  { name: 'warm-up', pressure_mode: 0, time: 20, issue_num: 10, current_user_num: 0, ramp_up: 10 },
  { pressure_mode: 1, time: 10, tps_value: 25, issue_num: 5 },
  { pressure_mode: 2, time: 30, issue_num: 40, ramp_up: 15 },
  { pressure_mode: 3, time: 30, loop_count: 3, minimum: 2, maximum: 8, max_duration: 3 },
  { pressure_mode: 4, time: 20, loop_count: 2, minimum: 5, maximum: 50, max_duration: 2, issue_num: 10 },
  { pressure_mode: 5, time: 20, loop_count: 2, minimum: 1, maximum: 9 },
  { pressure_mode: 6, time: 20, loop_count: 1, minimum: 1, maximum: 4, issue_num: 3 },
  { pressure_mode: 7, time: 40, current_user_num: 5, step_size: 5, step_duration: 10, maximum: 30 },
];

const intervals = (events: SseEvent[]) => events.filter((e) => e.event === 'interval');

describe.each(backends())('live stream (%s)', (backend) => {
  let server: TestServer;
  let target: CountingTarget;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer(backend, { runs: { workers: 1 } });
    target = await startTarget();
    const auth = {
      identity: { methods: ['password'], password: { user: { name: 'admin', password: TEST_PASSWORD, domain: { name: 'admin' } } } },
      scope: { project: { id: PROJECT } },
    };
    token = (await server.client.post('/v3/auth/tokens', { auth }, { auth: { kind: 'none' } })).headers['x-subject-token'] as string;
  });
  afterAll(async () => {
    await server?.close();
    await target?.close();
  });

  it('streams every second of a real run, resumes without gap or duplicate, and ends with the report figures', async () => {
    const { client } = server;
    const cases = [httpCase('alpha', `${target.url}/alpha`, [tpsStage(20, 5, 4)], 0), httpCase('beta', `${target.url}/beta`, [tpsStage(10, 5, 2)], 0)];
    const { suiteId, taskId } = await createTask(client, cases, true);
    const before = target.count;
    const taskRunId = await startTask(client, suiteId, taskId);
    const url = `${server.baseUrl}/v1/${PROJECT}/task-run-infos/${taskRunId}/live`;

    // a viewer from the start to the end, and one that leaves after 3 intervals and comes back later
    const whole = readEvents(url, token);
    const first = await readEvents(url, token, (events) => intervals(events).length >= 3);
    await new Promise((r) => setTimeout(r, 2500));
    const lastId = intervals(first.events).at(-1)?.id as string;
    const resumed = readEvents(url, token, undefined, lastId);
    const { events, ended } = await whole;
    expect(ended).toBe(true);
    const rest = await resumed;
    expect(rest.ended).toBe(true);

    // the resumed viewer got exactly what it missed
    const ids = (list: SseEvent[]) => intervals(list).map((e) => e.id);
    expect([...ids(first.events), ...ids(rest.events)]).toEqual(ids(events));
    const texts = new Map(intervals(events).map((e) => [e.id, e.text]));
    for (const e of intervals(rest.events)) expect(e.text).toBe(texts.get(e.id));

    // each case run: consecutive seconds, cumulative cards that only grow, and status 0 then 2
    const caseRunIds = [...new Set(intervals(events).map((e) => e.data.case_run_id as number))];
    expect(caseRunIds).toHaveLength(2);
    let total = 0;
    for (const caseRunId of caseRunIds) {
      const own = intervals(events).filter((e) => e.data.case_run_id === caseRunId);
      const seconds = own.map((e) => e.data.second as number);
      expect(seconds.length).toBeGreaterThanOrEqual(4);
      expect(seconds).toEqual(seconds.map((_, i) => seconds[0] + i));
      for (const e of own) {
        expect(e.id).toBe(`${e.data.second}:${caseRunId}`);
        expect(e.data.time).toBe(new Date(e.data.second * 1000).toISOString());
        expect(e.data.rps).toBe(e.data.tps + Object.values(e.data.errors as Record<string, number>).reduce((a, b) => a + b, 0));
        expect(e.data.codes['2xx']).toBe(e.data.tps);
        expect(e.data.cards).toHaveLength(1);
      }
      const counts = own.map((e) => e.data.cards[0].count as number);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      expect(own.reduce((sum, e) => sum + e.data.rps, 0)).toBeLessThanOrEqual(counts.at(-1) as number);
      const statuses = events.filter((e) => e.event === 'status' && e.data.case_run_id === caseRunId);
      expect(['0,2', '9,0,2']).toContain(statuses.map((e) => e.data.status).join(',')); // 9 when it connected before dispatch
      const finalCards = statuses.at(-1)?.data.cards;
      expect(finalCards[0].count).toBe(counts.at(-1));
      const report = await client.get(`/v1/${PROJECT}/task-run-infos/${taskRunId}/case-run-infos/${caseRunId}/reports`);
      const row = report.body.result.details.data[0].detailDatas[0];
      expect(finalCards).toEqual([
        { key: row.detailId, name: row.name, count: row.requests, tps: row.tps, avg: row.averageRespTime, p90: row.tp90, p99: row.tp99, errors: row.errorCount },
      ]);
      expect(statuses.slice(0, -1).every((e) => !e.text.includes('cards'))).toBe(true);
      total += row.requests;
    }
    const last = events.at(-1) as SseEvent;
    expect(last.event).toBe('end');
    expect(last.data).toEqual({ task_run_id: taskRunId, status: 2, reason: null });
    expect(total).toBe((await settled(() => target.count)) - before);
    expect(total).toBeGreaterThan(100);

    // after the end: the same intervals, the final statuses, the end; from a second server on the
    // same database too (an API restart), resuming in the middle of a second
    // every viewer that left or was ended is cleaned up
    await settled(() => liveStats.streams, 200, 5_000);
    expect(liveStats.streams).toBe(0);
    const after = await readEvents(url, token);
    expect(ids(after.events)).toEqual(ids(events));
    expect(after.events.filter((e) => e.event !== 'interval').map((e) => e.event)).toEqual(['status', 'status', 'end']);
    const restarted = await buildServer({ db: server.db, logLevel: 'warn' });
    await restarted.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { port } = restarted.server.address() as { port: number };
      const middle = ids(events)[5] as string;
      const again = await readEvents(`http://127.0.0.1:${port}/v1/${PROJECT}/task-run-infos/${taskRunId}/live`, token, undefined, middle);
      expect(ids(again.events)).toEqual(ids(events).slice(6));
      const byId = new Map(intervals(events).map((e) => [e.id, e.data]));
      for (const e of intervals(again.events)) expect(e.data).toEqual(byId.get(e.id));
    } finally {
      await restarted.close();
    }
  });

  it('refuses bad requests with 4xx naming the field, and is in /openapi.json', async () => {
    const path = `/v1/${PROJECT}/task-run-infos/999999/live`;
    expectErrorShape(await server.client.get(path), 404);
    expectErrorShape(await server.client.get(path, { auth: { kind: 'none' } }), 401);
    const bad = await server.client.get(path, { headers: { 'Last-Event-ID': 'yesterday' } });
    expectErrorShape(bad, 400);
    expect(bad.body.error_msg).toContain('last-event-id');
    expectErrorShape(await server.client.get(`/v1/${PROJECT}/task-run-infos/0/live`), 400);
    const doc = (await server.client.get('/openapi.json', { auth: { kind: 'none' } })).body;
    const op = doc.paths['/v1/{project_id}/task-run-infos/{task_run_id}/live'].get;
    expect(Object.keys(op.responses['200'].content)).toEqual(['text/event-stream']);
    expect(op.parameters.map((p: { in: string; name: string }) => `${p.in}:${p.name}`)).toContain('header:last-event-id');
  });

  describe('load shape', () => {
    it('answers the engine plan of every pressure mode, with the gradient applied', async () => {
      const body = { stages: STAGES, increase_setting: [{ start_users: 2, total_increase: 8, level_percent: 50, stage_index: 0 }] };
      const res = await server.client.post(SHAPE_PATH, body);
      expect(res.status, res.text).toBe(200);
      const problems: never[] = [];
      const expected = loadShape(planStages(body, problems)!);
      expect(problems).toEqual([]);
      expect(res.body).toEqual({ code: 'SVCSTG.CPTS.0000000', message: 'success', ...expected });
      expect(res.body.duration).toBe(190);
      expect(res.body.max_users).toBe(40);
      expect(res.body.points.length).toBeLessThanOrEqual(LOAD_SHAPE_MAX_POINTS);
      expect(new Set(res.body.points.map((p: { stage: number }) => p.stage))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7]));
      // the gradient splits stage 0 into 2, 6 and 10 users; mode 7 climbs 5, 10, 15, 20 from t = 150
      expect(res.body.stages.filter((s: { stage: number }) => s.stage === 0).map((s: { duration: number }) => s.duration)).toEqual([20 / 3, 20 / 3, 20 / 3]);
      const climb = res.body.points.filter((p: { stage: number }) => p.stage === 7).map((p: { users: number }) => p.users);
      expect([...new Set(climb)]).toEqual([5, 10, 15, 20]);
    });

    it('names every bad field in a 400', async () => {
      const res = await server.client.post(SHAPE_PATH, { stages: [{ pressure_mode: 2, time: 10, ramp_up: 20 }, { pressure_mode: 3, time: 10 }] });
      expectErrorShape(res, 400);
      for (const field of ['stages[0].issue_num', 'stages[0].ramp_up', 'stages[1].loop_count', 'stages[1].maximum', 'stages[1].max_duration']) {
        expect(res.body.error_msg).toContain(field);
      }
      const schema = await server.client.post(SHAPE_PATH, { stages: [{ pressure_mode: 9, time: 10 }] });
      expectErrorShape(schema, 400);
      expect(schema.body.error_msg).toMatch(/stages\/0\/pressure_mode|stages\[0\]\.pressure_mode/);
      const empty = await server.client.post(SHAPE_PATH, { stages: [] });
      expectErrorShape(empty, 400);
      expect(empty.body.error_msg).toContain('stages');
      const gradient = await server.client.post(SHAPE_PATH, { stages: [{ time: 10, issue_num: 1 }], increase_setting: [{ start_users: 1, total_increase: 1, level_percent: 1e-9 }] });
      expectErrorShape(gradient, 400);
      expect(gradient.body.error_msg).toContain('increase_setting[0].level_percent');
    });

    it('needs a credential and is in /openapi.json', async () => {
      expectErrorShape(await server.client.post(SHAPE_PATH, { stages: STAGES }, { auth: { kind: 'none' } }), 401);
      const doc = (await server.client.get('/openapi.json', { auth: { kind: 'none' } })).body;
      const op = doc.paths['/v1/{project_id}/load-shape'].post;
      expect(op.requestBody.content['application/json'].schema.properties.stages.maxItems).toBe(1024);
      expect(Object.keys(op.responses['200'].content['application/json'].schema.properties).sort()).toEqual(
        ['code', 'duration', 'max_users', 'message', 'points', 'stages'],
      );
    });
  });
});
