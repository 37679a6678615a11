/**
 * HTTP/2 cards against node:http2 servers that count their sessions and streams, over TLS (ALPN)
 * and cleartext (h2c, prior knowledge): one connection per user, headers, bodies, cookies,
 * redirects, checkpoints and extraction as on HTTP/1.1, bytes equal to what the server's sockets
 * saw, timeouts, and a server refusing HTTP/2 (no ALPN h2, RST_STREAM, GOAWAY) as readable failures.
 */
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseOf, card, checkpoint, compileOrThrow, extraction, packet, runUsers, startServer } from './vu-helpers.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const tlsOptions = { key: fixture('proto-tls-key.pem'), cert: fixture('proto-tls-cert.pem') };

interface CountingServer {
  url: string;
  sessions: number;
  streams: number;
  sockets: net.Socket[];
  /** Request bodies and headers seen, by path. */
  seen: Array<{ path: string; headers: http2.IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

async function startH2(secure: boolean): Promise<CountingServer> {
  const server = secure ? http2.createSecureServer(tlsOptions) : http2.createServer();
  const state: CountingServer = { url: '', sessions: 0, streams: 0, sockets: [], seen: [], close: async () => undefined };
  server.on('session', () => state.sessions++);
  server.on('connection', (socket: net.Socket) => state.sockets.push(socket));
  server.on('stream', (stream, headers) => {
    state.streams++;
    stream.on('error', () => undefined);
    const path = String(headers[':path']);
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      state.seen.push({ path, headers, body });
      if (path.startsWith('/login')) {
        stream.respond({ ':status': 200, 'content-type': 'application/json', 'set-cookie': ['sid=s-42; Path=/', 'other=1; Path=/'] });
        return stream.end(JSON.stringify({ token: `tok-${body.length}` }));
      }
      if (path === '/me') {
        stream.respond({ ':status': 200 });
        return stream.end(`cookie=${headers.cookie ?? ''} token=${headers['x-token'] ?? ''}`);
      }
      if (path === '/r1') {
        stream.respond({ ':status': 302, location: '/final' });
        return stream.end();
      }
      if (path === '/final') {
        stream.respond({ ':status': 200 });
        return stream.end(`final via ${headers[':method']}`);
      }
      if (path === '/slow') {
        setTimeout(() => !stream.destroyed && (stream.respond({ ':status': 200 }), stream.end('late')), 2000).unref();
        return;
      }
      if (path === '/reset') return stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      if (path === '/goaway') return stream.session?.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
      stream.respond({ ':status': path === '/missing' ? 404 : 200, 'content-type': 'text/plain' });
      stream.end('x'.repeat(Number(new URL(path, 'http://h').searchParams.get('n') ?? 3)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `${secure ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of state.sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}

for (const secure of [false, true]) {
  describe(`HTTP/2 ${secure ? 'over TLS (ALPN h2)' : 'cleartext (h2c)'}`, () => {
    let server: CountingServer;
    beforeAll(async () => {
      server = await startH2(secure);
    });
    afterAll(() => server.close());
    const protocol_type = secure ? 2 : 1;

    it('runs a login, cookie, token, redirect and checkpoint flow, one connection per user', async () => {
      const versions = ['HTTP/2', 'HTTP/2.0', 'h2'];
      const compiled = compileOrThrow({
        case: caseOf([
          card(
            packet({ protocol_type, http_version: versions[0], url: `${server.url}/login`, method: 'POST', body: '{"user":"u${n}"}', headers: [{ key: 'Content-Type', value: 'application/json' }, { key: 'Connection', value: 'keep-alive' }] }),
            extraction({ name: 'token', source: 'json', expression: '$.token' }),
          ),
          card(
            packet({ protocol_type, http_version: versions[1], url: `${server.url}/me`, headers: [{ key: 'X-Token', value: '${token}' }] }),
            checkpoint([{ source: 'body', operator: 'contains', value: 'cookie=other=1; sid=s-42 token=tok-13' }]),
          ),
          card(packet({ protocol_type, http_version: versions[2], url: `${server.url}/r1`, method: 'POST', body: 'x' }), extraction({ name: 'where', source: 'body', expression: 'final via (\\w+)' })),
          card(packet({ protocol_type, http_version: 'HTTP/2', url: `${server.url}/missing` })),
        ]),
        variables: [{ name: 'n', variable_type: 2, variable: ['1'], share_mode: 0, variable_mode: 0 }],
        options: { tlsVerify: false },
      });
      const sessionsBefore = server.sessions;
      const streamsBefore = server.streams;
      const { recorder } = await runUsers(compiled, 3, 4);
      // every user's connection is still open here: the server's sockets saw exactly what was counted
      const sent = recorder.requests.reduce((s, r) => s + r.result.sentBytes, 0);
      const received = recorder.requests.reduce((s, r) => s + r.result.recBytes, 0);
      await compiled.close();
      expect(server.sessions - sessionsBefore).toBe(3);
      // 4 cards, the redirect is a second stream: 5 streams per iteration
      expect(server.streams - streamsBefore).toBe(3 * 4 * 5);
      expect(recorder.outcomes()).toEqual({ success: 36, checkPointFailed: 12 });
      const byPath = recorder.requests.filter((r) => r.result.status === 404);
      expect(byPath).toHaveLength(12);
      const login = server.seen.find((s) => s.path === '/login');
      expect(login?.body).toBe('{"user":"u1"}');
      expect(login?.headers['content-type']).toBe('application/json');
      expect(login?.headers['content-length']).toBe('13');
      expect(server.seen.find((s) => s.path === '/final')?.headers[':method']).toBe('GET');
      if (!secure) {
        // h2c: the client's counters are the server socket's (TLS would add record overhead there)
        const sockets = server.sockets.slice(-3);
        expect(sent).toBe(sockets.reduce((s, k) => s + k.bytesRead, 0));
        expect(received).toBe(sockets.reduce((s, k) => s + k.bytesWritten, 0));
      } else {
        expect(sent).toBeGreaterThan(48 * 10);
        expect(received).toBeGreaterThan(48 * 10);
      }
    });

    it('keeps the response for checks and says HTTP/2; times out a stream; RST_STREAM and GOAWAY are readable failures', async () => {
      const compiled = compileOrThrow({
        case: caseOf([
          card(packet({ protocol_type, http_version: 'HTTP/2', url: `${server.url}/ok?n=5` }), checkpoint([{ source: 'body', operator: 'equals', value: 'xxxxx' }])),
          card(packet({ protocol_type, http_version: 'HTTP/2', url: `${server.url}/slow`, return_timeout: 300 })),
          card(packet({ protocol_type, http_version: 'HTTP/2', url: `${server.url}/reset` })),
          card(packet({ protocol_type, http_version: 'HTTP/2', url: `${server.url}/goaway` })),
          card(packet({ protocol_type, http_version: 'HTTP/2', url: `${server.url}/ok?n=70000` })),
        ]),
        options: { tlsVerify: false },
      });
      const { recorder } = await runUsers(compiled, 1, 1);
      await compiled.close();
      const [ok, slow, reset, goaway, big] = recorder.requests.map((r) => r.result);
      expect(ok).toMatchObject({ outcome: 'success', status: 200, httpVersion: 'HTTP/2' });
      expect(slow.outcome).toBe('timeout');
      expect(slow.responseTimeUs).toBeGreaterThanOrEqual(250_000);
      expect(slow.responseTimeUs).toBeLessThan(1_900_000);
      expect(reset.outcome).toBe('othersFailed');
      expect(reset.error).toMatch(/HTTP\/2: the server reset the stream \(RST_STREAM NGHTTP2_INTERNAL_ERROR\)/);
      expect(goaway.outcome).toBe('othersFailed');
      expect(goaway.error).toMatch(/GOAWAY.*code 11/);
      // after a GOAWAY the next request opens a new connection; a body larger than the windows
      expect(big).toMatchObject({ outcome: 'success', status: 200 });
      expect(big.recBytes).toBeGreaterThan(70_000);
    });
  });
}

describe('HTTP/2 refused', () => {
  it('fails readably when a TLS server does not select h2 in ALPN', async () => {
    const server = https.createServer(tlsOptions, (_req, res) => res.end('http/1.1 only'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const compiled = compileOrThrow({
      case: caseOf([
        card(packet({ protocol_type: 2, http_version: 'HTTP/2', url: `https://127.0.0.1:${port}/` })),
        card(packet({ protocol_type: 2, url: `https://127.0.0.1:${port}/` })),
      ]),
      options: { tlsVerify: false },
    });
    const { recorder } = await runUsers(compiled, 1, 1);
    await compiled.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    const [h2, h1] = recorder.requests.map((r) => r.result);
    expect(h2.outcome).toBe('othersFailed');
    expect(h2.error).toMatch(/HTTP\/2 refused|no application protocol/i);
    expect(h1).toMatchObject({ outcome: 'success', status: 200 });
  });

  it('fails readably when a cleartext server answers the h2c preface with HTTP/1.1', async () => {
    const server = await startServer((_req, res) => res.end('http/1.1 only'));
    const compiled = compileOrThrow({ case: caseOf([card(packet({ http_version: 'HTTP/2', url: `${server.url}/` }))]) });
    const { recorder } = await runUsers(compiled, 1, 1);
    await compiled.close();
    await server.close();
    const [h2c] = recorder.requests.map((r) => r.result);
    expect(h2c.outcome).toBe('othersFailed');
    expect(h2c.error).toBe("HTTP/2 refused: the server's answer is not HTTP/2 (Protocol error)");
  });

  it('rejects an unknown http_version when the case is compiled', () => {
    expect(() => compileOrThrow({ case: caseOf([card(packet({ url: 'http://127.0.0.1:1/', http_version: 'HTTP/3' }))]) })).toThrow(/http_version/);
  });
});
