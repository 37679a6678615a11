import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, expectErrorShape, startTestServer, type TestServer } from './helpers.js';

const ENTRY_KEYS = ['create_time', 'id', 'name', 'parent_id', 'status', 'type', 'update_time'];
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$/;

describe.each(backends())('case tree on %s', (backend) => {
  let server: TestServer;
  let suite: number;
  let task: number;

  const createSuite = async (project: string, name: string): Promise<number> =>
    (await server.client.post(`/v1/${project}/test-suites`, { name })).body.project_id;
  const createCase = async (taskId: number, body: object): Promise<number> => {
    const res = await server.client.post('/v1/proj-a/task-cases', { type: 0, task_id: taskId, ...body });
    expect(res.status).toBe(201);
    return res.body.json.task_case_id;
  };
  // Directories have no create endpoint among the 29 yet: rows are written as the store keeps them.
  const createDirectory = async (suiteId: number, name: string, parent: number | null, sort: number): Promise<number> => {
    const [row] = await server.db.query<{ id: number }>(
      'insert into directories(test_suite_id, parent_id, name, sort) values ($1, $2, $3, $4) returning id',
      [suiteId, parent, name, sort],
    );
    return row.id;
  };

  beforeAll(async () => {
    server = await startTestServer(backend);
    suite = await createSuite('proj-a', 'tree');
    task = (await server.client.post('/v1/proj-a/tasks', { name: 'tree task', project_id: suite })).body.task_id;
  });
  afterAll(() => server.close());

  it('is empty for a suite without directories or cases', async () => {
    const empty = await createSuite('proj-a', 'empty');
    const res = await server.client.get(`/v1/proj-a/test-suites/${empty}/directory`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'directory', 'message']);
    expect(res.body.code).toBe('SVCSTG.CPTS.0000000');
    expect(res.body.directory).toEqual([]);
  });

  it('lists directories then cases, each with its parent and type, in sort order', async () => {
    const top = await createDirectory(suite, 'top', null, 2);
    const first = await createDirectory(suite, 'first', null, 1);
    const nested = await createDirectory(suite, 'nested', top, 0);
    const inNested = await createCase(task, { name: 'in nested', directory_id: nested, sort: 1 });
    const atRoot = await createCase(task, { name: 'at root', sort: 2 });
    const dangling = await createCase(task, { name: 'unknown directory', directory_id: 987654321, sort: 3 });
    await server.client.put(`/v1/proj-a/task-cases/${atRoot}/target/other`, { status: 2 });
    // A case of another suite, even in one of these directories, is not part of this tree.
    const otherSuite = await createSuite('proj-a', 'other');
    const otherTask = (await server.client.post('/v1/proj-a/tasks', { name: 'o', project_id: otherSuite })).body.task_id;
    await createCase(otherTask, { name: 'elsewhere', directory_id: nested });

    const res = await server.client.get(`/v1/proj-a/test-suites/${suite}/directory`);
    expect(res.status).toBe(200);
    const tree = res.body.directory as Array<Record<string, unknown>>;
    for (const entry of tree) {
      expect(Object.keys(entry).sort()).toEqual(ENTRY_KEYS);
      expect(entry.create_time).toMatch(ISO_TIME);
      expect(entry.update_time).toMatch(ISO_TIME);
    }
    expect(tree.map(({ id, name, status, parent_id, type }) => ({ id, name, status, parent_id, type }))).toEqual([
      { id: nested, name: 'nested', status: 1, parent_id: top, type: 1 },
      { id: first, name: 'first', status: 1, parent_id: 0, type: 1 },
      { id: top, name: 'top', status: 1, parent_id: 0, type: 1 },
      { id: inNested, name: 'in nested', status: 1, parent_id: nested, type: 2 },
      { id: atRoot, name: 'at root', status: 2, parent_id: 0, type: 2 },
      { id: dangling, name: 'unknown directory', status: 1, parent_id: 0, type: 2 },
    ]);
    // The case keeps the directory_id it was given, whether or not the directory exists.
    const info = (await server.client.get(`/v1/proj-a/tasks/${task}`)).body.taskInfo;
    expect(info.case_list.find((c: { case_id: number }) => c.case_id === dangling).directory_id).toBe(987654321);

    // Renaming a case shows in the tree; deleting one removes it.
    await server.client.put(`/v1/proj-a/task-cases/${inNested}/target/name`, { name: 'renamed' });
    await server.client.delete(`/v1/proj-a/task-cases/${dangling}`);
    const after = (await server.client.get(`/v1/proj-a/test-suites/${suite}/directory`)).body.directory as Array<{ id: number; name: string; type: number }>;
    expect(after.filter((e) => e.type === 2).map((e) => [e.id, e.name])).toEqual([
      [inNested, 'renamed'],
      [atRoot, 'at root'],
    ]);
  });

  it('answers 404 for suites of another tenant or none, 400 for a bad id, 401 without a credential', async () => {
    const foreign = await createSuite('proj-b', 'foreign');
    for (const res of [
      await server.client.get(`/v1/proj-a/test-suites/${foreign}/directory`),
      await server.client.get(`/v1/proj-b/test-suites/${suite}/directory`),
      await server.client.get('/v1/proj-a/test-suites/99999999/directory'),
    ]) {
      expectErrorShape(res, 404);
      expect(res.body.error_msg).toMatch(/^test suite \d+ does not exist$/);
    }
    const bad = await server.client.get('/v1/proj-a/test-suites/tree/directory');
    expectErrorShape(bad, 400);
    expect(bad.body.error_msg).toMatch(/^path parameter test_suite_id must be integer/);
    expectErrorShape(await server.client.get(`/v1/proj-a/test-suites/${suite}/directory`, { auth: { kind: 'none' } }), 401);
  });
});
