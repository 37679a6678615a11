/**
 * Auth and protocol edges (docs/security.md): a body sent with `X-Sdk-Content-Sha256:
 * UNSIGNED-PAYLOAD` is refused; what Node and Fastify refuse before any route (431, 414, 413, 408-
 * style parser errors, a bad URL, bad JSON) answers in the error shape with an X-Request-Id; a
 * password check for an unknown user costs what one for a known user does; a PUT whose body names
 * another id than its path is a 400 and changes nothing; the embedded data directory is owner-only,
 * old files tightened at open; and, on Postgres, a connection terminated under a request retries a
 * read and answers a write 503 with Retry-After.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@perftest/store';
import { signRequest } from '../src/auth/signer.js';
import { backends, expectErrorShape, startTestServer, TEST_AK, TEST_PASSWORD, TEST_SK, type TestResponse, type TestServer } from './helpers.js';

const P = 'auth-edges';

/** Sends raw bytes and parses the one response that comes back. */
function raw(baseUrl: string, text: string): Promise<TestResponse> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(text));
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (data += d));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
      const body = rest.join('\r\n\r\n');
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      resolve({ status: Number(lines[0].split(' ')[1]), headers, body: parsed, text: body });
    });
  });
}

describe.each(backends())('auth edges on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.close());

  it('refuses UNSIGNED-PAYLOAD on a request with a body, not on one without', async () => {
    const url = new URL(`/v1/${P}/test-suites`, server.baseUrl);
    const body = JSON.stringify({ name: 'swapped later' });
    const headers = signRequest(
      { method: 'POST', path: url.pathname, query: {}, headers: { Host: url.host, 'Content-Type': 'application/json', 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' }, body },
      TEST_AK,
      TEST_SK,
    );
    const refused = await raw(server.baseUrl, `POST ${url.pathname} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    expectErrorShape(refused, 401);
    expect(refused.body.error_msg).toBe('X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD is refused on a request with a body: sign the body');
    const get = await server.client.get(`/v1/${P}/test-suites`, { headers: { 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' } });
    expect(get.status).toBe(200);
    expect((await server.db.query(`select 1 from test_suites where name = 'swapped later'`)).length).toBe(0);
  });

  it('answers what is refused before any route in the error shape with X-Request-Id', async () => {
    const cases: Array<[string, string, number, RegExp]> = [
      ['20 KB header', `GET /v1/${P}/test-suites HTTP/1.1\r\nHost: x\r\nAuthorization: ${'a'.repeat(20_000)}\r\n\r\n`, 431, /^the request line and headers exceed 16384 bytes$/],
      ['9 KB URL', `GET /v1/${P}/test-suites?x=${'1'.repeat(9000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 414, /^the URL exceeds 8192 bytes$/],
      ['body over the limit', `POST /v1/${P}/test-suites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\nConnection: close\r\n\r\n{}`, 413, /^body exceeds 16777216 bytes$/],
      ['bad JSON', `POST /v1/${P}/test-suites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{x:`, 400, /^body is not valid JSON: /],
      ['bad URL', `GET /v1/${P}/test-suites/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 400, /^the path is not valid percent-encoded UTF-8$/],
      ['not HTTP', 'HELLO\r\n\r\n', 400, /^malformed HTTP request \(HPE_/],
      ['bad Content-Length', `POST /v1/${P}/test-suites HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}`, 400, /^malformed HTTP request \(HPE_/],
      ['unsupported type', `POST /v1/${P}/test-suites HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`, 415, /^Content-Type "text\/xml" is not supported; send application\/json$/],
    ];
    for (const [label, request, status, message] of cases) {
      const res = await raw(server.baseUrl, request);
      expect(res.status, label).toBe(status);
      expectErrorShape(res, status);
      expect(res.headers['x-request-id'], label).toMatch(/^[0-9a-f]{32}$/);
      expect(res.body.error_msg, label).toMatch(message);
    }
  });

  it('spends on an unknown user the password check a known one costs', async () => {
    const login = (name: string) =>
      server.client.post('/v3/auth/tokens', { auth: { identity: { methods: ['password'], password: { user: { name, password: 'wrong-password' } } } } }, { auth: { kind: 'none' } });
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      for (const [name, times] of [['admin', known], [`nobody-${i}`, unknown]] as const) {
        const started = process.hrtime.bigint();
        const res = await login(name);
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
        expectErrorShape(res, 401);
        expect(res.body.error_msg).toBe('the user name or password is wrong');
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    // Both pay one scrypt: before, an unknown user answered ~20 times faster.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.4);
    const ok = await server.client.post('/v3/auth/tokens', { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: TEST_PASSWORD } } } } }, { auth: { kind: 'none' } });
    expect(ok.status).toBe(201);
  });

  it('refuses a PUT whose body names another id than its path, and changes nothing', async () => {
    const c = server.client;
    const three = (await c.post(`/v1/${P}/test-suites`, { name: 'three' })).body.project_id;
    const two = (await c.post(`/v1/${P}/test-suites`, { name: 'two' })).body.project_id;
    const suite = await c.put(`/v1/${P}/test-suites/${three}`, { id: two, name: 'renamed' });
    expectErrorShape(suite, 400);
    expect(suite.body.error_msg).toBe(`id ${two} does not match the test_suite_id ${three} of the path`);
    const template = (await c.post(`/v1/${P}/templates`, { project_id: three, temp_type: 0, name: 't', contents: [] })).body.tempId;
    const tpl = await c.put(`/v1/${P}/templates/${template}`, { id: template + 1, name: 'renamed' });
    expectErrorShape(tpl, 400);
    expect(tpl.body.error_msg).toBe(`id ${template + 1} does not match the template_id ${template} of the path`);
    const task = (await c.post(`/v1/${P}/tasks`, { name: 'task', project_id: three })).body.task_id;
    const kase = (await c.post(`/v1/${P}/task-cases`, { name: 'case', type: 0, task_id: task })).body.json.task_case_id;
    const target = await c.put(`/v1/${P}/task-cases/${kase}/target/name`, { case_id: kase + 1, name: 'renamed' });
    expectErrorShape(target, 400);
    expect(target.body.error_msg).toBe(`case_id ${kase + 1} does not match the case_id ${kase} of the path`);
    const names = await server.db.query<{ name: string }>('select name from test_suites where id = $1 union all select name from templates where id = $2 union all select name from cases where id = $3', [three, template, kase]);
    expect(names.map((r) => r.name)).toEqual(['three', 't', 'case']);
    expect((await c.put(`/v1/${P}/test-suites/${three}`, { id: three, name: 'renamed' })).status).toBe(204);
  });
});

describe('the logs', () => {
  it('hold no secret, token, password or signature, even at trace level', async () => {
    const lines: string[] = [];
    const server = await startTestServer('pglite', { logLevel: 'trace', logStream: { write: (line) => lines.push(line) } });
    try {
      const c = server.client;
      const login = (password: string) =>
        c.post('/v3/auth/tokens', { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password } } } } }, { auth: { kind: 'none' } });
      const token = (await login(TEST_PASSWORD)).headers['x-subject-token'] as string;
      expect(token.length).toBeGreaterThan(20);
      await login('a-wrong-password-77');
      expect((await c.get(`/v1/${P}/test-suites`, { auth: { kind: 'token', token } })).status).toBe(200);
      expect((await c.get(`/v1/${P}/test-suites`, { auth: { kind: 'token', token: `${token}x` } })).status).toBe(401);
      const signed = await c.post(`/v1/${P}/test-suites`, { name: 'logged' });
      expect(signed.status).toBe(201);
      expect((await c.get(`/v1/${P}/test-suites`, { auth: { kind: 'sign', ak: TEST_AK, sk: `${TEST_SK}-wrong` } })).status).toBe(401);
      expect((await c.post(`/v1/${P}/test-suites`, { name: 1 })).status).toBe(400);
      const signature = signRequest({ method: 'GET', path: `/v1/${P}/test-suites`, query: {}, headers: { Host: 'x' }, body: undefined }, TEST_AK, TEST_SK)
        .Authorization.split('Signature=')[1];
      expect((await raw(server.baseUrl, `GET /v1/${P}/test-suites HTTP/1.1\r\nHost: x\r\nAuthorization: SDK-HMAC-SHA256 Access=${TEST_AK}, SignedHeaders=host, Signature=${signature}\r\nConnection: close\r\n\r\n`)).status).toBe(401);
      const text = lines.join('');
      expect(lines.length).toBeGreaterThan(10); // trace logs every request
      for (const secret of [TEST_SK, TEST_PASSWORD, 'a-wrong-password-77', token, signature]) expect(text).not.toContain(secret);
    } finally {
      await server.close();
    }
  });
});

describe('the embedded data directory', () => {
  it('is owner-only: older files tightened at open (and said so), new files 0600', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perftest-modes-'));
    try {
      fs.chmodSync(dir, 0o755);
      fs.writeFileSync(path.join(dir, 'left-open'), 'x', { mode: 0o666 });
      fs.chmodSync(path.join(dir, 'left-open'), 0o666);
      const said: string[] = [];
      const db = await openDatabase({ dataDir: dir, log: (m) => said.push(m) });
      await db.query('create table t(x int)');
      await db.query('insert into t select generate_series(1, 1000)');
      const modes = new Map<string, number>();
      const walk = (p: string): void => {
        const stat = fs.lstatSync(p);
        modes.set(`${path.relative(dir, p) || '.'}${stat.isDirectory() ? '/' : ''}`, stat.mode & 0o777);
        if (stat.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name));
      };
      walk(dir);
      await db.close();
      expect(said).toEqual([
        `creating the embedded database in ${dir} (first start only; about 10 s)`,
        `data directory ${dir}: 1 files set to 0600 and 1 directories to 0700 (they were readable by others)`,
      ]);
      expect(modes.size).toBeGreaterThan(100);
      const loose = [...modes].filter(([p, mode]) => mode !== (p.endsWith('/') ? 0o700 : 0o600));
      expect(loose).toEqual([]);
      // a chmod of a path outside the directory is left as asked
      const outside = path.join(dir, '..', `${path.basename(dir)}-outside`);
      fs.writeFileSync(outside, 'x');
      fs.chmodSync(outside, 0o644);
      expect(fs.statSync(outside).mode & 0o777).toBe(0o644);
      fs.rmSync(outside);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(backends().filter((b) => b === 'postgres'))('a Postgres connection lost under a request (%s)', (backend) => {
  let server: TestServer;
  let admin: postgres.Sql;
  let database = '';
  beforeAll(async () => {
    server = await startTestServer(backend);
    database = (await server.db.query<{ d: string }>('select current_database() as d'))[0].d;
    admin = postgres(process.env.DATABASE_URL as string, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await admin?.end();
    await server?.close();
  });

  /** Runs `request` while its statement waits on a lock, terminates the backend running it, then releases. */
  async function terminatedUnder(request: () => Promise<TestResponse>): Promise<TestResponse> {
    const lockUrl = new URL(process.env.DATABASE_URL as string);
    lockUrl.pathname = `/${database}`;
    const locker = postgres(lockUrl.toString(), { max: 1, onnotice: () => {} });
    try {
      await locker.unsafe('begin');
      await locker.unsafe('lock table test_suites in access exclusive mode');
      const pending = request();
      let waiting: Array<{ pid: number }> = [];
      for (let i = 0; i < 400 && waiting.length === 0; i++) {
        waiting = await admin.unsafe(
          `select pid from pg_stat_activity where datname = $1 and wait_event_type = 'Lock' and query ilike '%test_suites%'`,
          [database],
        );
        if (waiting.length === 0) await new Promise((r) => setTimeout(r, 25));
      }
      expect(waiting.length).toBeGreaterThan(0);
      await admin.unsafe('select pg_terminate_backend(pid) from pg_stat_activity where pid = any($1)', [waiting.map((w) => w.pid)]);
      await locker.unsafe('rollback');
      return await pending;
    } finally {
      await locker.end();
    }
  }

  it('retries a read once and answers a write 503 with Retry-After, never 500', async () => {
    const created = await server.client.post(`/v1/${P}/test-suites`, { name: 'before the cut' });
    expect(created.status).toBe(201);
    const read = await terminatedUnder(() => server.client.get(`/v1/${P}/test-suites`));
    expect(read.status, read.text).toBe(200);
    expect(read.body.projects.map((p: { name: string }) => p.name)).toContain('before the cut');
    const write = await terminatedUnder(() => server.client.post(`/v1/${P}/test-suites`, { name: 'during the cut' }));
    expectErrorShape(write, 503);
    expect(write.headers['retry-after']).toBe('1');
    expect(write.body.error_msg).toBe('the database cannot be reached at the moment; retry shortly');
    expect((await server.client.post(`/v1/${P}/test-suites`, { name: 'after the cut' })).status).toBe(201);
  });
});
