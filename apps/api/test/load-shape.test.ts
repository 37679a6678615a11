/**
 * POST /v1/{project_id}/load-shape over HTTP: the answer is the engine's own plan of the stages
 * (every pressure mode in one request), bad stages are a 400 naming each field, the route needs a
 * project-scoped credential and is described in /openapi.json with its request and answer schemas.
 */
import { loadShape, planStages } from '@perftest/engine';
import { LOAD_SHAPE_MAX_POINTS, type TestCaseStage } from '@perftest/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, expectErrorShape, startTestServer, type TestServer } from './helpers.js';

const PATH = '/v1/shape-project/load-shape';

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

describe.each(backends())('load shape (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.close());

  it('answers the engine plan of every pressure mode, with the gradient applied', async () => {
    const body = { stages: STAGES, increase_setting: [{ start_users: 2, total_increase: 8, level_percent: 50, stage_index: 0 }] };
    const res = await server.client.post(PATH, body);
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
    const res = await server.client.post(PATH, { stages: [{ pressure_mode: 2, time: 10, ramp_up: 20 }, { pressure_mode: 3, time: 10 }] });
    expectErrorShape(res, 400);
    for (const field of ['stages[0].issue_num', 'stages[0].ramp_up', 'stages[1].loop_count', 'stages[1].maximum', 'stages[1].max_duration']) {
      expect(res.body.error_msg).toContain(field);
    }
    const schema = await server.client.post(PATH, { stages: [{ pressure_mode: 9, time: 10 }] });
    expectErrorShape(schema, 400);
    expect(schema.body.error_msg).toMatch(/stages\/0\/pressure_mode|stages\[0\]\.pressure_mode/);
    const empty = await server.client.post(PATH, { stages: [] });
    expectErrorShape(empty, 400);
    expect(empty.body.error_msg).toContain('stages');
    const gradient = await server.client.post(PATH, { stages: [{ time: 10, issue_num: 1 }], increase_setting: [{ start_users: 1, total_increase: 1, level_percent: 1e-9 }] });
    expectErrorShape(gradient, 400);
    expect(gradient.body.error_msg).toContain('increase_setting[0].level_percent');
  });

  it('needs a credential and is in /openapi.json', async () => {
    expectErrorShape(await server.client.post(PATH, { stages: STAGES }, { auth: { kind: 'none' } }), 401);
    const doc = (await server.client.get('/openapi.json', { auth: { kind: 'none' } })).body;
    const op = doc.paths['/v1/{project_id}/load-shape'].post;
    expect(op.requestBody.content['application/json'].schema.properties.stages.maxItems).toBe(1024);
    expect(Object.keys(op.responses['200'].content['application/json'].schema.properties).sort()).toEqual(
      ['code', 'duration', 'max_users', 'message', 'points', 'stages'],
    );
  });
});
