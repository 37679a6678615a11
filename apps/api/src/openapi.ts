/**
 * GET /openapi.json: an OpenAPI 3.1 document generated from the routes themselves. An onRoute hook
 * records each route's method, path and TypeBox schemas (params, querystring, headers, body,
 * response) as they are registered, so the document never drifts from what the server validates.
 * Public, like /health: it describes the API, not anyone's data.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

/** What the document says about one operation. */
interface Operation {
  method: string;
  path: string;
  schema: Record<string, unknown>;
  public: boolean;
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

/** Where the document is served. */
export const OPENAPI_PATH = '/openapi.json';

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'options']);

/** A plain JSON copy of a TypeBox schema (drops its symbol keys). */
function plain(schema: unknown): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

/** `/v1/:project_id/tasks/:task_id` -> `/v1/{project_id}/tasks/{task_id}` (regex constraints dropped). */
export function openApiPath(url: string): string {
  return url.replace(/:(\w+)(\([^)]*\))?/g, '{$1}');
}

/** The first literal segment after the version: the group a path belongs to. */
function tagOf(path: string): string {
  const segments = path.split('/').filter((s) => s !== '' && !s.startsWith('{') && !/^v\d+$/.test(s));
  return segments[0] ?? 'root';
}

function parameters(schema: unknown, where: 'path' | 'query' | 'header', path: string): unknown[] {
  if (schema === undefined) return [];
  const object = plain(schema);
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const p = property as JsonSchema;
    return {
      name,
      in: where,
      required: where === 'path' ? path.includes(`{${name}}`) : required.has(name),
      ...(typeof p.description === 'string' ? { description: p.description } : {}),
      schema: p,
    };
  });
}

function responses(operation: Operation): Record<string, unknown> {
  const declared = operation.schema.response as Record<string, unknown> | undefined;
  // a route that streams (server-sent events) names its media type in `produces`
  const type = (operation.schema.produces as string[] | undefined)?.[0] ?? 'application/json';
  const out: Record<string, unknown> = {};
  for (const [code, schema] of Object.entries(declared ?? {})) {
    out[code] = { description: `${code} response`, content: { [type]: { schema: plain(schema) } } };
  }
  if (declared === undefined) out['2XX'] = { description: 'Success (body as in the CodeArts PerfTest API reference)' };
  if (!operation.public) out['401'] = { $ref: '#/components/responses/Unauthorized' };
  out.default = { $ref: '#/components/responses/Error' };
  return out;
}

/** Builds the document from the recorded operations. */
export function buildOpenApiDocument(operations: readonly Operation[], info: { title: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    const path = openApiPath(operation.path);
    const s = operation.schema;
    const entry: Record<string, unknown> = {
      operationId: `${operation.method}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      tags: [tagOf(path)],
    };
    if (typeof s.summary === 'string') entry.summary = s.summary;
    if (typeof s.description === 'string') entry.description = s.description;
    const params = [...parameters(s.params, 'path', path), ...parameters(s.querystring, 'query', path), ...parameters(s.headers, 'header', path)];
    if (params.length > 0) entry.parameters = params;
    if (s.body !== undefined) entry.requestBody = { required: true, content: { 'application/json': { schema: plain(s.body) } } };
    entry.responses = responses(operation);
    if (operation.public) entry.security = [];
    (paths[path] ??= {})[operation.method] = entry;
  }
  const error = {
    type: 'object',
    required: ['error_code', 'error_msg'],
    properties: { error_code: { type: 'string', pattern: '^CPTS\\.\\d{8}$' }, error_msg: { type: 'string' } },
  };
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: { Error: error },
      responses: {
        Error: { description: 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        Unauthorized: { description: 'No or bad credential', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
      securitySchemes: {
        sdkHmacSha256: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'AK/SK signature as the Huawei Cloud SDKs compute it: "SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=..." with X-Sdk-Date',
        },
        authToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: 'A token from POST /v3/auth/tokens' },
      },
    },
    security: [{ sdkHmacSha256: [] }, { authToken: [] }],
  };
}

/**
 * Records every route registered after this call and serves the document at /openapi.json. Call it
 * before registering the route groups.
 */
export function installOpenApi(app: FastifyInstance, info = { title: 'PerfTest Engine API', version: '0.1.0' }): void {
  const operations: Operation[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const m = method.toLowerCase();
      if (!METHODS.has(m)) continue;
      operations.push({
        method: m,
        path: route.url,
        schema: (route.schema ?? {}) as Record<string, unknown>,
        public: route.config?.public === true,
      });
    }
  });
  let document: string | undefined;
  app.get(OPENAPI_PATH, { config: { public: true } }, async (_request, reply) => {
    document ??= JSON.stringify(buildOpenApiDocument(operations, info));
    return reply.type('application/json; charset=utf-8').send(document);
  });
}
