import type { FastifyPluginAsync, FastifyPluginOptions, RawServerBase } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/server.js';
import { bootstrapAdmin } from '../src/auth/accounts.js';
import {
  backends,
  expectErrorShape,
  freshDatabase,
  startTestServer,
  TEST_AK,
  TEST_SK,
  TestClient,
  type TestServer,
} from './helpers.js';

const TASK_INFO_KEYS = [
  'bench_concurrent',
  'case_list',
  'create_time',
  'description',
  'id',
  'name',
  'operate_mode',
  'parallel',
  'project_id',
  'related_temp_running_data',
  'run_status',
  'update_time',
];
const TASK_SUMMARY_KEYS = ['bench_concurrent', 'description', 'id', 'name', 'operate_mode', 'parallel', 'task_run_info', 'update_time'];
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$/;

describe.each(backends())('tasks on %s', (backend) => {
  let server: TestServer;
  let suiteA: number; // proj-a
  let suiteB: number; // proj-a, a second suite
  let suiteC: number; // proj-b

  const createSuite = async (project: string, name: string): Promise<number> => {
    const res = await server.client.post(`/v1/${project}/test-suites`, { name });
    expect(res.status).toBe(201);
    return res.body.project_id as number;
  };
  const createTask = async (project: string, suite: number, name: string, extra: object = {}): Promise<number> => {
    const res = await server.client.post(`/v1/${project}/tasks`, { name, project_id: suite, ...extra });
    expect(res.status).toBe(201);
    return res.body.task_id as number;
  };
  const createCase = async (project: string, taskId: number, name: string): Promise<number> => {
    const res = await server.client.post(`/v1/${project}/task-cases`, { name, type: 0, task_id: taskId });
    expect(res.status).toBe(201);
    return res.body.json.task_case_id as number;
  };
  const caseIdsOf = async (project: string, taskId: number): Promise<number[]> => {
    const res = await server.client.get(`/v1/${project}/tasks/${taskId}`);
    expect(res.status).toBe(200);
    return res.body.taskInfo.case_list.map((c: { case_id: number }) => c.case_id);
  };

  beforeAll(async () => {
    server = await startTestServer(backend);
    suiteA = await createSuite('proj-a', 'suite A');
    suiteB = await createSuite('proj-a', 'suite B');
    suiteC = await createSuite('proj-b', 'suite C');
  });
  afterAll(() => server.close());

  it('creates a task and reads it back with every taskInfo key', async () => {
    const res = await server.client.post('/v1/proj-a/tasks', {
      name: 'task one',
      project_id: suiteA,
      temps: [],
      operate_mode: 2,
      bench_concurrent: 50,
      cluster_id: 17,
      enterprise_project_id: '0',
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'message', 'task_id']);
    expect(res.body.code).toBe('SVCSTG.CPTS.0000000');
    expect(res.body.message).toBe('success');
    const id = res.body.task_id;
    expect(Number.isInteger(id)).toBe(true);

    const got = await server.client.get(`/v1/proj-a/tasks/${id}`);
    expect(got.status).toBe(200);
    expect(Object.keys(got.body).sort()).toEqual(['code', 'message', 'taskInfo']);
    const info = got.body.taskInfo;
    expect(Object.keys(info).sort()).toEqual(TASK_INFO_KEYS);
    expect(info).toMatchObject({
      id,
      name: 'task one',
      description: '',
      project_id: suiteA,
      parallel: false,
      bench_concurrent: 50,
      operate_mode: 2,
      case_list: [],
      related_temp_running_data: [],
      run_status: 2,
    });
    expect(info.create_time).toMatch(ISO_TIME);
    expect(info.update_time).toMatch(ISO_TIME);
  });

  it('applies the documented defaults to a minimal task', async () => {
    const id = await createTask('proj-a', suiteA, 'minimal');
    const info = (await server.client.get(`/v1/proj-a/tasks/${id}`)).body.taskInfo;
    expect(info.operate_mode).toBe(2);
    expect(info.bench_concurrent).toBe(100);
    expect(info.parallel).toBe(false);
  });

  it('refuses bad task bodies with 400 naming the field, and suites of other tenants with 404', async () => {
    const missing = await server.client.post('/v1/proj-a/tasks', { project_id: suiteA });
    expectErrorShape(missing, 400);
    expect(missing.body.error_msg).toMatch(/^name is required/);
    const noSuite = await server.client.post('/v1/proj-a/tasks', { name: 'x' });
    expectErrorShape(noSuite, 400);
    expect(noSuite.body.error_msg).toMatch(/^project_id is required/);
    const wrongType = await server.client.post('/v1/proj-a/tasks', { name: 'x', project_id: 'one' });
    expectErrorShape(wrongType, 400);
    expect(wrongType.body.error_msg).toMatch(/^project_id must be integer/);
    const range = await server.client.post('/v1/proj-a/tasks', { name: 'x', project_id: suiteA, operate_mode: 5 });
    expectErrorShape(range, 400);
    expect(range.body.error_msg).toMatch(/^operate_mode must be <= 2/);
    const bench = await server.client.post('/v1/proj-a/tasks', { name: 'x', project_id: suiteA, bench_concurrent: -1 });
    expectErrorShape(bench, 400);
    expect(bench.body.error_msg).toMatch(/^bench_concurrent must be >= 0/);
    const empty = await server.client.post('/v1/proj-a/tasks', { name: '', project_id: suiteA });
    expectErrorShape(empty, 400);
    expect(empty.body.error_msg).toMatch(/^name /);
    const noBody = await server.client.post('/v1/proj-a/tasks');
    expectErrorShape(noBody, 400);
    const otherTenant = await server.client.post('/v1/proj-a/tasks', { name: 'x', project_id: suiteC });
    expectErrorShape(otherTenant, 404);
    expect(otherTenant.body.error_msg).toBe(`test suite ${suiteC} does not exist`);
    const unsigned = await server.client.post('/v1/proj-a/tasks', { name: 'x', project_id: suiteA }, { auth: { kind: 'none' } });
    expectErrorShape(unsigned, 401);
  });

  it('answers 404 for tasks of another tenant or none, 400 for a non-integer id, 401 without a credential', async () => {
    const id = await createTask('proj-a', suiteA, 'private');
    for (const res of [
      await server.client.get(`/v1/proj-b/tasks/${id}`),
      await server.client.put(`/v1/proj-b/tasks/${id}`, { name: 'x', project_id: suiteA }),
      await server.client.delete(`/v1/proj-b/tasks/${id}`),
      await server.client.put(`/v3/proj-b/tasks/${id}`, { name: 'x', parallel: false, project_id: suiteA, operate_mode: 2, case_id_list: [] }),
      await server.client.get('/v1/proj-a/tasks/99999999'),
    ]) {
      expectErrorShape(res, 404);
      expect(res.body.error_msg).toMatch(/^task \d+ does not exist$/);
    }
    const bad = await server.client.get('/v1/proj-a/tasks/abc');
    expectErrorShape(bad, 400);
    expect(bad.body.error_msg).toMatch(/^path parameter task_id must be integer/);
    expectErrorShape(await server.client.get(`/v1/proj-a/tasks/${id}`, { auth: { kind: 'none' } }), 401);
    expectErrorShape(await server.client.delete(`/v1/proj-a/tasks/${id}`, { auth: { kind: 'none' } }), 401);
    expect((await server.client.get(`/v1/proj-a/tasks/${id}`)).status).toBe(200);
  });

  it('lists the tasks of a suite newest first, paged, with the reference keys', async () => {
    const suite = await createSuite('proj-a', 'listing');
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createTask('proj-a', suite, `t${i}`, { bench_concurrent: 10 + i }));
    const all = await server.client.get(`/v1/proj-a/all-tasks/${suite}`);
    expect(all.status).toBe(200);
    expect(Object.keys(all.body).sort()).toEqual(['code', 'extend', 'message', 'tasks']);
    expect(all.body.extend).toEqual([]);
    expect(all.body.tasks.map((t: { id: number }) => t.id)).toEqual([...ids].reverse());
    const first = all.body.tasks[0];
    expect(Object.keys(first).sort()).toEqual(TASK_SUMMARY_KEYS);
    expect(first).toMatchObject({ name: 't4', description: '', bench_concurrent: 14, operate_mode: 2, parallel: false, task_run_info: { id: 0, run_type: 0 } });
    expect(first.update_time).toMatch(ISO_TIME);

    const paged = await server.client.get(`/v1/proj-a/all-tasks/${suite}`, { query: { offset: 1, limit: 2 } });
    expect(paged.body.tasks.map((t: { id: number }) => t.id)).toEqual([ids[3], ids[2]]);
    const tooMany = await server.client.get(`/v1/proj-a/all-tasks/${suite}`, { query: { limit: 1001 } });
    expectErrorShape(tooMany, 400);
    expect(tooMany.body.error_msg).toMatch(/^query parameter limit must be <= 1000/);
    const negative = await server.client.get(`/v1/proj-a/all-tasks/${suite}`, { query: { offset: -1 } });
    expectErrorShape(negative, 400);
    expect(negative.body.error_msg).toMatch(/^query parameter offset/);
    expectErrorShape(await server.client.get(`/v1/proj-b/all-tasks/${suite}`), 404);
    expectErrorShape(await server.client.get(`/v1/proj-a/all-tasks/${suite}`, { auth: { kind: 'none' } }), 401);
    const none = await server.client.get(`/v1/proj-a/all-tasks/${suiteB}`);
    expect(none.body.tasks).toEqual([]);
  });

  it('modifies a task (old edition) and returns its taskInfo; run state in the body is ignored', async () => {
    const id = await createTask('proj-a', suiteA, 'before');
    const c1 = await createCase('proj-a', id, 'c1');
    const c2 = await createCase('proj-a', id, 'c2');
    const res = await server.client.put(`/v1/proj-a/tasks/${id}`, {
      id,
      name: 'after',
      description: 'renamed',
      project_id: suiteA,
      run_status: 0,
      run_type: 0,
      task_run_info: { id: 0, run_type: 0 },
      case_list: [],
      operate_mode: 1,
      bench_concurrent: 300,
      related_temp_running_data: [{ task_run_info_id: 325, related_temp_running_id: 350, temp_id: 0, temp_name: 'asdf' }],
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'message', 'taskInfo']);
    expect(res.body.taskInfo).toMatchObject({
      id,
      name: 'after',
      description: 'renamed',
      operate_mode: 1,
      bench_concurrent: 300,
      run_status: 2,
      related_temp_running_data: [],
    });
    // An empty case_list leaves the cases as they were.
    expect(res.body.taskInfo.case_list.map((c: { case_id: number }) => c.case_id)).toEqual([c1, c2]);
    const again = await server.client.get(`/v1/proj-a/tasks/${id}`);
    expect(again.body.taskInfo).toEqual(res.body.taskInfo);
  });

  it('applies a v1 case_list: listed cases are updated and come first, in order', async () => {
    const id = await createTask('proj-a', suiteA, 'case list');
    const c1 = await createCase('proj-a', id, 'c1');
    const c2 = await createCase('proj-a', id, 'c2');
    const c3 = await createCase('proj-a', id, 'c3');
    const info = (await server.client.get(`/v1/proj-a/tasks/${id}`)).body.taskInfo;
    const stages = [{ name: 'S1', operate_mode: 0, pressure_mode: 0, time: 30, issue_num: 4 }];
    const edited = { ...info.case_list[2], name: 'c3 renamed', stages };
    const res = await server.client.put(`/v1/proj-a/tasks/${id}`, { ...info, case_list: [edited, info.case_list[0]] });
    expect(res.status).toBe(200);
    const list = res.body.taskInfo.case_list;
    expect(list.map((c: { case_id: number }) => c.case_id)).toEqual([c3, c1, c2]);
    expect(list[0].name).toBe('c3 renamed');
    expect(list[0].stages).toEqual(stages);

    const notInTask = await createCase('proj-a', await createTask('proj-a', suiteA, 'other'), 'elsewhere');
    const foreign = await server.client.put(`/v1/proj-a/tasks/${id}`, { ...info, case_list: [{ case_id: notInTask }] });
    expectErrorShape(foreign, 400);
    expect(foreign.body.error_msg).toBe(`case_list[0].case_id ${notInTask} is not a case of task ${id}`);
    const noId = await server.client.put(`/v1/proj-a/tasks/${id}`, { ...info, case_list: [{ name: 'x' }] });
    expectErrorShape(noId, 400);
    expect(noId.body.error_msg).toBe('case_list[0].case_id is required');
    const missingCase = await server.client.put(`/v1/proj-a/tasks/${id}`, { ...info, case_list: [{ case_id: 99999999 }] });
    expectErrorShape(missingCase, 404);
    const badStage = await server.client.put(`/v1/proj-a/tasks/${id}`, {
      ...info,
      case_list: [{ case_id: c1, stages: [{ pressure_mode: 12 }] }],
    });
    expectErrorShape(badStage, 400);
    expect(badStage.body.error_msg).toMatch(/^case_list\[0\]\.stages\[0\]\.pressure_mode must be <= 7/);
    // A refused update changed nothing.
    expect(await caseIdsOf('proj-a', id)).toEqual([c3, c1, c2]);
  });

  it('refuses bad v1 updates: mismatched id, another suite, missing fields', async () => {
    const id = await createTask('proj-a', suiteA, 'strict');
    const mismatch = await server.client.put(`/v1/proj-a/tasks/${id}`, { id: id + 1000, name: 'x', project_id: suiteA });
    expectErrorShape(mismatch, 400);
    expect(mismatch.body.error_msg).toBe(`id ${id + 1000} does not match the task_id ${id} of the path`);
    const move = await server.client.put(`/v1/proj-a/tasks/${id}`, { name: 'x', project_id: suiteB });
    expectErrorShape(move, 400);
    expect(move.body.error_msg).toMatch(/^project_id /);
    const foreignSuite = await server.client.put(`/v1/proj-a/tasks/${id}`, { name: 'x', project_id: suiteC });
    expectErrorShape(foreignSuite, 404);
    const noName = await server.client.put(`/v1/proj-a/tasks/${id}`, { project_id: suiteA });
    expectErrorShape(noName, 400);
    expect(noName.body.error_msg).toMatch(/^name is required/);
    const badParallel = await server.client.put(`/v1/proj-a/tasks/${id}`, { name: 'x', project_id: suiteA, parallel: 'yes' });
    expectErrorShape(badParallel, 400);
    expect(badParallel.body.error_msg).toMatch(/^parallel must be boolean/);
    expect((await server.client.get(`/v1/proj-a/tasks/${id}`)).body.taskInfo.name).toBe('strict');
  });

  it('sets a task case list in order with the v3 update; a case may sit in two tasks', async () => {
    const t1 = await createTask('proj-a', suiteA, 'v3 one');
    const t2 = await createTask('proj-a', suiteA, 'v3 two');
    const a = await createCase('proj-a', t1, 'a');
    const b = await createCase('proj-a', t1, 'b');
    const c = await createCase('proj-a', t2, 'c');
    const res = await server.client.put(`/v3/proj-a/tasks/${t1}`, {
      name: 'v3 renamed',
      parallel: true,
      project_id: suiteA,
      operate_mode: 2,
      case_id_list: [c, b, a],
      cluster_id: 3,
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'message', 'taskInfo']);
    expect(Array.isArray(res.body.taskInfo)).toBe(false);
    expect(Object.keys(res.body.taskInfo).sort()).toEqual(TASK_INFO_KEYS);
    expect(res.body.taskInfo).toMatchObject({ id: t1, name: 'v3 renamed', parallel: true, operate_mode: 2 });
    expect(res.body.taskInfo.case_list.map((x: { case_id: number }) => x.case_id)).toEqual([c, b, a]);
    // c is now in both tasks.
    expect(await caseIdsOf('proj-a', t2)).toEqual([c]);
    const rename = await server.client.put(`/v1/proj-a/task-cases/${c}/target/name`, { name: 'c shared' });
    expect(rename.status).toBe(202);
    expect((await server.client.get(`/v1/proj-a/tasks/${t1}`)).body.taskInfo.case_list[0].name).toBe('c shared');
    expect((await server.client.get(`/v1/proj-a/tasks/${t2}`)).body.taskInfo.case_list[0].name).toBe('c shared');

    const reordered = await server.client.put(`/v3/proj-a/tasks/${t1}`, { name: 'v3', parallel: false, project_id: suiteA, operate_mode: 2, case_id_list: [a] });
    expect(reordered.body.taskInfo.case_list.map((x: { case_id: number }) => x.case_id)).toEqual([a]);
    const cleared = await server.client.put(`/v3/proj-a/tasks/${t1}`, { name: 'v3', parallel: false, project_id: suiteA, operate_mode: 2, case_id_list: [] });
    expect(cleared.body.taskInfo.case_list).toEqual([]);
    // Cases left out of a task still exist.
    expect(await caseIdsOf('proj-a', t2)).toEqual([c]);
  });

  it('refuses bad v3 updates without changing the task', async () => {
    const t = await createTask('proj-a', suiteA, 'v3 strict');
    const a = await createCase('proj-a', t, 'a');
    const otherSuiteTask = await createTask('proj-a', suiteB, 'in B');
    const inB = await createCase('proj-a', otherSuiteTask, 'in B');
    const foreignTask = await createTask('proj-b', suiteC, 'in C');
    const inC = await createCase('proj-b', foreignTask, 'in C');
    const body = { name: 'n', parallel: false, project_id: suiteA, operate_mode: 2 };
    const put = (extra: object) => server.client.put(`/v3/proj-a/tasks/${t}`, { ...body, ...extra });

    const dup = await put({ case_id_list: [a, a] });
    expectErrorShape(dup, 400);
    expect(dup.body.error_msg).toMatch(/^case_id_list must NOT have duplicate items/);
    const otherSuite = await put({ case_id_list: [a, inB] });
    expectErrorShape(otherSuite, 400);
    expect(otherSuite.body.error_msg).toMatch(new RegExp(`^case_id_list\\[1\\] case ${inB} belongs to test suite ${suiteB}`));
    const otherTenant = await put({ case_id_list: [inC] });
    expectErrorShape(otherTenant, 404);
    expect(otherTenant.body.error_msg).toBe(`case ${inC} does not exist`);
    const missingList = await server.client.put(`/v3/proj-a/tasks/${t}`, body);
    expectErrorShape(missingList, 400);
    expect(missingList.body.error_msg).toMatch(/^case_id_list is required/);
    const noParallel = await put({ parallel: undefined, case_id_list: [] });
    expectErrorShape(noParallel, 400);
    expect(noParallel.body.error_msg).toMatch(/^parallel is required/);
    const badItem = await put({ case_id_list: ['x'] });
    expectErrorShape(badItem, 400);
    expect(badItem.body.error_msg).toMatch(/^case_id_list\[0\] must be integer/);
    const badMode = await put({ operate_mode: 3, case_id_list: [] });
    expectErrorShape(badMode, 400);
    expect(badMode.body.error_msg).toMatch(/^operate_mode must be <= 2/);
    const move = await put({ project_id: suiteB, case_id_list: [] });
    expectErrorShape(move, 400);
    expectErrorShape(await server.client.put(`/v3/proj-a/tasks/${t}`, { ...body, case_id_list: [] }, { auth: { kind: 'none' } }), 401);

    const info = (await server.client.get(`/v1/proj-a/tasks/${t}`)).body.taskInfo;
    expect(info.name).toBe('v3 strict');
    expect(info.case_list.map((x: { case_id: number }) => x.case_id)).toEqual([a]);
  });

  it('applies concurrent case-list changes of one task one after the other', async () => {
    const t = await createTask('proj-a', suiteA, 'concurrent');
    const created = await Promise.all(
      Array.from({ length: 6 }, (_, i) => server.client.post('/v1/proj-a/task-cases', { name: `c${i}`, type: 0, task_id: t })),
    );
    expect(created.map((r) => r.status)).toEqual(Array(6).fill(201));
    const ids = created.map((r) => r.body.json.task_case_id as number);
    expect((await caseIdsOf('proj-a', t)).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    const lists = Array.from({ length: 6 }, (_, i) => [...ids.slice(i), ...ids.slice(0, i)]);
    const puts = await Promise.all(
      lists.map((case_id_list) =>
        server.client.put(`/v3/proj-a/tasks/${t}`, { name: 'concurrent', parallel: false, project_id: suiteA, operate_mode: 2, case_id_list }),
      ),
    );
    expect(puts.map((r) => r.status)).toEqual(Array(6).fill(200));
    const final = await caseIdsOf('proj-a', t);
    expect(lists).toContainEqual(final);
  });

  it('deletes a task: its cases stay, its associations go', async () => {
    const keep = await createTask('proj-a', suiteA, 'keeps');
    const doomed = await createTask('proj-a', suiteA, 'doomed');
    const shared = await createCase('proj-a', doomed, 'shared');
    const only = await createCase('proj-a', doomed, 'only in doomed');
    await server.client.put(`/v3/proj-a/tasks/${keep}`, { name: 'keeps', parallel: false, project_id: suiteA, operate_mode: 2, case_id_list: [shared] });

    expectErrorShape(await server.client.delete(`/v1/proj-b/tasks/${doomed}`), 404);
    const res = await server.client.delete(`/v1/proj-a/tasks/${doomed}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectErrorShape(await server.client.get(`/v1/proj-a/tasks/${doomed}`), 404);
    expectErrorShape(await server.client.delete(`/v1/proj-a/tasks/${doomed}`), 404);
    expect(await caseIdsOf('proj-a', keep)).toEqual([shared]);
    const rows = await server.db.query<{ n: number }>('select count(*)::int as n from task_cases where task_id = $1', [doomed]);
    expect(rows[0].n).toBe(0);
    const cases = await server.db.query<{ id: number }>('select id from cases where id = any(array[$1, $2]::bigint[]) order by id', [shared, only]);
    expect(cases.map((r) => r.id)).toEqual([shared, only]);
    // The orphaned case can still be attached again.
    const back = await server.client.put(`/v3/proj-a/tasks/${keep}`, { name: 'keeps', parallel: false, project_id: suiteA, operate_mode: 2, case_id_list: [only, shared] });
    expect(back.body.taskInfo.case_list.map((c: { case_id: number }) => c.case_id)).toEqual([only, shared]);
  });

  it('deleting a test suite removes its tasks and cases', async () => {
    const suite = await createSuite('proj-a', 'short-lived');
    const t = await createTask('proj-a', suite, 'gone');
    const c = await createCase('proj-a', t, 'gone too');
    expect((await server.client.delete(`/v1/proj-a/test-suites/${suite}`)).status).toBe(204);
    expectErrorShape(await server.client.get(`/v1/proj-a/tasks/${t}`), 404);
    expectErrorShape(await server.client.delete(`/v1/proj-a/task-cases/${c}`), 404);
    const left = await server.db.query<{ n: number }>(
      'select (select count(*) from tasks where id = $1)::int + (select count(*) from cases where id = $2)::int as n',
      [t, c],
    );
    expect(left[0].n).toBe(0);
  });
});

describe('task routing', () => {
  it('leaves tasks/history-run-list/{id} to its own route', async () => {
    const fresh = await freshDatabase('pglite');
    await bootstrapAdmin(fresh.db, { accessKey: TEST_AK, secretKey: TEST_SK, password: 'pw-routing-test' });
    const path = '/v1/:project_id/tasks/history-run-list/:task_id';
    const probe: FastifyPluginAsync<FastifyPluginOptions, RawServerBase> = async (instance) => {
      // The runs work registers the real route; probe only while it is absent.
      if (!instance.hasRoute({ method: 'GET', url: path })) instance.get(path, async () => ({ probe: 'history-run-list' }));
    };
    const app = await buildServer({
      db: fresh.db,
      logLevel: 'warn',
      extraRoutes: [probe],
    });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as { port: number };
      const client = new TestClient(`http://127.0.0.1:${port}`, { kind: 'sign', ak: TEST_AK, sk: TEST_SK });
      const res = await client.get('/v1/proj-a/tasks/history-run-list/123');
      // Either the probe or the real route answered: never the task route (whose task_id is an integer).
      if (res.status === 200 && res.body.probe) expect(res.body.probe).toBe('history-run-list');
      else expect(res.body.error_msg ?? '').not.toMatch(/task_id must be integer/);
      const task = await client.get('/v1/proj-a/tasks/123');
      expectErrorShape(task, 404);
      expect(task.body.error_msg).toBe('task 123 does not exist');
    } finally {
      await app.close();
      await fresh.drop();
    }
  });
});
