import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createAccount } from '../src/auth/accounts.js';
import { signature } from '../src/auth/signer.js';
import { backends, expectErrorShape, startTestServer, TEST_AK, TEST_PASSWORD, TEST_SK, type TestServer } from './helpers.js';

const VECTOR_AK = 'AKTESTVECTOR0001';
const VECTOR_SK = 'SKtestvectorSECRET';
const VECTOR_DATE = '20261128T120000Z';
const VECTOR_NOW = Date.UTC(2026, 10, 28, 12, 5, 0);

describe('SDK-HMAC-SHA256 vectors of the official signer', () => {
  it('reproduces the POST vector', () => {
    const sig = signature(
      {
        method: 'POST',
        path: '/v1/proj-a/test-suites',
        query: { offset: '0', limit: '10' },
        headers: { 'Content-Type': 'application/json', 'X-Project-Id': 'proj-a', 'X-Sdk-Date': VECTOR_DATE, Host: '127.0.0.1:8080' },
        body: '{"name": "p1", "description": "d"}',
      },
      ['content-type', 'host', 'x-project-id', 'x-sdk-date'],
      VECTOR_DATE,
      VECTOR_SK,
    );
    expect(sig).toBe('6f4d47ee2f4cb3a7e7ccfcd0bfacf8ddced25b211dad60d39c9ed77d6c0abee5');
  });

  it('reproduces the GET vector', () => {
    const sig = signature(
      {
        method: 'GET',
        path: '/v1/proj-a/task-run-infos/12/case-run-infos/34/reports',
        query: { brokens_limit_count: '20' },
        headers: { 'X-Project-Id': 'proj-a', 'X-Sdk-Date': VECTOR_DATE, Host: '127.0.0.1:8080' },
        body: undefined,
      },
      ['host', 'x-project-id', 'x-sdk-date'],
      VECTOR_DATE,
      VECTOR_SK,
    );
    expect(sig).toBe('0067b777ccd1c0436679e1f0f72fec9f62e2c22d21ea3f8a725c9925c5bd65de');
  });
});

describe.each(backends())('authentication on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { now: () => VECTOR_NOW });
    await createAccount(server.db, 'vector', ['proj-a'], { accessKey: VECTOR_AK, secretKey: VECTOR_SK, password: 'vector-pass-1' });
  });
  afterAll(() => server.close());

  const sendVector = (overrides: { signature?: string; body?: string; date?: string; dropProjectHeader?: boolean } = {}) => {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-Project-Id': 'proj-a',
      'X-Sdk-Date': overrides.date ?? VECTOR_DATE,
      Host: '127.0.0.1:8080',
      Authorization: `SDK-HMAC-SHA256 Access=${VECTOR_AK}, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=${
        overrides.signature ?? '6f4d47ee2f4cb3a7e7ccfcd0bfacf8ddced25b211dad60d39c9ed77d6c0abee5'
      }`,
    };
    if (overrides.dropProjectHeader) delete headers['X-Project-Id'];
    return request(`${server.baseUrl}/v1/proj-a/test-suites?offset=0&limit=10`, {
      method: 'POST',
      headers,
      body: overrides.body ?? '{"name": "p1", "description": "d"}',
    });
  };

  it('accepts the exact vector request and creates the project', async () => {
    const res = await sendVector();
    const body = (await res.body.json()) as { code: string; project_id: number };
    expect(res.statusCode).toBe(201);
    expect(body.code).toBe('SVCSTG.CPTS.0000000');
    expect(typeof body.project_id).toBe('number');
  });

  it('refuses a tampered body, a wrong secret, a stale date and a missing signed header', async () => {
    const tampered = await sendVector({ body: '{"name": "p2", "description": "d"}' });
    expect(tampered.statusCode).toBe(401);
    expect(((await tampered.body.json()) as { error_msg: string }).error_msg).toMatch(/signature does not match/);
    const wrongSecret = await sendVector({ signature: '0'.repeat(64) });
    expect(wrongSecret.statusCode).toBe(401);
    await wrongSecret.body.dump();
    const stale = await sendVector({ date: '20261128T110000Z' });
    expect(stale.statusCode).toBe(401);
    expect(((await stale.body.json()) as { error_msg: string }).error_msg).toMatch(/15 minutes/);
    const missing = await sendVector({ dropProjectHeader: true });
    expect(missing.statusCode).toBe(401);
    expect(((await missing.body.json()) as { error_msg: string }).error_msg).toMatch(/x-project-id is missing/);
  });

  it('needs a credential, refuses other projects and mismatched X-Project-Id', async () => {
    const none = await server.client.get('/v1/proj-a/test-suites', { auth: { kind: 'none' } });
    expectErrorShape(none, 401);
    const vectorClient = { kind: 'sign' as const, ak: VECTOR_AK, sk: VECTOR_SK, date: new Date(VECTOR_NOW) };
    const other = await server.client.get('/v1/proj-b/test-suites', { auth: vectorClient });
    expectErrorShape(other, 403);
    const mismatch = await server.client.get('/v1/proj-a/test-suites', { auth: vectorClient, headers: { 'X-Project-Id': 'proj-b' } });
    expectErrorShape(mismatch, 400);
    expect(mismatch.body.error_msg).toMatch(/X-Project-Id/);
  });

  it('issues tokens for a password and accepts them; refuses bad passwords and bad tokens', async () => {
    const body = (password: string, project?: string) => ({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'admin', password, domain: { name: 'admin' } } } },
        ...(project ? { scope: { project: { id: project } } } : {}),
      },
    });
    const bad = await server.client.post('/v3/auth/tokens', body('nope'), { auth: { kind: 'none' } });
    expectErrorShape(bad, 401);
    const ok = await server.client.post('/v3/auth/tokens', body(TEST_PASSWORD, 'proj-t'), { auth: { kind: 'none' } });
    expect(ok.status).toBe(201);
    const token = ok.headers['x-subject-token'] as string;
    expect(token.length).toBeGreaterThan(40);
    expect(ok.body.token.project.id).toBe('proj-t');
    expect(ok.body.token.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    const used = await server.client.get('/v1/proj-t/test-suites', { auth: { kind: 'token', token } });
    expect(used.status).toBe(200);
    const scoped = await server.client.get('/v1/proj-u/test-suites', { auth: { kind: 'token', token } });
    expectErrorShape(scoped, 403);
    const forged = await server.client.get('/v1/proj-t/test-suites', { auth: { kind: 'token', token: `${token}x` } });
    expectErrorShape(forged, 401);
  });

  it('answers /health without a credential and puts X-Request-Id on every response', async () => {
    const res = await server.client.get('/health', { auth: { kind: 'none' } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    const missing = await server.client.get('/v1/p/no-such-route');
    expectErrorShape(missing, 404);
  });

  it('the admin key works on any project', async () => {
    const res = await server.client.get('/v1/anything/test-suites', { auth: { kind: 'sign', ak: TEST_AK, sk: TEST_SK, date: new Date(VECTOR_NOW) } });
    expect(res.status).toBe(200);
  });
});
