import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, expectErrorShape, startTestServer, type TestServer } from './helpers.js';

const CASE_KEYS = [
  'case_id',
  'case_info',
  'case_type',
  'collect_log_policy',
  'contents',
  'directory_id',
  'for_loop_params',
  'increase_setting',
  'link_app_list',
  'name',
  'setup_contents',
  'sort',
  'stages',
  'status',
  'temp_id',
  'user_replicas',
];

const request = (name: string, url: string) => ({
  content_type: 2,
  content: {
    protocol_type: 1,
    name,
    method: 'GET',
    url,
    http_version: 'HTTP/1.1',
    headers: [{ key: 'Accept', value: 'application/json' }],
    body_type: 0,
    bodys: [],
    connect_timeout: 5000,
    connect_type: 1,
    return_timeout: 5000,
    return_timeout_param: null,
    check_end_type: null,
    check_end_length: null,
    check_end_str: null,
  },
});
const card = (index: number, ...content: object[]) => ({ content_id: 0, index, data_type: 0, content, is_disabled: false });

/** Every card type of docs/case-format.md ("Cards"), every stage field and every case field. */
const FULL_CASE = {
  name: 'every card',
  case_type: 0,
  contents: [
    {
      content_id: 0,
      index: 0,
      selected_temp_name: '',
      data: null,
      data_type: 0,
      conditions: null,
      is_disabled: false,
      card_note: 'an unknown card field is kept',
      content: [
        {
          content_type: 2,
          content: {
            protocol_type: 1,
            name: 'login',
            method: 'POST',
            url: 'http://127.0.0.1:8080/login?user=${user}',
            http_version: 'HTTP/1.1',
            headers: [{ key: 'Content-Type', value: 'application/json' }],
            body_type: 0,
            bodys: [{ value: '{"user":"${user}","pw":"${__random_string(8)}"}' }],
            connect_timeout: 5000,
            connect_type: 1,
            return_timeout: 5000,
            return_timeout_param: null,
            check_end_type: null,
            check_end_length: null,
            check_end_str: null,
            vendor_extension: { kept: ['as', 1, null, { nested: true }] },
          },
        },
        {
          content_type: 3,
          content: {
            checks: [
              { source: 'status', operator: 'equals', value: '200' },
              { source: 'header', name: 'Content-Type', operator: 'contains', value: 'json' },
              { source: 'body', operator: 'regex', value: '"ok":\\s*true' },
            ],
            logic: 'AND',
            retry_times: 2,
            retry_interval: 100,
          },
        },
        {
          content_type: 4,
          content: {
            extractions: [
              { name: 'tok', source: 'json', expression: 'data.items.0.id', match_no: 1, group_index: 1, default_value: '', expected_value: null },
              { name: 'sid', source: 'header', expression: 'sid=(\\w+)', match_no: 1, group_index: 1, default_value: 'none', expected_value: null },
            ],
          },
        },
        { content_type: 1, content: { think_time: 250 } },
        { content_type: 1, content: { t: 10 }, item_note: 'unknown item field' },
      ],
    },
    {
      content_id: 0,
      index: 1,
      data_type: 1,
      content: [],
      data: {
        assignments: [
          { name: 'id', value: '${__uuid}' },
          { name: 'sum', value: '${a}', operator: '+', operand: '${b}', rounding: 'round', decimals: 2 },
        ],
      },
    },
    { content_id: 0, index: 2, data_type: 201, data: { count: 3, contents: [card(0, request('looped', 'http://127.0.0.1:8080/a'))] } },
    {
      content_id: 0,
      index: 3,
      data_type: 202,
      conditions: { left: '${tok}', operator: 'not_equals', right: '' },
      data: { contents: [card(0, request('when token', 'http://127.0.0.1:8080/b'))] },
    },
    {
      content_id: 0,
      index: 4,
      data_type: 203,
      data: {
        mode: 'fixed',
        branches: [
          { weight: 1, contents: [card(0, request('branch one', 'http://127.0.0.1:8080/c'))] },
          { weight: 3, contents: [card(0, request('branch two', 'http://127.0.0.1:8080/d'))] },
        ],
      },
    },
    { content_id: 0, index: 5, data_type: 204, data: { rps: 12.5, contents: [card(0, request('throttled', 'http://127.0.0.1:8080/e'))] } },
    { content_id: 0, index: 6, data_type: 301, data: { users: 5, timeout: 3000 } },
    { content_id: 4242, index: 7, selected_temp_name: 'checkout transaction', data_type: 0, content: [], is_disabled: false },
    { content_id: 0, index: 8, data_type: 0, content: [request('disabled', 'http://127.0.0.1:8080/f')], is_disabled: true },
  ],
  setup_contents: [
    card(0, {
      content_type: 2,
      content: {
        protocol_type: 3,
        name: 'tcp hello',
        method: 'SEND',
        url: 'tcp://127.0.0.1:9000',
        headers: [{ key: 'encoding', value: 'hex' }],
        body: '68656c6c6f',
        connect_timeout: 2000,
        return_timeout: 2000,
        check_end_type: 2,
        check_end_str: '\n',
        check_end_length: null,
      },
    }),
  ],
  for_loop_params: [],
  increase_setting: [{ start_users: 10, total_increment: 100, level: 0.05 }],
  stages: [
    {
      name: 'ramp',
      operate_mode: 0,
      pressure_mode: 2,
      time: 120,
      start_time: 0,
      end_time: 120,
      issue_num: 50,
      count: 1,
      tps_value: 1.5,
      current_user_num: 5,
      current_tps: 2,
      voltage_regulating_mode: 0,
      maximum: 60,
      minimum: 1,
      loop_count: 2,
      max_duration: 30,
      ramp_up: 60,
      peak_load_kpis: {
        average_response_time: { comparison: '<=', value: 60000 },
        success_rate: { comparison: '>=', value: 99.5 },
      },
      step_duration: 30,
      step_size: 5,
    },
    { name: 'by count', operate_mode: 1, pressure_mode: 1, count: 1000, tps_value: 50, issue_num: 20, time: 60 },
  ],
  status: 1,
  temp_id: 0,
  sort: 7,
  directory_id: 0,
  user_replicas: 2,
  collect_log_policy: 1,
  link_app_list: [3, 4],
  case_info: {
    description: 'a case with every card',
    label_names: ['smoke', 'api'],
    preparation: 'start the target',
    rank: 1,
    status_code: 5,
    steps: [{ test_step: 'log in', expect_result: 'a token' }],
  },
};

describe.each(backends())('cases on %s', (backend) => {
  let server: TestServer;
  let suite: number;
  let otherSuite: number; // proj-b

  const createTask = async (project: string, suiteId: number, name: string): Promise<number> => {
    const res = await server.client.post(`/v1/${project}/tasks`, { name, project_id: suiteId });
    expect(res.status).toBe(201);
    return res.body.task_id;
  };
  const createCase = async (taskId: number, body: object = {}): Promise<number> => {
    const res = await server.client.post('/v1/proj-a/task-cases', { name: 'case', type: 0, task_id: taskId, ...body });
    expect(res.status).toBe(201);
    return res.body.json.task_case_id;
  };
  const caseList = async (taskId: number, project = 'proj-a') => {
    const res = await server.client.get(`/v1/${project}/tasks/${taskId}`);
    expect(res.status).toBe(200);
    return res.body.taskInfo.case_list as Array<Record<string, any>>;
  };
  const caseOf = async (taskId: number, caseId: number) => (await caseList(taskId)).find((c) => c.case_id === caseId);

  beforeAll(async () => {
    server = await startTestServer(backend);
    suite = (await server.client.post('/v1/proj-a/test-suites', { name: 'cases' })).body.project_id;
    otherSuite = (await server.client.post('/v1/proj-b/test-suites', { name: 'other tenant' })).body.project_id;
  });
  afterAll(() => server.close());

  it('creates a case into a task and reads it back with every CaseInfoDetail key', async () => {
    const task = await createTask('proj-a', suite, 'create');
    const res = await server.client.post('/v1/proj-a/task-cases', { name: 'case1', type: 1, task_id: task, cluster_id: 9 });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'json', 'message']);
    expect(Object.keys(res.body.json)).toEqual(['task_case_id']);
    const id = res.body.json.task_case_id;
    const second = await createCase(task, { name: 'case2' });
    const list = await caseList(task);
    expect(list.map((c) => c.case_id)).toEqual([id, second]);
    expect(Object.keys(list[0]).sort()).toEqual(CASE_KEYS);
    expect(list[0]).toEqual({
      case_id: id,
      name: 'case1',
      case_type: 1,
      contents: [],
      for_loop_params: [],
      increase_setting: [],
      stages: [],
      status: 1,
      temp_id: 0,
      sort: 1,
      directory_id: 0,
      setup_contents: [],
      user_replicas: 0,
      collect_log_policy: 0,
      link_app_list: [],
      case_info: null,
    });
    expect(list[1]).toMatchObject({ name: 'case2', case_type: 0, sort: 2 });
  });

  it('refuses bad case bodies with 400 naming the field; tasks of other tenants are 404', async () => {
    const task = await createTask('proj-a', suite, 'bad bodies');
    const post = (body: object) => server.client.post('/v1/proj-a/task-cases', body);
    const noName = await post({ type: 0, task_id: task });
    expectErrorShape(noName, 400);
    expect(noName.body.error_msg).toMatch(/^name is required/);
    const noTask = await post({ name: 'x', type: 0 });
    expectErrorShape(noTask, 400);
    expect(noTask.body.error_msg).toMatch(/^task_id is required/);
    const badTask = await post({ name: 'x', type: 0, task_id: '12' });
    expectErrorShape(badTask, 400);
    expect(badTask.body.error_msg).toMatch(/^task_id must be integer/);
    const badType = await post({ name: 'x', type: 7, task_id: task });
    expectErrorShape(badType, 400);
    expect(badType.body.error_msg).toMatch(/^type must be <= 2/);
    const badStage = await post({ name: 'x', task_id: task, stages: [{ time: -1 }] });
    expectErrorShape(badStage, 400);
    expect(badStage.body.error_msg).toMatch(/^stages\[0\]\.time must be >= 0/);
    const badContents = await post({ name: 'x', task_id: task, contents: {} });
    expectErrorShape(badContents, 400);
    expect(badContents.body.error_msg).toMatch(/^contents must be array/);
    const foreignTask = await createTask('proj-b', otherSuite, 'foreign');
    const foreign = await post({ name: 'x', type: 0, task_id: foreignTask });
    expectErrorShape(foreign, 404);
    expect(foreign.body.error_msg).toBe(`task ${foreignTask} does not exist`);
    expectErrorShape(await server.client.post('/v1/proj-a/task-cases', { name: 'x', task_id: task }, { auth: { kind: 'none' } }), 401);
    expect(await caseList(task)).toEqual([]);
  });

  it('round-trips a case holding every card type through PUT and GET', async () => {
    const task = await createTask('proj-a', suite, 'round trip');
    const id = await createCase(task, { name: 'placeholder' });
    const put = await server.client.put(`/v1/proj-a/task-cases/${id}/target/case`, { ...FULL_CASE, case_id: id, enterprise_project_id: '0' });
    expect(put.status).toBe(202);
    expect(put.text).toBe('');
    const got = await caseOf(task, id);
    expect(got).toEqual({ ...FULL_CASE, case_id: id });
    expect(got).not.toHaveProperty('enterprise_project_id');
  });

  it('round-trips a case created whole in one POST', async () => {
    const task = await createTask('proj-a', suite, 'whole create');
    const id = await createCase(task, { ...FULL_CASE, type: 0 });
    expect(await caseOf(task, id)).toEqual({ ...FULL_CASE, case_id: id });
  });

  it('target content replaces contents, and setup_contents only when present', async () => {
    const task = await createTask('proj-a', suite, 'content');
    const id = await createCase(task, { ...FULL_CASE, type: 0 });
    const contents = [card(0, request('only one', 'http://127.0.0.1:8080/only'))];
    const res = await server.client.put(`/v1/proj-a/task-cases/${id}/target/content`, { contents, for_loop_params: [], stages: [] });
    expect(res.status).toBe(202);
    let got = await caseOf(task, id);
    expect(got?.contents).toEqual(contents);
    expect(got?.setup_contents).toEqual(FULL_CASE.setup_contents);
    expect(got?.stages).toEqual(FULL_CASE.stages); // not a content field: untouched
    await server.client.put(`/v1/proj-a/task-cases/${id}/target/content`, { contents: [], setup_contents: null });
    got = await caseOf(task, id);
    expect(got?.contents).toEqual([]);
    expect(got?.setup_contents).toBeNull();
    const missing = await server.client.put(`/v1/proj-a/task-cases/${id}/target/content`, { setup_contents: [] });
    expectErrorShape(missing, 400);
    expect(missing.body.error_msg).toBe('contents is required for target content');
  });

  it('target stage replaces stages and increase_setting; target name renames', async () => {
    const task = await createTask('proj-a', suite, 'stage');
    const id = await createCase(task, { ...FULL_CASE, type: 0 });
    const stages = [{ name: 'Stage-teeb', operate_mode: 0, pressure_mode: 0, time: 60, issue_num: 10, count: 1, tps_value: 1, voltage_regulating_mode: 0 }];
    expect((await server.client.put(`/v1/proj-a/task-cases/${id}/target/stage`, { increase_setting: [], stages, name: 'ignored' })).status).toBe(202);
    let got = await caseOf(task, id);
    expect(got?.stages).toEqual(stages);
    expect(got?.increase_setting).toEqual([]);
    expect(got?.name).toBe('every card');
    expect(got?.contents).toEqual(FULL_CASE.contents);

    expect((await server.client.put(`/v1/proj-a/task-cases/${id}/target/name`, { name: 'testCase', stages: [] })).status).toBe(202);
    got = await caseOf(task, id);
    expect(got?.name).toBe('testCase');
    expect(got?.stages).toEqual(stages);

    const badMode = await server.client.put(`/v1/proj-a/task-cases/${id}/target/stage`, { stages: [{ pressure_mode: 8 }] });
    expectErrorShape(badMode, 400);
    expect(badMode.body.error_msg).toMatch(/^stages\[0\]\.pressure_mode must be <= 7/);
    const wrongType = await server.client.put(`/v1/proj-a/task-cases/${id}/target/stage`, { stages: [{ time: '60' }] });
    expectErrorShape(wrongType, 400);
    expect(wrongType.body.error_msg).toMatch(/^stages\[0\]\.time must be integer/);
    const noStages = await server.client.put(`/v1/proj-a/task-cases/${id}/target/stage`, { increase_setting: [] });
    expectErrorShape(noStages, 400);
    expect(noStages.body.error_msg).toBe('stages is required for target stage');
    const noName = await server.client.put(`/v1/proj-a/task-cases/${id}/target/name`, {});
    expectErrorShape(noName, 400);
    expect(noName.body.error_msg).toBe('name is required for target name');
    const emptyName = await server.client.put(`/v1/proj-a/task-cases/${id}/target/name`, { name: '' });
    expectErrorShape(emptyName, 400);
    expect(emptyName.body.error_msg).toMatch(/^name must NOT have fewer than 1 characters/);
    const noBody = await server.client.put(`/v1/proj-a/task-cases/${id}/target/name`);
    expectErrorShape(noBody, 400);
    got = await caseOf(task, id);
    expect(got?.name).toBe('testCase');
    expect(got?.stages).toEqual(stages);
  });

  it('any other target applies the fields present and keeps the rest', async () => {
    const task = await createTask('proj-a', suite, 'other target');
    const id = await createCase(task, { ...FULL_CASE, type: 0 });
    const res = await server.client.put(`/v1/proj-a/task-cases/${id}/target/anything`, { status: 2, user_replicas: 4, case_info: null });
    expect(res.status).toBe(202);
    expect(await caseOf(task, id)).toEqual({ ...FULL_CASE, case_id: id, status: 2, user_replicas: 4, case_info: null });
    // A target that happens to be an Object.prototype key is just another target.
    expect((await server.client.put(`/v1/proj-a/task-cases/${id}/target/constructor`, { sort: 9 })).status).toBe(202);
    expect((await caseOf(task, id))?.sort).toBe(9);
  });

  it('refuses text the database cannot store with a 400, never a 5xx', async () => {
    const task = await createTask('proj-a', suite, 'nul');
    const id = await createCase(task);
    const res = await server.client.put(`/v1/proj-a/task-cases/${id}/target/content`, {
      contents: [card(0, request('nul \u0000 byte', 'http://127.0.0.1:8080/'))],
    });
    expectErrorShape(res, 400);
    expect(res.body.error_msg).toMatch(/^contents\[0\]\.content\[0\]\.content must not contain NUL/);
    expect((await caseOf(task, id))?.contents).toEqual([]);
  });

  it('answers 404 for cases of another tenant or none, 400 for a bad id, 401 without a credential', async () => {
    const task = await createTask('proj-a', suite, 'tenancy');
    const id = await createCase(task, { name: 'mine' });
    for (const res of [
      await server.client.put(`/v1/proj-b/task-cases/${id}/target/name`, { name: 'stolen' }),
      await server.client.delete(`/v1/proj-b/task-cases/${id}`),
      await server.client.put('/v1/proj-a/task-cases/99999999/target/name', { name: 'x' }),
      await server.client.delete('/v1/proj-a/task-cases/99999999'),
    ]) {
      expectErrorShape(res, 404);
      expect(res.body.error_msg).toMatch(/^case \d+ does not exist$/);
    }
    const bad = await server.client.delete('/v1/proj-a/task-cases/x1');
    expectErrorShape(bad, 400);
    expect(bad.body.error_msg).toMatch(/^path parameter case_id must be integer/);
    expectErrorShape(await server.client.put(`/v1/proj-a/task-cases/${id}/target/name`, { name: 'x' }, { auth: { kind: 'none' } }), 401);
    expectErrorShape(await server.client.delete(`/v1/proj-a/task-cases/${id}`, { auth: { kind: 'none' } }), 401);
    expect((await caseOf(task, id))?.name).toBe('mine');
  });

  it('deletes a case: it leaves every task it was in', async () => {
    const t1 = await createTask('proj-a', suite, 'del one');
    const t2 = await createTask('proj-a', suite, 'del two');
    const keep = await createCase(t1, { name: 'keep' });
    const gone = await createCase(t1, { name: 'gone' });
    await server.client.put(`/v3/proj-a/tasks/${t2}`, { name: 'del two', parallel: false, project_id: suite, operate_mode: 2, case_id_list: [gone, keep] });
    const res = await server.client.delete(`/v1/proj-a/task-cases/${gone}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await caseList(t1)).map((c) => c.case_id)).toEqual([keep]);
    expect((await caseList(t2)).map((c) => c.case_id)).toEqual([keep]);
    expectErrorShape(await server.client.delete(`/v1/proj-a/task-cases/${gone}`), 404);
    expectErrorShape(await server.client.put(`/v1/proj-a/task-cases/${gone}/target/name`, { name: 'x' }), 404);
  });
});
