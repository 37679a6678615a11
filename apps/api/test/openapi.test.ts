import Fastify, { type RouteOptions } from 'fastify';
import { CreateProjectRequest, PageQuery, UpdateProjectRequest } from '@perftest/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiPath } from '../src/openapi.js';
import { ROUTE_GROUPS } from '../src/routes/index.js';
import { startTestServer, type TestServer } from './helpers.js';

const plain = (schema: unknown): unknown => JSON.parse(JSON.stringify(schema));

/** Every (method, path) the route groups register, collected by a separate, bare Fastify instance. */
async function registeredOperations(server: TestServer): Promise<string[]> {
  const bare = Fastify({ logger: false });
  bare.decorate('db', server.db);
  const seen: string[] = [];
  bare.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') seen.push(`${method.toLowerCase()} ${openApiPath(route.url)}`);
  });
  for (const group of ROUTE_GROUPS) await bare.register(group);
  await bare.ready();
  await bare.close();
  return seen;
}

describe('GET /openapi.json', () => {
  let server: TestServer;
  let doc: any;
  beforeAll(async () => {
    server = await startTestServer('pglite');
    const res = await server.client.get('/openapi.json', { auth: { kind: 'none' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.body;
  });
  afterAll(() => server.close());

  it('is an OpenAPI 3.1 document served without a credential', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('PerfTest Engine API');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['authToken', 'sdkHmacSha256']);
  });

  it('lists exactly the routes the server registers, plus itself', async () => {
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m} ${path}`));
    const expected = [...(await registeredOperations(server)), 'get /openapi.json', 'get /metrics'];
    expect(listed.sort()).toEqual(expected.sort());
    expect(listed).toContain('post /v1/{project_id}/test-suites');
    expect(listed).toContain('delete /v1/{project_id}/test-suites/{test_suite_id}');
    expect(listed).toContain('post /v3/auth/tokens');
    expect(new Set(listed.map((o) => doc.paths[o.split(' ')[1]][o.split(' ')[0]].operationId)).size).toBe(listed.length);
  });

  it('describes path and query parameters from the route schemas', () => {
    const list = doc.paths['/v1/{project_id}/test-suites'].get;
    const byName = Object.fromEntries(list.parameters.map((p: any) => [`${p.in}:${p.name}`, p]));
    expect(byName['path:project_id']).toEqual({
      name: 'project_id',
      in: 'path',
      required: true,
      schema: { type: 'string', minLength: 1, maxLength: 128 },
    });
    const query = plain(PageQuery) as { properties: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties)) {
      expect(byName[`query:${name}`]).toMatchObject({ in: 'query', required: (query.required ?? []).includes(name), schema });
    }
    const one = doc.paths['/v1/{project_id}/test-suites/{test_suite_id}'].get;
    expect(one.parameters.map((p: any) => [p.in, p.name, p.required, p.schema.type])).toEqual([
      ['path', 'project_id', true, 'string'],
      ['path', 'test_suite_id', true, 'integer'],
    ]);
    expect(one.requestBody).toBeUndefined();
  });

  it('carries the body schemas the server validates with', () => {
    const create = doc.paths['/v1/{project_id}/test-suites'].post;
    expect(create.requestBody.content['application/json'].schema).toEqual(plain(CreateProjectRequest));
    expect(create.requestBody.content['application/json'].schema.required).toEqual(['name']);
    const update = doc.paths['/v1/{project_id}/test-suites/{test_suite_id}'].put;
    expect(update.requestBody.content['application/json'].schema).toEqual(plain(UpdateProjectRequest));
    const token = doc.paths['/v3/auth/tokens'].post;
    expect(token.requestBody.content['application/json'].schema.properties.auth.required).toContain('identity');
  });

  it('marks public routes as needing no credential and the others as signed or token', () => {
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(doc.paths['/v3/auth/tokens'].post.security).toEqual([]);
    expect(doc.paths['/v1/{project_id}/test-suites'].post.security).toBeUndefined();
    expect(Object.keys(doc.paths['/v1/{project_id}/test-suites'].post.responses).sort()).toEqual(['2XX', '401', 'default']);
    expect(doc.paths['/v1/{project_id}/test-suites'].post.responses['401']).toEqual({ $ref: '#/components/responses/Unauthorized' });
    expect(doc.security).toEqual([{ sdkHmacSha256: [] }, { authToken: [] }]);
  });

  it('returns the same bytes on every request', async () => {
    const again = await server.client.get('/openapi.json', { auth: { kind: 'none' } });
    expect(again.body).toEqual(doc);
  });
});
