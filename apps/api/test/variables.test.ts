import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../src/auth/accounts.js';
import { backends, expectErrorShape, startTestServer, TestClient, type TestServer } from './helpers.js';

const P = 'proj-var';
const DETAIL_KEYS = 'file_size,id,is_quoted,is_sensitive,name,share_mode,variable,variable_mode,variable_type';

describe.each(backends())('global variables on %s', (backend) => {
  let server: TestServer;
  let other: TestClient;
  let ts: number;
  let ts2: number;

  const list = async (suite: number, type = 0) => {
    const res = await server.client.get(`/v1/${P}/variables/${type}/test-suites/${suite}`);
    expect(res.status).toBe(200);
    return res.body.variable_list as Array<Record<string, any>>;
  };
  const rowCount = async (suite: number) =>
    (await server.db.query<{ n: number }>('select count(*)::int as n from variables where test_suite_id = $1', [suite]))[0].n;

  beforeAll(async () => {
    server = await startTestServer(backend);
    const b = await createAccount(server.db, 'tenant-b', ['proj-b'], { accessKey: 'AKVARTENANTB0001', secretKey: 'SKvartenantB' });
    other = new TestClient(server.baseUrl, { kind: 'sign', ak: b.accessKey, sk: b.secretKey });
    ts = (await server.client.post(`/v1/${P}/test-suites`, { name: 'vars' })).body.project_id;
    ts2 = (await server.client.post(`/v1/${P}/test-suites`, { name: 'vars-2' })).body.project_id;
  });
  afterAll(() => server.close());

  it('creates the reference example and lists it with the VariableDetail keys', async () => {
    const res = await server.client.post(`/v1/${P}/variables/${ts}`, [
      { name: 'varTest', variable_type: 1, variable: [1, 10], is_quoted: false },
    ]);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort().join(',')).toBe('code,json,message');
    expect(res.body.code).toBe('SVCSTG.CPTS.0000000');
    const id = res.body.json.variable_id;
    expect(typeof id).toBe('number');
    const [v] = await list(ts);
    expect(Object.keys(v).sort().join(',')).toBe(DETAIL_KEYS);
    expect(v).toEqual({
      file_size: 0,
      id,
      is_quoted: false,
      is_sensitive: false,
      name: 'varTest',
      share_mode: 0,
      variable: [1, 10],
      variable_mode: 0,
      variable_type: 1,
    });
  });

  it('creates several in one call, answers the first id, and keeps every type as sent', async () => {
    const body = [
      { name: 'host', variable_type: 2, variable: ['a.example', 'b.example'], variable_mode: 1, share_mode: 1, cluster_id: 7 },
      { name: 'users', variable_type: 3, variable: [['user', 'pwd'], ['alice', 'a,1'], ['bob', 'b2']] },
      { name: 'payload', variable_type: 5, variable: ['{"k": [1, 2]}'], is_sensitive: true },
      { name: 'lines', variable_type: 3, variable: ['id,code', '1,x', '2,y'] },
    ];
    const res = await server.client.post(`/v1/${P}/variables/${ts}`, body);
    expect(res.status).toBe(201);
    const all = await list(ts);
    const created = all.filter((v) => body.some((b) => b.name === v.name));
    expect(created.map((v) => v.name)).toEqual(['host', 'users', 'payload', 'lines']);
    expect(res.body.json.variable_id).toBe(created[0].id);
    expect(created[1].id).toBeGreaterThan(created[0].id);
    expect(created[0]).toMatchObject({ variable: ['a.example', 'b.example'], variable_mode: 1, share_mode: 1, variable_type: 2 });
    expect(created[0]).not.toHaveProperty('cluster_id');
    expect(created[1].variable).toEqual(body[1].variable);
    // user,pwd / alice,"a,1" / bob,b2, each line ending in \n: 28 bytes
    expect(created[1].file_size).toBe(28);
    expect(created[2]).toMatchObject({ variable: ['{"k": [1, 2]}'], is_sensitive: true, file_size: 0 });
    expect(created[3]).toMatchObject({ variable: ['id,code', '1,x', '2,y'], file_size: 16 });
  });

  it('selects one type with variable_type 1, 2, 3 or 5 and every type with 0', async () => {
    const all = await list(ts, 0);
    expect(all.length).toBe(5);
    for (const type of [1, 2, 3, 5]) {
      const some = await list(ts, type);
      expect(some.map((v) => v.id)).toEqual(all.filter((v) => v.variable_type === type).map((v) => v.id));
      expect(some.length).toBeGreaterThan(0);
    }
    const res = await server.client.get(`/v1/${P}/variables/4/test-suites/${ts}`);
    expectErrorShape(res, 400);
    expect(res.body.error_msg).toMatch(/^path parameter variable_type must be 0 \(every type\)/);
    expectErrorShape(await server.client.get(`/v1/${P}/variables/x/test-suites/${ts}`), 400);
  });

  it('writes none of an array whose third element is invalid, naming it', async () => {
    const before = await rowCount(ts);
    const res = await server.client.post(`/v1/${P}/variables/${ts}`, [
      { name: 'ok1', variable_type: 1, variable: [1, 2] },
      { name: 'ok2', variable_type: 2, variable: ['x'] },
      { variable_type: 2, variable: ['y'] },
    ]);
    expectErrorShape(res, 400);
    expect(res.body.error_msg).toBe('[2].name is required');
    const late = await server.client.post(`/v1/${P}/variables/${ts}`, [
      { name: 'ok1', variable_type: 1, variable: [1, 2] },
      { name: 'ok2', variable_type: 2, variable: ['x'] },
      { name: 'varTest', variable_type: 2, variable: ['y'] },
    ]);
    expectErrorShape(late, 409);
    expect(late.body.error_msg).toMatch(/^\[2\]\.name "varTest" is already used by variable \d+ of test suite/);
    expect(await rowCount(ts)).toBe(before);
  });

  it.each([
    [{ name: 'i', variable_type: 1, variable: [10, 1] }, '[0].variable min must not exceed max'],
    [{ name: 'i', variable_type: 1, variable: [1] }, '[0].variable of an integer variable must be [min, max]'],
    [{ name: 'i', variable_type: 1, variable: ['a', 3] }, '[0].variable[0] must be an integer'],
    [{ name: 'i', variable_type: 1, variable: [1.5, 3] }, '[0].variable[0] must be an integer'],
    [{ name: 'e', variable_type: 2, variable: [] }, '[0].variable of an enumeration variable must hold at least one value'],
    [{ name: 'e', variable_type: 2, variable: ['a', { b: 1 }] }, '[0].variable[1] must be a string, number or boolean'],
    [{ name: 'f', variable_type: 3, variable: [['user']] }, '[0].variable of a file variable needs a header row and at least one data row'],
    [{ name: 'f', variable_type: 3, variable: [['u', 'p'], ['a']] }, '[0].variable[1] has 1 cells, the header 2'],
    [{ name: 'f', variable_type: 3, variable: [['u', ''], ['a', 'b']] }, '[0].variable[0][1] must not be blank or begin or end with whitespace'],
    [{ name: 'f', variable_type: 3, variable: [['u'], 'a'] }, '[0].variable[1] must be a row (an array of cells)'],
    [{ name: 'f', variable_type: 3, variable: ['only,header'] }, '[0].variable of a file variable needs a header line and at least one data line'],
    [{ name: 't', variable_type: 5, variable: ['a', 'b'] }, '[0].variable of a text variable must hold exactly one string'],
    [{ name: 't', variable_type: 5, variable: [3] }, '[0].variable of a text variable must hold exactly one string'],
    [{ name: 'x', variable_type: 4, variable: [1] }, '[0].variable_type must be 1 (integer), 2 (enumeration), 3 (file) or 5 (text)'],
    [{ name: 'x', variable_type: '1', variable: [1, 2] }, '[0].variable_type must be integer'],
    [{ name: 5, variable_type: 1, variable: [1, 2] }, '[0].name must be string'],
    [{ name: '', variable_type: 1, variable: [1, 2] }, '[0].name must NOT have fewer than 1 characters'],
    [{ name: 'a{b}', variable_type: 1, variable: [1, 2] }, '[0].name must not contain { or }'],
    [{ name: 'v', variable_type: 1 }, '[0].variable is required'],
    [{ name: 'v', variable_type: 1, variable: '1,2' }, '[0].variable must be array'],
    [{ name: 'v', variable_type: 1, variable: [1, 2], variable_mode: 2 }, '[0].variable_mode must be <= 1'],
  ])('refuses %j with a 400 naming the field', async (variable, message) => {
    const res = await server.client.post(`/v1/${P}/variables/${ts}`, [variable]);
    expectErrorShape(res, 400);
    expect(res.body.error_msg).toBe(message);
  });

  it('refuses bodies that are not a non-empty array and names repeated within one body', async () => {
    const notArray = await server.client.post(`/v1/${P}/variables/${ts}`, { name: 'v', variable_type: 1, variable: [1, 2] });
    expectErrorShape(notArray, 400);
    expect(notArray.body.error_msg).toBe('body must be array');
    expectErrorShape(await server.client.post(`/v1/${P}/variables/${ts}`, []), 400);
    const twice = await server.client.post(`/v1/${P}/variables/${ts}`, [
      { name: 'same', variable_type: 1, variable: [1, 2] },
      { name: 'same', variable_type: 2, variable: ['x'] },
    ]);
    expectErrorShape(twice, 400);
    expect(twice.body.error_msg).toBe('[1].name "same" is also the name of [0]');
  });

  it('updates in one transaction, keeps settings a body leaves out, and swaps names', async () => {
    const all = await list(ts);
    const host = all.find((v) => v.name === 'host') as Record<string, any>;
    const payload = all.find((v) => v.name === 'payload') as Record<string, any>;
    const res = await server.client.put(`/v1/${P}/variables/${ts}`, [
      { id: host.id, name: 'payload', variable_type: 1, variable: ['5', '9'] },
      { id: payload.id, name: 'host', variable_type: 5, variable: ['text'], share_mode: 0 },
    ]);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ code: 'SVCSTG.CPTS.0000000', message: 'success', json: { variable_id: host.id } });
    const after = await list(ts);
    expect(after.find((v) => v.id === host.id)).toMatchObject({
      name: 'payload',
      variable_type: 1,
      variable: ['5', '9'],
      variable_mode: 1,
      share_mode: 1,
    });
    expect(after.find((v) => v.id === payload.id)).toMatchObject({ name: 'host', variable: ['text'], is_sensitive: true });
  });

  it('refuses updates of unknown, foreign or repeated ids and changes nothing', async () => {
    const before = await list(ts);
    const first = before[0];
    const foreign = await server.client.post(`/v1/${P}/variables/${ts2}`, [{ name: 'elsewhere', variable_type: 2, variable: ['z'] }]);
    const foreignId = foreign.body.json.variable_id;
    const res = await server.client.put(`/v1/${P}/variables/${ts}`, [
      { id: first.id, name: 'renamed', variable_type: 1, variable: [1, 3] },
      { id: foreignId, name: 'elsewhere', variable_type: 2, variable: ['z'] },
    ]);
    expectErrorShape(res, 404);
    expect(res.body.error_msg).toBe(`variable ${foreignId} does not exist`);
    const missingId = await server.client.put(`/v1/${P}/variables/${ts}`, [{ name: 'n', variable_type: 1, variable: [1, 3] }]);
    expectErrorShape(missingId, 400);
    expect(missingId.body.error_msg).toBe('[0].id is required');
    const repeated = await server.client.put(`/v1/${P}/variables/${ts}`, [
      { id: first.id, name: 'n1', variable_type: 1, variable: [1, 3] },
      { id: first.id, name: 'n2', variable_type: 1, variable: [1, 3] },
    ]);
    expectErrorShape(repeated, 400);
    expect(repeated.body.error_msg).toBe(`[1].id ${first.id} is also the id of [0]`);
    const clash = await server.client.put(`/v1/${P}/variables/${ts}`, [
      { id: first.id, name: before[1].name, variable_type: 1, variable: [1, 3] },
    ]);
    expectErrorShape(clash, 409);
    expect(clash.body.error_msg).toContain(`[0].name "${before[1].name}" is already used by variable ${before[1].id}`);
    expect(await list(ts)).toEqual(before);
  });

  it('lets exactly one of several concurrent creates of one name through', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.client.post(`/v1/${P}/variables/${ts2}`, [{ name: 'raced', variable_type: 1, variable: [i, i + 1] }]),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(19).fill(409)]);
    expect((await list(ts2)).filter((v) => v.name === 'raced').length).toBe(1);
  });

  it('marks a variable quoted when a case or transaction references it', async () => {
    await server.client.post(`/v1/${P}/templates`, {
      project_id: ts,
      temp_type: 0,
      name: 'uses-vars',
      contents: [{ content: [{ content_type: 2, content: { url: 'http://127.0.0.1/${varTest}?u=${user}' } }] }],
    });
    const all = await list(ts);
    expect(all.find((v) => v.name === 'varTest')?.is_quoted).toBe(true);
    expect(all.find((v) => v.name === 'users')?.is_quoted).toBe(true);
    expect(all.find((v) => v.name === 'lines')?.is_quoted).toBe(false);
  });

  it('deletes with variable_id and test_suite_id, then answers 404', async () => {
    const [victim] = (await list(ts)).filter((v) => v.name === 'lines');
    const wrongSuite = await server.client.delete(`/v1/${P}/variables`, { query: { variable_id: victim.id, test_suite_id: ts2 } });
    expectErrorShape(wrongSuite, 404);
    const res = await server.client.delete(`/v1/${P}/variables`, { query: { variable_id: victim.id, test_suite_id: ts } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 'SVCSTG.CPTS.0000000', message: 'success' });
    expect((await list(ts)).some((v) => v.id === victim.id)).toBe(false);
    const again = await server.client.delete(`/v1/${P}/variables`, { query: { variable_id: victim.id, test_suite_id: ts } });
    expectErrorShape(again, 404);
    expect(again.body.error_msg).toBe(`variable ${victim.id} does not exist`);
    const noId = await server.client.delete(`/v1/${P}/variables`, { query: { test_suite_id: ts } });
    expectErrorShape(noId, 400);
    expect(noId.body.error_msg).toBe('query parameter variable_id is required');
    expectErrorShape(await server.client.delete(`/v1/${P}/variables`, { query: { variable_id: 'x', test_suite_id: ts } }), 400);
  });

  it('answers 404 for test suites and variables of another tenant', async () => {
    const [v] = await list(ts);
    const checks = [
      await other.get(`/v1/proj-b/variables/0/test-suites/${ts}`),
      await other.post(`/v1/proj-b/variables/${ts}`, [{ name: 'intruder', variable_type: 1, variable: [1, 2] }]),
      await other.put(`/v1/proj-b/variables/${ts}`, [{ id: v.id, name: 'intruder', variable_type: 1, variable: [1, 2] }]),
      await other.delete('/v1/proj-b/variables', { query: { variable_id: v.id, test_suite_id: ts } }),
      await server.client.get(`/v1/another-project/variables/0/test-suites/${ts}`),
      await server.client.get(`/v1/${P}/variables/0/test-suites/999999`),
    ];
    for (const res of checks) expectErrorShape(res, 404);
    expect(checks[0].body.error_msg).toBe(`test suite ${ts} does not exist`);
    expect((await list(ts)).find((x) => x.id === v.id)).toEqual(v);
  });
});
