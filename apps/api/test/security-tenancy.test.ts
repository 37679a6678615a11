/**
 * The cross-tenant matrix over every route of /openapi.json (docs/security.md, "Threat model"), so
 * that routes added later are covered without a change here. Two accounts, alice (proj-a) and bob
 * (proj-b); bob owns one of everything, a finished run included. For every route that needs a
 * credential: none is a 401, and alice with bob's project in the path a 403, both in the error
 * shape; alice with her own project and bob's ids in the path, the query and the body answers
 * exactly what the same request with ids that do not exist answers (same status, same body but
 * for the ids), and never shows bob's data. Afterwards every one of bob's resources reads as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../src/auth/accounts.js';
import { backends, expectErrorShape, startTestServer, TestClient, type TestResponse, type TestServer } from './helpers.js';
import { startTarget, type CountingTarget } from './runs-fixtures.js';

const UNKNOWN = 987654321;
/** Bob's resources carry this in their names: it must never reach alice. */
const MARK = 'bob-private';

type Schema = Record<string, any>;

/** Values that get a body past validation to the ids where a schema alone does not say enough. */
const HINTS: Record<string, unknown> = { variable_type: 2, variable: ['x'], status: 9, name: 'probe' };

/** A value `schema` accepts, with `id(name)` for every `*_id` / `*_id_list` / `id` / `project_id` property. */
function sample(schema: Schema | undefined, id: (name: string) => number | undefined, name = ''): unknown {
  if (schema === undefined) return undefined;
  if (name in HINTS) return HINTS[name];
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) return sample(union.find((s: Schema) => s.type !== 'null') ?? union[0], id, name);
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  const idValue = id(name);
  if (idValue !== undefined && (type === 'integer' || type === 'number' || type === 'string')) return type === 'string' ? String(idValue) : idValue;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries<Schema>(schema.properties ?? {})) {
        if ((schema.required ?? []).includes(key) || id(key) !== undefined || key in HINTS) out[key] = sample(sub, id, key);
      }
      return out;
    }
    case 'array': {
      if (name.endsWith('_id_list')) return [id(name.slice(0, -5)) ?? UNKNOWN];
      const n = Math.max(1, schema.minItems ?? 0);
      return Array.from({ length: n }, () => sample(schema.items, id, name));
    }
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, Math.min(schema.maximum ?? 1, 1));
    case 'boolean':
      return false;
    case 'string':
      return schema.format === 'date-time' ? new Date().toISOString() : 'probe'.padEnd(schema.minLength ?? 0, 'x');
    default:
      return {};
  }
}

/** A response with the probed ids (bob's, or the unknown one) written `ID`, and bob's mark flagged. */
function shape(res: TestResponse, ids: readonly number[]): string {
  // what a success returns (a new id, time stamps) differs between two calls: compare its shape
  if (res.status < 300) return `${res.status} ${res.text.replace(/\d+/g, 'N')}`;
  let text = res.text;
  for (const n of ids) text = text.replace(new RegExp(`\\b${n}\\b`, 'g'), 'ID');
  return `${res.status} ${text}`;
}

describe.each(backends())('tenancy over every route on %s', (backend) => {
  let server: TestServer;
  let alice: TestClient;
  let bob: TestClient;
  let target: CountingTarget;
  const bobIds: Record<string, number> = {};
  let snapshot = '';

  /** What bob can read of his own resources (compared before and after the matrix). */
  const bobView = async (): Promise<string> => {
    const s = bobIds.test_suite_id;
    const reads = [
      `/v1/proj-b/test-suites/${s}`,
      `/v1/proj-b/tasks/${bobIds.task_id}`,
      `/v1/proj-b/templates/${bobIds.template_id}`,
      `/v1/proj-b/variables/0/test-suites/${s}`,
      `/v1/proj-b/test-suites/${s}/directory`,
      `/v2/proj-b/test-cases/${bobIds.library_case_id}`,
      `/v1/proj-b/tasks/history-run-list/${bobIds.task_id}`,
      `/v1/proj-b/all-tasks/${s}`,
    ];
    const out: string[] = [];
    for (const path of reads) {
      const res = await bob.get(path);
      expect(res.status, `${path}: ${res.text}`).toBe(200);
      out.push(res.text);
    }
    return out.join('\n');
  };

  beforeAll(async () => {
    server = await startTestServer(backend, { runs: { workers: 1 } });
    target = await startTarget();
    const a = await createAccount(server.db, 'alice', ['proj-a']);
    const b = await createAccount(server.db, 'bob', ['proj-b']);
    alice = new TestClient(server.baseUrl, { kind: 'sign', ak: a.accessKey, sk: a.secretKey });
    bob = new TestClient(server.baseUrl, { kind: 'sign', ak: b.accessKey, sk: b.secretKey });
    const created = async (res: Promise<TestResponse>, pick: (body: any) => number): Promise<number> => {
      const r = await res;
      expect(r.status, r.text).toBeLessThan(300);
      return pick(r.body);
    };
    // alice owns some of everything first, so that bob's ids differ from table to table
    const mine = await created(alice.post('/v1/proj-a/test-suites', { name: 'alice suite' }), (b) => b.project_id);
    for (let i = 0; i < 2; i++) {
      const task = await created(alice.post('/v1/proj-a/tasks', { name: `alice task ${i}`, project_id: mine }), (b) => b.task_id);
      for (let j = 0; j < 2; j++) await created(alice.post('/v1/proj-a/task-cases', { name: `alice case ${j}`, type: 0, task_id: task }), (b) => b.json.task_case_id);
    }
    const s = await created(bob.post('/v1/proj-b/test-suites', { name: `${MARK} suite` }), (b) => b.project_id);
    bobIds.test_suite_id = s;
    bobIds.project_id = s; // a body's project_id names a test suite
    bobIds.task_id = await created(bob.post('/v1/proj-b/tasks', { name: `${MARK} task`, project_id: s }), (b) => b.task_id);
    const card = { data_type: 0, content: [{ content_type: 2, content: { protocol_type: 1, name: `${MARK} get`, method: 'GET', url: `${target.url}/bob` } }] };
    bobIds.case_id = await created(
      bob.post('/v1/proj-b/task-cases', { name: `${MARK} case`, type: 0, task_id: bobIds.task_id, contents: [card], stages: [{ pressure_mode: 0, operate_mode: 0, time: 1, issue_num: 1 }] }),
      (b) => b.json.task_case_id,
    );
    bobIds.template_id = await created(bob.post('/v1/proj-b/templates', { project_id: s, temp_type: 0, name: `${MARK} transaction`, contents: [card] }), (b) => b.tempId);
    bobIds.temp_id = bobIds.template_id;
    bobIds.variable_id = await created(bob.post(`/v1/proj-b/variables/${s}`, [{ name: 'bobvar', variable_type: 2, variable: [MARK] }]), (b) => b.json.variable_id);
    bobIds.directory_id = await created(bob.post(`/v1/proj-b/test-suites/${s}/directory`, { name: `${MARK} dir` }), (b) => b.directory_id);
    bobIds.library_case_id = await created(bob.post('/v2/proj-b/test-cases', { name: `${MARK} library`, directory_id: bobIds.directory_id }), (b) => b.json.test_case_id);
    bobIds.agent_id = await created(bob.post('/v1/proj-b/stress/agents', { app_id: 1, address: '127.0.0.1:9', alias: MARK }), (b) => b.result.agent_id);
    bobIds.task_run_id = await created(bob.post(`/v1/proj-b/test-suites/${s}/tasks/${bobIds.task_id}`, { status: 9 }), (b) => b.result.task_run_id);
    let status = -1;
    for (let i = 0; i < 600 && ![2, 3, 4].includes(status); i++) {
      status = (await bob.get(`/v1/proj-b/tasks/${bobIds.task_id}`)).body.taskInfo.run_status;
      if (![2, 3, 4].includes(status)) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(2);
    bobIds.case_run_id = (await server.db.query<{ id: number }>('select id from case_runs where task_run_id = $1', [bobIds.task_run_id]))[0].id;
    bobIds.detail_id = bobIds.case_run_id;
    snapshot = await bobView();
  });
  afterAll(async () => {
    await server?.close();
    await target?.close();
  });

  it('crosses nothing on any route, and every refusal has the error shape', async () => {
    const doc = (await alice.get('/openapi.json', { auth: { kind: 'none' } })).body;
    const bobId = (name: string): number | undefined => (name === 'case_id' ? bobIds.case_id : bobIds[name]);
    const unknownId = (name: string): number | undefined => (bobId(name) === undefined ? undefined : UNKNOWN);
    const probed = [...new Set(Object.values(bobIds)), UNKNOWN];
    let compared = 0;
    for (const [template, operations] of Object.entries<Record<string, Schema>>(doc.paths)) {
      for (const [method, op] of Object.entries<Schema>(operations)) {
        if (op.security?.length === 0) continue; // public: health, token, the document itself
        const where = `${method.toUpperCase()} ${template}`;
        const params: Schema[] = op.parameters ?? [];
        // a body's `id` names the path's own resource (its last *_id), else a variable (variables PUT)
        const own_ = params.filter((p) => p.in === 'path' && /_id$/.test(p.name) && p.name !== 'project_id').pop()?.name;
        const request = (project: string, base: (name: string) => number | undefined) => {
          const id = (name: string) => (name === 'id' ? base(own_ ?? 'variable_id') : base(name));
          let path = template.replace('{project_id}', project);
          const query: Record<string, string | number> = {};
          for (const p of params) {
            const value = sample(p.schema, id, p.name) as string | number;
            if (p.in === 'path' && p.name !== 'project_id') path = path.replace(`{${p.name}}`, encodeURIComponent(String(p.name === 'target' ? 'name' : value)));
            else if (p.in === 'query' && (p.required || id(p.name) !== undefined)) query[p.name] = value;
          }
          const body = sample(op.requestBody?.content?.['application/json']?.schema, id);
          return { path, query, body };
        };
        const own = request('proj-a', bobId);
        const anonymous = await alice.request(method.toUpperCase(), own.path, { query: own.query, body: own.body, auth: { kind: 'none' } });
        expectErrorShape(anonymous, 401);
        if (!template.includes('{project_id}')) continue;
        const theirs = request('proj-b', bobId);
        const forbidden = await alice.request(method.toUpperCase(), theirs.path, { query: theirs.query, body: theirs.body });
        expectErrorShape(forbidden, 403);
        expect(forbidden.body.error_msg, where).toBe('the credential has no rights on project_id proj-b');

        const withBob = await alice.request(method.toUpperCase(), own.path, { query: own.query, body: own.body });
        const none = request('proj-a', unknownId);
        const withNone = await alice.request(method.toUpperCase(), none.path, { query: none.query, body: none.body });
        expect(withBob.text, where).not.toContain(MARK);
        expect(withBob.status, `${where}: ${withBob.text}`).toBeLessThan(500);
        expect(shape(withBob, probed), where).toBe(shape(withNone, probed));
        if (withBob.status >= 400) expectErrorShape(withBob, withBob.status);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(40);
    expect(await bobView()).toBe(snapshot);
  });
});
