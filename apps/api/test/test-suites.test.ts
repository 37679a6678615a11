import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../src/auth/accounts.js';
import { backends, expectErrorShape, startTestServer, TestClient, type TestServer } from './helpers.js';

const P = 'proj-suites';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$/;
const LIST_KEYS = 'CreateTime,UpdateTime,description,external_params,id,name,source,variables_no_file';
const PROJECT_KEYS = 'create_time,description,group,id,name,source,update_time';

describe.each(backends())('test suites (projects) on %s', (backend) => {
  let server: TestServer;
  let other: TestClient;
  const ids: number[] = [];

  const count = async (table: string, suite: number) =>
    (await server.db.query<{ n: number }>(`select count(*)::int as n from ${table} where test_suite_id = $1`, [suite]))[0].n;

  beforeAll(async () => {
    server = await startTestServer(backend);
    const b = await createAccount(server.db, 'tenant-b', ['proj-b'], { accessKey: 'AKSUITETENANTB01', secretKey: 'SKsuitetenantB' });
    other = new TestClient(server.baseUrl, { kind: 'sign', ak: b.accessKey, sk: b.secretKey });
  });
  afterAll(() => server.close());

  it('creates the reference example (201 with project_id) and reads it with create_time/update_time', async () => {
    const res = await server.client.post(`/v1/${P}/test-suites`, { name: 'createProjectTest', description: 'description' });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort().join(',')).toBe('code,message,project_id');
    expect(res.body.code).toBe('SVCSTG.CPTS.0000000');
    ids.push(res.body.project_id);
    const got = await server.client.get(`/v1/${P}/test-suites/${ids[0]}`);
    expect(got.status).toBe(200);
    const project = got.body.project;
    expect(Object.keys(project).sort().join(',')).toBe(PROJECT_KEYS);
    expect(project).toMatchObject({ id: ids[0], name: 'createProjectTest', description: 'description', group: P, source: 0 });
    expect(project.create_time).toMatch(ISO);
    expect(project.update_time).toMatch(ISO);
  });

  it('lists pages with CreateTime/UpdateTime keys, oldest first', async () => {
    for (const name of ['second', 'third']) ids.push((await server.client.post(`/v1/${P}/test-suites`, { name, extra: true })).body.project_id);
    await server.client.post('/v1/someone-else/test-suites', { name: 'not mine' });
    const all = await server.client.get(`/v1/${P}/test-suites`);
    expect(all.status).toBe(200);
    const projects = all.body.projects as Array<Record<string, any>>;
    expect(projects.map((p) => p.id)).toEqual(ids);
    for (const p of projects) {
      expect(Object.keys(p).sort().join(',')).toBe(LIST_KEYS);
      expect(p.CreateTime).toMatch(ISO);
      expect(p.UpdateTime).toMatch(ISO);
    }
    expect(projects[1]).toMatchObject({ name: 'second', description: '', variables_no_file: [], source: 0, external_params: {} });
    const page = await server.client.get(`/v1/${P}/test-suites`, { query: { offset: 1, limit: 1 } });
    expect(page.body.projects.map((p: { id: number }) => p.id)).toEqual([ids[1]]);
    const past = await server.client.get(`/v1/${P}/test-suites`, { query: { offset: 10 } });
    expect(past.body.projects).toEqual([]);
    const bad = await server.client.get(`/v1/${P}/test-suites`, { query: { offset: -1 } });
    expectErrorShape(bad, 400);
    expect(bad.body.error_msg).toBe('query parameter offset must be >= 0');
    const big = await server.client.get(`/v1/${P}/test-suites`, { query: { limit: 'many' } });
    expectErrorShape(big, 400);
    expect(big.body.error_msg).toBe('query parameter limit must be integer');
  });

  it('updates with the reference body (204) and keeps fields a body leaves out', async () => {
    const id = ids[1];
    const res = await server.client.put(`/v1/${P}/test-suites/${id}`, {
      id,
      name: 'ProjectTest',
      description: 'described',
      variables_no_file: ['user'],
      source: 2,
      external_params: { k: 'v' },
    });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const again = await server.client.put(`/v1/${P}/test-suites/${id}`, { name: 'Renamed' });
    expect(again.status).toBe(204);
    const got = (await server.client.get(`/v1/${P}/test-suites/${id}`)).body.project;
    expect(got).toMatchObject({ name: 'Renamed', description: 'described', source: 2 });
    const listed = (await server.client.get(`/v1/${P}/test-suites`)).body.projects.find((p: { id: number }) => p.id === id);
    expect(listed).toMatchObject({ name: 'Renamed', variables_no_file: ['user'], external_params: { k: 'v' }, source: 2 });
  });

  it.each([
    ['post', {}, 'name is required'],
    ['post', { name: 7 }, 'name must be string'],
    ['post', { name: '' }, 'name must NOT have fewer than 1 characters'],
    ['post', { name: 'x', description: ['d'] }, 'description must be string or null'],
    ['put', { description: 'd' }, 'name is required'],
    ['put', { name: 'x', variables_no_file: 'user' }, 'variables_no_file must be array or null'],
    ['put', { name: 'x', source: 'zero' }, 'source must be integer or null'],
  ])('refuses a %s of %j with a 400 naming the field', async (method, body, message) => {
    const res =
      method === 'post'
        ? await server.client.post(`/v1/${P}/test-suites`, body)
        : await server.client.put(`/v1/${P}/test-suites/${ids[0]}`, body);
    expectErrorShape(res, 400);
    expect(res.body.error_msg).toBe(message);
  });

  it('refuses malformed JSON and a non-integer id', async () => {
    const res = await server.client.post(`/v1/${P}/test-suites`, undefined, { rawBody: '{"name": ' });
    expectErrorShape(res, 400);
    expect(res.body.error_msg).toMatch(/^body is not valid JSON/);
    const badId = await server.client.get(`/v1/${P}/test-suites/abc`);
    expectErrorShape(badId, 400);
    expect(badId.body.error_msg).toBe('path parameter test_suite_id must be integer');
  });

  it('answers the import progress without reading "upload" as a project id', async () => {
    const res = await server.client.get(`/v1/${P}/test-suites/upload/processes`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 'SVCSTG.CPTS.0000000', message: 'success', json: { details: [], process_status: 1 }, extend: '' });
  });

  it('answers 404 for a test suite of another tenant and for one that does not exist', async () => {
    const id = ids[0];
    const checks = [
      await other.get(`/v1/proj-b/test-suites/${id}`),
      await other.put(`/v1/proj-b/test-suites/${id}`, { name: 'stolen' }),
      await other.delete(`/v1/proj-b/test-suites/${id}`),
      await server.client.get(`/v1/another-project/test-suites/${id}`),
      await server.client.get(`/v1/${P}/test-suites/999999`),
      await server.client.delete(`/v1/${P}/test-suites/999999`),
    ];
    for (const res of checks) expectErrorShape(res, 404);
    expect(checks[0].body.error_msg).toBe(`test suite ${id} does not exist`);
    expect((await other.get('/v1/proj-b/test-suites')).body.projects).toEqual([]);
    expect((await server.client.get(`/v1/${P}/test-suites/${id}`)).body.project.name).toBe('createProjectTest');
  });

  it('deletes a project with its variables and transactions (204, no rows left)', async () => {
    const id = ids[2];
    const vars = await server.client.post(`/v1/${P}/variables/${id}`, [
      { name: 'a', variable_type: 1, variable: [1, 5] },
      { name: 'b', variable_type: 2, variable: ['x'] },
    ]);
    expect(vars.status).toBe(201);
    const temp = await server.client.post(`/v1/${P}/templates`, { project_id: id, temp_type: 0, name: 't', contents: [] });
    expect(temp.status).toBe(201);
    expect(await count('variables', id)).toBe(2);
    expect(await count('templates', id)).toBe(1);
    const res = await server.client.delete(`/v1/${P}/test-suites/${id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await count('variables', id)).toBe(0);
    expect(await count('templates', id)).toBe(0);
    expectErrorShape(await server.client.get(`/v1/${P}/test-suites/${id}`), 404);
    expectErrorShape(await server.client.get(`/v1/${P}/templates/${temp.body.tempId}`), 404);
    expectErrorShape(await server.client.get(`/v1/${P}/variables/0/test-suites/${id}`), 404);
    expect((await server.client.get(`/v1/${P}/test-suites`)).body.projects.map((p: { id: number }) => p.id)).toEqual(ids.slice(0, 2));
  });
});
