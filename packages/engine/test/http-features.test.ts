/**
 * HTTP driver features against a real server: body types parsed by the server side, methods, headers
 * sent verbatim, per-user cookies and redirects.
 */
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caseOf,
  card,
  compileOrThrow,
  extraction,
  MemoryRecorder,
  packet,
  readBody,
  runUsers,
  session,
  startServer,
  type TestServer,
} from './vu-helpers.js';
import { LocalCoordination } from '../src/coordination/local.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

describe('HTTP features', () => {
  let server: TestServer;
  const seen: Seen[] = [];
  let redirects = 0;
  beforeAll(async () => {
    server = await startServer(async (req, res) => {
      const body = await readBody(req);
      const url = req.url ?? '/';
      seen.push({ method: req.method ?? '', url, headers: req.headers, rawHeaders: req.rawHeaders, body });
      if (url.startsWith('/login')) {
        const user = new URL(url, 'http://h').searchParams.get('u');
        res.setHeader('set-cookie', [`sid=user-${user}; Path=/`, 'scoped=1; Path=/admin', 'gone=1; Max-Age=0']);
        return res.end('ok');
      }
      if (url === '/me') return res.end(`cookie=${req.headers.cookie ?? ''}`);
      if (url === '/r1') {
        redirects++;
        res.writeHead(302, { location: '/r2' });
        return res.end();
      }
      if (url === '/r2') {
        redirects++;
        res.writeHead(303, { location: `${server.url}/final` });
        return res.end();
      }
      if (url === '/loop') {
        redirects++;
        res.writeHead(302, { location: '/loop' });
        return res.end();
      }
      if (url === '/final') return res.end(`final via ${req.method}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, length: body.length }));
    });
  });
  afterAll(() => server.close());

  const last = () => seen[seen.length - 1];

  it('sends a raw body from bodys[0].value with variables, and from body', async () => {
    const compiled = compileOrThrow({
      case: caseOf([
        { data_type: 1, data: { assignments: [{ name: 'who', value: 'world' }] } },
        card(packet({ url: `${server.url}/raw`, method: 'POST', body_type: 0, bodys: [{ value: '{"hello":"${who}"}' }], headers: [{ key: 'Content-Type', value: 'application/json' }] })),
        card(packet({ url: `${server.url}/raw2`, method: 'PUT', body: 'plain text' })),
      ]),
    });
    await runUsers(compiled, 1, 1);
    await compiled.close();
    const [a, b] = seen.slice(-2);
    expect(a).toMatchObject({ method: 'POST', body: '{"hello":"world"}' });
    expect(a.headers['content-type']).toBe('application/json');
    expect(a.headers['content-length']).toBe('17');
    expect(b).toMatchObject({ method: 'PUT', body: 'plain text' });
  });

  it('sends multipart/form-data the server parses', async () => {
    const compiled = compileOrThrow({
      case: caseOf([
        card(packet({
          url: `${server.url}/form`,
          method: 'POST',
          body_type: 1,
          headers: [{ key: 'Content-Type', value: 'multipart/form-data' }],
          bodys: [{ key: 'name', value: 'Ada Lovelace' }, { key: 'note', value: 'line1\nline2' }, { key: 'file', value: 'abc', filename: 'a.txt', content_type: 'text/plain' }],
        })),
      ]),
    });
    await runUsers(compiled, 1, 1);
    await compiled.close();
    const s = last();
    const form = await new Response(s.body, { headers: { 'content-type': String(s.headers['content-type']) } }).formData();
    expect(form.get('name')).toBe('Ada Lovelace');
    expect(form.get('note')).toBe('line1\nline2');
    const file = form.get('file') as File;
    expect(file.name).toBe('a.txt');
    expect(await file.text()).toBe('abc');
  });

  it('sends x-www-form-urlencoded the server parses', async () => {
    const compiled = compileOrThrow({
      case: caseOf([
        card(packet({
          url: `${server.url}/urlenc`,
          method: 'PATCH',
          body_type: 3,
          bodys: [{ key: 'q', value: 'a b&c=d' }, { key: 'ü', value: '100%' }],
        })),
      ]),
    });
    await runUsers(compiled, 1, 1);
    await compiled.close();
    const s = last();
    expect(s.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const params = new URLSearchParams(s.body);
    expect(params.get('q')).toBe('a b&c=d');
    expect(params.get('ü')).toBe('100%');
  });

  it('sends GET without a body, headers verbatim, and every method', async () => {
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
    const compiled = compileOrThrow({
      case: caseOf(
        methods.map((method) =>
          card(packet({
            url: `${server.url}/m?x=${method}`,
            method,
            body: 'ignored for GET and HEAD',
            headers: [{ key: 'X-Custom-Header', value: 'Mixed Case Value' }, { key: 'Content-Length', value: '999' }],
          })),
        ),
      ),
    });
    const before = seen.length;
    const { recorder } = await runUsers(compiled, 1, 1);
    await compiled.close();
    const got = seen.slice(before);
    expect(got.map((s) => s.method)).toEqual(methods);
    expect(got[0].body).toBe('');
    expect(got[0].headers['content-length']).toBeUndefined();
    expect(got[1].body).toBe('ignored for GET and HEAD');
    expect(got[0].rawHeaders).toContain('X-Custom-Header');
    expect(got[0].headers['x-custom-header']).toBe('Mixed Case Value');
    expect(recorder.outcomes()).toEqual({ success: 7 });
  });

  it('keeps cookies per user and sends them only where they apply', async () => {
    const compiled = compileOrThrow({
      case: caseOf([
        card(packet({ url: `${server.url}/login?u=\${who}` })),
        card(
          packet({ url: `${server.url}/me` }),
          extraction({ name: 'echo', source: 'body', expression: 'cookie=(.*)' }),
        ),
        card(packet({ url: `${server.url}/echo?c=\${echo}` })),
      ]),
      variables: [{ name: 'who', variable_type: 2, variable: ['alice', 'bob'], share_mode: 0, variable_mode: 0 }],
    });
    const before = seen.length;
    await runUsers(compiled, 2, 1);
    await compiled.close();
    const echoes = seen.slice(before).filter((s) => s.url.startsWith('/echo')).map((s) => new URL(s.url, 'http://h').searchParams.get('c'));
    expect(echoes.sort()).toEqual(['sid=user-alice', 'sid=user-bob']);
  });

  it('sends no jar cookie with cookie_mode manual', async () => {
    const compiled = compileOrThrow({
      case: caseOf([
        card(packet({ url: `${server.url}/login?u=x` })),
        card(packet({ url: `${server.url}/me`, cookie_mode: 'manual', headers: [{ key: 'Cookie', value: 'mine=1' }] })),
      ]),
    });
    await runUsers(compiled, 1, 1);
    await compiled.close();
    expect(last().headers.cookie).toBe('mine=1');
  });

  it('follows redirects (303 turns POST into GET) and stops after 5', async () => {
    const recorder = new MemoryRecorder();
    const compiled = compileOrThrow({
      case: caseOf([
        card(packet({ url: `${server.url}/r1`, method: 'POST', body: 'x' }), extraction({ name: 'where', source: 'url', expression: '/(\\w+)$' })),
        card(packet({ url: `${server.url}/loop` })),
        card(packet({ url: `${server.url}/r1`, follow_redirects: false })),
      ]),
    });
    redirects = 0;
    const vu = compiled.createUser({ session: session(0), recorder, coordination: new LocalCoordination() });
    await vu.iterate();
    await vu.close();
    await compiled.close();
    const [followed, looped, manual] = recorder.requests.map((r) => r.result);
    expect(followed).toMatchObject({ outcome: 'success', status: 200 });
    expect(looped).toMatchObject({ outcome: 'checkPointFailed', status: 302 });
    expect(manual).toMatchObject({ outcome: 'checkPointFailed', status: 302 });
    // r1 + r2 (first card), 6 requests of /loop (1 + 5 redirects), r1 once (third card)
    expect(redirects).toBe(2 + 6 + 1);
    const final = seen.find((s) => s.url === '/final');
    expect(final?.method).toBe('GET');
  });
});
