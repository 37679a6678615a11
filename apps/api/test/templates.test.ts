import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../src/auth/accounts.js';
import { backends, expectErrorShape, startTestServer, TestClient, type TestServer } from './helpers.js';

const P = 'proj-temp';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$/;
const TEMP_INFO_KEYS = 'contents,description,enable_pre,for_loop_params,id,logic_controller,name,project_id,temp_type,variables';

/** A packet card as the reference's 4.5.3 example writes it, unknown keys included. */
const packetCard = (contentId: number) => ({
  content_id: contentId,
  content: [
    {
      content_type: 2,
      content: {
        _addressValue: 'http://127.0.0.1',
        body_type: 0,
        bodys: [],
        check_end_length: null,
        check_end_str: null,
        check_end_type: null,
        connect_timeout: 5000,
        connect_type: 1,
        headers: [{ key: 'Content-Type', value: 'application/json' }],
        http_version: 'HTTP/1.1',
        method: 'GET',
        name: 'Msg-8015',
        protocol_type: 1,
        return_timeout: 5000,
        return_timeout_param: null,
        url: 'http://127.0.0.1/${host}/päth?q=1',
      },
    },
  ],
  index: -1,
  selected_temp_name: '',
  data: null,
  data_type: 0,
  conditions: null,
  is_disabled: false,
  is_continue: false,
});

describe.each(backends())('transactions on %s', (backend) => {
  let server: TestServer;
  let other: TestClient;
  let ts: number;
  let ts2: number;

  const create = (body: Record<string, unknown>) => server.client.post(`/v1/${P}/templates`, body);
  const show = async (id: number) => {
    const res = await server.client.get(`/v1/${P}/templates/${id}`);
    expect(res.status).toBe(200);
    return res.body.temp_info as Record<string, any>;
  };

  beforeAll(async () => {
    server = await startTestServer(backend);
    const b = await createAccount(server.db, 'tenant-b', ['proj-b'], { accessKey: 'AKTEMPTENANTB001', secretKey: 'SKtemptenantB' });
    other = new TestClient(server.baseUrl, { kind: 'sign', ak: b.accessKey, sk: b.secretKey });
    ts = (await server.client.post(`/v1/${P}/test-suites`, { name: 'temps' })).body.project_id;
    ts2 = (await server.client.post(`/v1/${P}/test-suites`, { name: 'temps-2' })).body.project_id;
  });
  afterAll(() => server.close());

  it('creates the reference example and reads it back as TempInfo', async () => {
    const res = await create({ project_id: ts, temp_type: 0, name: 'testTemp', contents: [] });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort().join(',')).toBe('code,message,tempId');
    expect(res.body.code).toBe('SVCSTG.CPTS.0000000');
    const info = await show(res.body.tempId);
    expect(Object.keys(info).sort().join(',')).toBe(TEMP_INFO_KEYS);
    expect(info).toEqual({
      id: res.body.tempId,
      project_id: ts,
      name: 'testTemp',
      description: '',
      variables: null,
      contents: [],
      temp_type: 0,
      for_loop_params: [],
      logic_controller: { for_loop_params: null, condition: null },
      enable_pre: false,
    });
  });

  it('reads back exactly the contents it was given, unknown keys and unicode included', async () => {
    const contents = [packetCard(0), { content_id: 0, data_type: 201, data: { count: 3, contents: [packetCard(0)] }, index: 1 }];
    const res = await create({ project_id: ts, temp_type: 0, name: 'full', description: 'd ✓', contents, cluster_id: 9 });
    expect(res.status).toBe(201);
    const info = await show(res.body.tempId);
    expect(info.contents).toEqual(contents);
    expect(info.description).toBe('d ✓');
    expect(info).not.toHaveProperty('cluster_id');
  });

  it('updates with the reference 4.5.4 body (204) and keeps what a body leaves out', async () => {
    const id = (await create({ project_id: ts, temp_type: 0, name: 'to-update', description: 'keep me', contents: [packetCard(0)] })).body
      .tempId;
    const newContents = [{ ...packetCard(2346), index: 0 }];
    const body = {
      contents: newContents,
      enable_pre: false,
      for_loop_params: [{ loops: 2 }],
      id,
      name: 'transaction_test',
      project_id: ts,
      temp_type: 0,
    };
    const res = await server.client.put(`/v1/${P}/templates/${id}`, body);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const info = await show(id);
    expect(info).toMatchObject({ id, project_id: ts, name: 'transaction_test', description: 'keep me', for_loop_params: [{ loops: 2 }] });
    expect(info.contents).toEqual(newContents);
    const renamed = await server.client.put(`/v1/${P}/templates/${id}`, { name: 'only-name', id: 0, project_id: 0 });
    expect(renamed.status).toBe(204);
    const after = await show(id);
    expect(after.name).toBe('only-name');
    expect(after.contents).toEqual(newContents);
    expect(after.for_loop_params).toEqual([{ loops: 2 }]);
  });

  it('lists a page of transactions with the TempDetailInfo keys and reference status', async () => {
    const res = await server.client.get(`/v1/${P}/all-templates/${ts}`);
    expect(res.status).toBe(200);
    const temps = res.body.temps as Array<Record<string, any>>;
    expect(temps.map((t) => t.name)).toEqual(['testTemp', 'full', 'only-name']);
    for (const t of temps) {
      expect(Object.keys(t).sort().join(',')).toBe('description,id,is_quoted,name,temp_type,update_time');
      expect(t.update_time).toMatch(ISO);
    }
    expect(temps.every((t) => t.is_quoted === false)).toBe(true);
    const user = await create({ project_id: ts, temp_type: 0, name: 'user', contents: [{ content_id: temps[0].id, index: 0 }] });
    expect(user.status).toBe(201);
    const quoted = (await server.client.get(`/v1/${P}/all-templates/${ts}`)).body.temps as Array<Record<string, any>>;
    expect(quoted.map((t) => t.is_quoted)).toEqual([true, false, false, false]);
    const page = await server.client.get(`/v1/${P}/all-templates/${ts}`, { query: { offset: 1, limit: 2 } });
    expect(page.body.temps.map((t: { name: string }) => t.name)).toEqual(['full', 'only-name']);
    const end = await server.client.get(`/v1/${P}/all-templates/${ts}`, { query: { offset: 4, limit: 2 } });
    expect(end.body.temps).toEqual([]);
    const empty = await server.client.get(`/v1/${P}/all-templates/${ts2}`);
    expect(empty.body).toEqual({ code: 'SVCSTG.CPTS.0000000', message: 'success', temps: [] });
    const badLimit = await server.client.get(`/v1/${P}/all-templates/${ts}`, { query: { limit: 0 } });
    expectErrorShape(badLimit, 400);
    expect(badLimit.body.error_msg).toBe('query parameter limit must be >= 1');
  });

  it.each([
    [{ temp_type: 0, name: 'x' }, 'project_id is required'],
    [{ project_id: 'one', temp_type: 0, name: 'x' }, 'project_id must be integer'],
    [{ project_id: 1, name: 'x' }, 'temp_type is required'],
    [{ project_id: 1, temp_type: 0 }, 'name is required'],
    [{ project_id: 1, temp_type: 0, name: '' }, 'name must NOT have fewer than 1 characters'],
    [{ project_id: 1, temp_type: 0, name: 'x', contents: {} }, 'contents must be array or null'],
    [{ project_id: 1, temp_type: 0, name: 'x', contents: [{ content_id: 'a' }] }, 'contents[0].content_id must be integer or null'],
    [{ project_id: 1, temp_type: 0, name: 'x', description: 5 }, 'description must be string or null'],
  ])('refuses to create %j with a 400 naming the field', async (body, message) => {
    const res = await create(body);
    expectErrorShape(res, 400);
    expect(res.body.error_msg).toBe(message);
  });

  it('refuses a repeated name (409), a foreign test suite and a mismatched project_id', async () => {
    const dup = await create({ project_id: ts, temp_type: 0, name: 'full' });
    expectErrorShape(dup, 409);
    expect(dup.body.error_msg).toMatch(/^name "full" is already used by transaction \d+ of test suite \d+$/);
    const sameNameElsewhere = await create({ project_id: ts2, temp_type: 0, name: 'full' });
    expect(sameNameElsewhere.status).toBe(201);
    expectErrorShape(await create({ project_id: 999999, temp_type: 0, name: 'nowhere' }), 404);
    const id = sameNameElsewhere.body.tempId;
    const moved = await server.client.put(`/v1/${P}/templates/${id}`, { name: 'moved', project_id: ts });
    expectErrorShape(moved, 400);
    expect(moved.body.error_msg).toBe(`project_id ${ts} is not the test suite ${ts2} of transaction ${id}`);
    const [first] = (await server.client.get(`/v1/${P}/all-templates/${ts}`)).body.temps;
    const clash = await server.client.put(`/v1/${P}/templates/${first.id}`, { name: 'full' });
    expectErrorShape(clash, 409);
    const noName = await server.client.put(`/v1/${P}/templates/${first.id}`, { project_id: ts });
    expectErrorShape(noName, 400);
    expect(noName.body.error_msg).toBe('name is required');
    expect((await show(first.id)).name).toBe(first.name);
  });

  it('answers 404 for transactions and test suites of another tenant', async () => {
    const [first] = (await server.client.get(`/v1/${P}/all-templates/${ts}`)).body.temps;
    const before = await show(first.id);
    const checks = [
      await other.get(`/v1/proj-b/templates/${first.id}`),
      await other.put(`/v1/proj-b/templates/${first.id}`, { name: 'stolen' }),
      await other.delete(`/v1/proj-b/templates/${first.id}`),
      await other.get(`/v1/proj-b/all-templates/${ts}`),
      await other.post('/v1/proj-b/templates', { project_id: ts, temp_type: 0, name: 'intruder' }),
      await server.client.get(`/v1/${P}/templates/999999`),
    ];
    for (const res of checks) expectErrorShape(res, 404);
    expect(checks[0].body.error_msg).toBe(`transaction ${first.id} does not exist`);
    expect(checks[3].body.error_msg).toBe(`test suite ${ts} does not exist`);
    expect(await show(first.id)).toEqual(before);
    expectErrorShape(await server.client.get(`/v1/${P}/templates/abc`), 400);
  });

  it('deletes with 200 {code, message}, then answers 404', async () => {
    const id = (await create({ project_id: ts, temp_type: 0, name: 'doomed' })).body.tempId;
    const res = await server.client.delete(`/v1/${P}/templates/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 'SVCSTG.CPTS.0000000', message: 'success' });
    expectErrorShape(await server.client.get(`/v1/${P}/templates/${id}`), 404);
    const again = await server.client.delete(`/v1/${P}/templates/${id}`);
    expectErrorShape(again, 404);
    expect(again.body.error_msg).toBe(`transaction ${id} does not exist`);
  });
});
