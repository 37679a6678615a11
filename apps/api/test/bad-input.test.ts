/**
 * Bad input never yields a 5xx. Every route the server lists in GET /openapi.json gets a
 * deterministic barrage (seeded) of malformed path ids, query values and bodies derived from the
 * route's own schema: wrong JSON types per field, missing required fields, overflowing and
 * fractional numbers, NUL and lone-surrogate text, oversized strings, deep nesting, invalid JSON,
 * wrong Content-Type. Each answer must be a 4xx `{error_code, error_msg}` with X-Request-Id (a 2xx
 * is tolerated only where the input is not invalid per schema), 400s name the bad field, and the
 * valid records created first read back unchanged afterwards.
 */
import AjvModule from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, expectErrorShape, startTestServer, type TestResponse, type TestServer } from './helpers.js';
import { seededRandom as seeded } from '../../../packages/engine/test/seeded-random.js';

const Ajv = AjvModule.default;
const P = 'bad-input';
type Schema = Record<string, any>;

/** The non-null branches of a schema (anyOf flattened). */
function branches(schema: Schema): Schema[] {
  if (Array.isArray(schema.anyOf)) return schema.anyOf.flatMap(branches).filter((b: Schema) => b.type !== 'null');
  return [schema];
}
const nullable = (schema: Schema): boolean => Array.isArray(schema.anyOf) && schema.anyOf.some((b: Schema) => b.type === 'null');
const isAny = (schema: Schema): boolean => branches(schema).some((b) => b.type === undefined && b.const === undefined);

/** A minimal valid value of `schema`: required properties only, smallest allowed sizes. */
function synth(schema: Schema): unknown {
  if (Array.isArray(schema.anyOf)) return nullable(schema) ? null : synth(branches(schema)[0]);
  if (schema.const !== undefined) return schema.const;
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = synth(schema.properties[key]);
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => synth(schema.items ?? {}));
    case 'string':
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1) <= (schema.maximum ?? Infinity) ? Math.max(schema.minimum ?? 1, 1) : schema.minimum;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

/** A field the barrage can corrupt: where it sits in the body and what it declares. */
interface Leaf {
  path: (string | number)[];
  name: string;
  schema: Schema;
}

/** Every declared property down to `depth` levels (through objects and the first array item). */
function leaves(schema: Schema, path: (string | number)[] = [], depth = 3): Leaf[] {
  const out: Leaf[] = [];
  for (const branch of branches(schema)) {
    if (branch.type === 'object' && branch.properties) {
      for (const [key, sub] of Object.entries<Schema>(branch.properties)) {
        out.push({ path: [...path, key], name: key, schema: sub });
        if (depth > 1) out.push(...leaves(sub, [...path, key], depth - 1));
      }
    } else if (branch.type === 'array' && branch.items && depth > 1) {
      out.push(...leaves(branch.items, [...path, 0], depth - 1));
    }
  }
  return out;
}

/** `base` with the value at `path` set (parents built from their schemas where missing). */
function setAt(base: unknown, root: Schema, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(base) as any;
  let node = copy;
  let schema = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i];
    const branch = branches(schema).find((b) => (typeof key === 'number' ? b.type === 'array' : b.type === 'object')) ?? {};
    schema = typeof key === 'number' ? branch.items : branch.properties[key];
    if (node[key] === null || node[key] === undefined || typeof node[key] !== 'object') {
      node[key] = synth(branches(schema).find((b) => b.type === (typeof path[i + 1] === 'number' ? 'array' : 'object')) ?? schema);
      if (typeof path[i + 1] === 'number' && node[key].length === 0) node[key].push(synth(branches(schema)[0].items ?? {}));
    }
    node = node[key];
  }
  if (value === REMOVE) delete node[path[path.length - 1]];
  else node[path[path.length - 1]] = value;
  return copy;
}
const REMOVE = Symbol('remove');
const RAW_1E309 = '__raw_1e309__';

/** `n` levels of nested arrays around a string. */
const nested = (n: number): unknown => {
  let v: unknown = 'junk';
  for (let i = 0; i < n; i++) v = [v];
  return v;
};

/** Values of the wrong JSON type (or out of range) for a leaf; each is invalid per its schema. */
function wrongValues(leaf: Leaf): unknown[] {
  const bs = branches(leaf.schema);
  if (isAny(leaf.schema)) return [];
  const types = new Set(bs.map((b) => b.type ?? typeof b.const));
  const out: unknown[] = [];
  if (!nullable(leaf.schema)) out.push(null);
  if (!types.has('string')) out.push('12');
  if (!types.has('object')) out.push({ a: 1 });
  if (!types.has('array')) out.push([1]);
  if (!types.has('boolean') && !types.has('string')) out.push(true);
  if (!types.has('integer') && !types.has('number') && !types.has('boolean') && !types.has('string')) out.push(7);
  if (!types.has('object') && !types.has('array')) out.push(nested(2000));
  for (const b of bs) {
    if (b.type === 'integer') out.push(RAW_1E309, 2 ** 63, 1.5, -(2 ** 63) * 4, 99999999999999999999);
    if (b.type === 'integer' && typeof b.minimum === 'number' && b.minimum >= 0) out.push(-1);
    if (b.type === 'number' && typeof b.minimum === 'number' && b.minimum >= 0) out.push(-1e309 === -Infinity ? -1 : -1);
    if (b.type === 'string') out.push('a\u0000b', 'x\ud800y', '\udc00');
    if (b.type === 'string' && typeof b.maxLength === 'number') out.push('é'.repeat(2_621_440)); // 5 MB of UTF-8
  }
  return out;
}

/** One request of the barrage and what a correct answer must say. */
interface Probe {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** A field the 400 must name (path parameter, query parameter or body field). */
  field?: string;
  /** A 401 is a right answer too (a GET body is not read, so its signature cannot match). */
  unsigned?: boolean;
  /** The input is invalid: a 2xx is a failure too. */
  invalid: boolean;
  label: string;
}

const BAD_IDS = ['abc', '99999999999999999999', '-1', '1.5', '9223372036854775808', '1e3x', '2147483648'];

describe.each(backends())('bad input never yields a 5xx (%s)', (backend) => {
  let server: TestServer;
  let doc: any;
  const ids: Record<string, number> = {};
  let before: Record<string, unknown>;

  /** What the valid records read back as (volatile times dropped). */
  async function snapshot(): Promise<Record<string, unknown>> {
    const c = server.client;
    const reads = {
      suite: await c.get(`/v1/${P}/test-suites/${ids.test_suite_id}`),
      task: await c.get(`/v1/${P}/tasks/${ids.task_id}`),
      template: await c.get(`/v1/${P}/templates/${ids.template_id}`),
      variables: await c.get(`/v1/${P}/variables/1/test-suites/${ids.test_suite_id}`),
      tasks: await c.get(`/v1/${P}/all-tasks/${ids.test_suite_id}`),
      directory: await c.get(`/v1/${P}/test-suites/${ids.test_suite_id}/directory`),
    };
    for (const [name, res] of Object.entries(reads)) expect(res.status, `${name}: ${res.text}`).toBe(200);
    return Object.fromEntries(Object.entries(reads).map(([k, r]) => [k, r.body]));
  }

  beforeAll(async () => {
    server = await startTestServer(backend, { runs: { workers: 0 } });
    const c = server.client;
    doc = (await c.get('/openapi.json')).body;
    ids.test_suite_id = (await c.post(`/v1/${P}/test-suites`, { name: 'suite', description: 'kept as is' })).body.project_id;
    ids.task_id = (await c.post(`/v1/${P}/tasks`, { name: 'task', project_id: ids.test_suite_id })).body.task_id;
    const kase = await c.post(`/v1/${P}/task-cases`, { name: 'case', type: 0, task_id: ids.task_id });
    ids.case_id = kase.body.json.task_case_id;
    const variable = await c.post(`/v1/${P}/variables/${ids.test_suite_id}`, [{ name: 'v', variable_type: 1, variable: [1, 2] }]);
    expect(variable.status, variable.text).toBe(201);
    const template = await c.post(`/v1/${P}/templates`, { project_id: ids.test_suite_id, temp_type: 0, name: 'tpl' });
    ids.template_id = template.body.tempId;
    for (const [k, v] of Object.entries(ids)) expect(Number.isInteger(v), k).toBe(true);
    before = await snapshot();
  }, 30_000);
  afterAll(() => server?.close());

  /** The probes of one operation, from its OpenAPI entry. */
  function probes(method: string, template: string, op: any, random: () => number): Probe[] {
    const params: any[] = op.parameters ?? [];
    const pathValues: Record<string, string> = { project_id: P, variable_type: '1', target: 'name', task_run_id: '1', case_run_id: '1' };
    for (const [k, v] of Object.entries(ids)) pathValues[k] = String(v);
    const fill = (over: Record<string, string> = {}) =>
      template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(over[name] ?? pathValues[name] ?? '1').replace(/%25/g, '%'));
    const schema: Schema | undefined = op.requestBody?.content?.['application/json']?.schema;
    const base = schema ? synth(schema) : undefined;
    if (schema) expect(new Ajv({ strict: false }).validate(schema, base), `${method} ${template} synthesized body`).toBe(true);
    const validQuery: Record<string, string> = {};
    for (const p of params) if (p.in === 'query' && p.required) validQuery[p.name] = p.name === 'test_suite_id' ? String(ids.test_suite_id) : '1';
    const out: Probe[] = [];
    const M = method.toUpperCase();
    const withBase = schema ? { body: base } : {};

    for (const p of params.filter((x) => x.in === 'path')) {
      if (p.schema.type === 'integer') {
        for (const bad of BAD_IDS) {
          // 2^31 is a well-formed id that names nothing (or overflows an int4 column): a 404, or a 400
          // that may be about the synthesized body, which routes check before looking the id up.
          const wellFormed = bad === '2147483648' && p.schema.maximum === undefined;
          out.push({ method: M, path: fill({ [p.name]: bad }), query: validQuery, ...withBase, field: wellFormed ? undefined : p.name, invalid: true, label: `path ${p.name}=${bad}` });
        }
      } else {
        for (const bad of ['a'.repeat(200), '%00', 'x%00y', '%FF%FE', '%ED%A0%80']) {
          out.push({ method: M, path: fill({ [p.name]: bad }), query: validQuery, ...withBase, invalid: true, label: `path ${p.name}=${bad.slice(0, 12)}` });
        }
      }
    }
    for (const p of params.filter((x) => x.in === 'query')) {
      const bads = p.schema.type === 'integer' ? ['abc', '0', '-1', '1.5', '99999999999999999999', '9223372036854775808'] : ['x%00'];
      for (const bad of bads) {
        const min = p.schema.minimum ?? -Infinity;
        const stillValid = Number(bad) >= min && Number.isInteger(Number(bad)) && Number(bad) <= (p.schema.maximum ?? Number.MAX_SAFE_INTEGER);
        out.push({ method: M, path: fill(), query: { ...validQuery, [p.name]: bad }, ...withBase, field: stillValid ? undefined : p.name, invalid: !stillValid, label: `query ${p.name}=${bad}` });
      }
    }
    if (M === 'GET') {
      out.push({ method: M, path: fill(), query: { ...validQuery, zzz_unknown: '1', 'a[b]': '%00' }, invalid: false, label: 'unknown query parameters' });
      out.push({ method: M, path: fill(), query: validQuery, rawBody: '<a>xml</a>', headers: { 'Content-Type': 'text/xml' }, invalid: false, unsigned: true, label: 'GET with an xml body' });
    }
    if (!schema) return out;

    out.push({ method: M, path: fill(), query: validQuery, rawBody: '{"name": ', invalid: true, label: 'invalid JSON' });
    out.push({ method: M, path: fill(), query: validQuery, rawBody: '{"a":1}}', invalid: true, label: 'trailing garbage' });
    out.push({ method: M, path: fill(), query: validQuery, rawBody: '<task><name>x</name></task>', headers: { 'Content-Type': 'text/xml' }, invalid: true, label: 'text/xml body' });
    out.push({ method: M, path: fill(), query: validQuery, rawBody: JSON.stringify(base), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, invalid: true, label: 'form content type' });
    out.push({ method: M, path: fill(), query: validQuery, rawBody: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' + ']'.repeat(40), invalid: true, label: 'deep junk body' });
    out.push({ method: M, path: fill(), query: validQuery, rawBody: `${'['.repeat(5000)}1${']'.repeat(5000)}`, invalid: true, label: 'very deep body' });
    out.push({ method: M, path: fill(), query: validQuery, body: 'just a string', invalid: true, label: 'string body' });
    out.push({ method: M, path: fill(), query: validQuery, body: 12, invalid: true, label: 'number body' });
    if (schema.type === 'object') out.push({ method: M, path: fill(), query: validQuery, body: [base], invalid: true, label: 'array where an object is expected' });
    if (schema.type === 'array') out.push({ method: M, path: fill(), query: validQuery, body: (base as unknown[])[0], invalid: true, label: 'object where an array is expected' });
    if ((schema.required ?? []).length > 0 || schema.type === 'array') {
      out.push({ method: M, path: fill(), query: validQuery, invalid: true, label: 'empty body' });
      out.push({ method: M, path: fill(), query: validQuery, body: null, invalid: true, label: 'null body' });
    }
    for (const key of schema.required ?? []) {
      out.push({ method: M, path: fill(), query: validQuery, body: setAt(base, schema, [key], REMOVE), field: key, invalid: true, label: `missing ${key}` });
    }
    const fieldProbes: Probe[] = [];
    const kept: Probe[] = [];
    const seenKinds = new Set<string>();
    for (const leaf of leaves(schema)) {
      for (const value of wrongValues(leaf)) {
        // The first field of each kind always gets the overflow, NUL and 5 MB probes; the rest are sampled.
        const kind = value === RAW_1E309 ? '1e309' : value === 2 ** 63 ? '2^63' : value === 'a\u0000b' ? 'nul' : typeof value === 'string' && value.length > 1e6 ? '5mb' : '';
        const body = setAt(base, schema, leaf.path, value === RAW_1E309 ? RAW_1E309 : value);
        const probe: Probe = { method: M, path: fill(), query: validQuery, field: leaf.name, invalid: true, label: `${leaf.path.join('.')}=${String(JSON.stringify(value)).slice(0, 24)}` };
        if (value === RAW_1E309) probe.rawBody = JSON.stringify(body).replace(`"${RAW_1E309}"`, '1e309');
        else probe.body = body;
        if (kind !== '' && !seenKinds.has(kind)) {
          seenKinds.add(kind);
          kept.push(probe);
        } else fieldProbes.push(probe);
      }
    }
    // A bounded, seeded sample of the per-field probes keeps the barrage to a few hundred requests.
    const budget = 24;
    while (fieldProbes.length > budget) fieldProbes.splice(Math.floor(random() * fieldProbes.length), 1);
    out.push(...kept, ...fieldProbes);
    return out;
  }

  it('answers every bad request of every listed route with a 4xx error body naming the field', async () => {
    const random = seeded(20261128);
    const all: Probe[] = [];
    for (const [template, ops] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) all.push(...probes(method, template, op, random));
    }
    expect(all.length).toBeGreaterThan(300);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const probe of all) {
      let res: TestResponse;
      try {
        res = await server.client.request(probe.method, probe.path, { query: probe.query, body: probe.body, rawBody: probe.rawBody, headers: probe.headers });
      } catch (err) {
        failures.push(`${probe.method} ${probe.path} [${probe.label}]: transport error ${(err as Error).message}`);
        continue;
      }
      const where = `${probe.method} ${probe.path.slice(0, 80)} [${probe.label}] -> ${res.status} ${res.text.slice(0, 160)}`;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if ((res.status === 401 && !probe.unsigned) || res.status === 403) failures.push(`${where}: the barrage must reach validation, not stop at authentication`);
      else if (res.status >= 500) failures.push(where);
      else if (res.status >= 400) {
        try {
          expectErrorShape(res, res.status);
        } catch (err) {
          failures.push(`${where}: ${(err as Error).message}`);
          continue;
        }
        if (res.status === 400 && probe.field && !res.body.error_msg.includes(probe.field)) failures.push(`${where}: does not name ${probe.field}`);
      } else if (probe.invalid) failures.push(`${where}: accepted invalid input`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
    if (process.env.BAD_INPUT_DEBUG) console.log(all.length, [...statuses].sort());
    expect(statuses.get(400) ?? 0).toBeGreaterThan(all.length / 2);
  }, 60_000);

  it('leaves the valid records unchanged and keeps answering', async () => {
    expect(await snapshot()).toEqual(before);
    const health = await server.client.get('/health', { auth: { kind: 'none' } });
    expect(health.status).toBe(200);
  });

  it('answers integers past int4 (valid per schema, too large for some columns) without a 5xx', async () => {
    // After the records check: these may be accepted and change records, which is fine here.
    const failures: string[] = [];
    let sent = 0;
    for (const [template, ops] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        const schema: Schema | undefined = op.requestBody?.content?.['application/json']?.schema;
        if (!schema || method === 'delete') continue;
        const path = template.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'project_id' ? P : name === 'target' ? 'stage' : name === 'variable_type' ? '1' : String(ids[name] ?? 1)));
        const ints = leaves(schema).filter((l) => branches(l.schema).some((b) => b.type === 'integer' && b.maximum === undefined));
        for (const leaf of ints) {
          for (const value of [2 ** 31, 2 ** 40]) {
            const res = await server.client.request(method.toUpperCase(), path, { body: setAt(synth(schema), schema, leaf.path, value) });
            sent++;
            const where = `${method} ${path} [${leaf.path.join('.')}=${value}] -> ${res.status} ${res.text.slice(0, 200)}`;
            if (res.status >= 500) failures.push(where);
            else if (res.status >= 400) {
              try {
                expectErrorShape(res, res.status);
                if (res.status === 400 && res.body.error_msg.includes('cannot be stored') && !res.body.error_msg.includes(leaf.name)) failures.push(`${where}: does not name ${leaf.name}`);
              } catch (err) {
                failures.push(`${where}: ${(err as Error).message}`);
              }
            }
          }
        }
      }
    }
    expect(sent).toBeGreaterThan(20);
    expect(failures, failures.join('\n')).toEqual([]);
  }, 60_000);
});
