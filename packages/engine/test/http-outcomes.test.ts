/**
 * The HTTP driver against real local servers: every outcome provoked for real, bytes counted against
 * what the server's sockets saw, and HTTPS verification on a self-signed certificate.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCoordination } from '../src/coordination/local.js';
import {
  caseOf,
  card,
  checkpoint,
  compileOrThrow,
  MemoryRecorder,
  packet,
  runUsers,
  session,
  startServer,
  type TestServer,
} from './vu-helpers.js';

/** Runs one packet once for one user and returns its recorded result. */
async function once(fields: Record<string, unknown>, extra: Parameters<typeof card> = [], tlsVerify = true) {
  const compiled = compileOrThrow({
    case: caseOf([card(packet(fields), ...extra)]),
    options: { tlsVerify },
  });
  const { recorder } = await runUsers(compiled, 1, 1);
  await compiled.close();
  expect(recorder.requests).toHaveLength(1);
  expect(recorder.iterations).toHaveLength(1);
  return { result: recorder.requests[0].result, iteration: recorder.iterations[0] };
}

async function rawServer(onSocket: (socket: net.Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('HTTP driver outcomes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 2000).unref();
        return;
      }
      if (req.url === '/missing') {
        res.statusCode = 404;
        return res.end('no such thing');
      }
      res.setHeader('content-type', 'text/plain');
      res.end('the quick brown fox');
    });
  });
  afterAll(() => server.close());

  it('succeeds on a 2xx without checkpoints', async () => {
    const { result, iteration } = await once({ url: `${server.url}/ok` });
    expect(result.outcome).toBe('success');
    expect(result.status).toBe(200);
    expect(result.responseTimeUs).toBeGreaterThan(0);
    expect(iteration).toMatchObject({ ok: true, outcome: 'success', status: 200, responseTimeUs: result.responseTimeUs });
  });

  it('classifies a refused connection as refusedFailed', async () => {
    const closed = await startServer(() => undefined);
    const url = closed.url;
    await closed.close();
    const { result, iteration } = await once({ url: `${url}/x` });
    expect(result.outcome).toBe('refusedFailed');
    expect(result.status).toBe(0);
    expect(result.sentBytes).toBe(0);
    expect(iteration).toMatchObject({ ok: false, outcome: 'refusedFailed' });
  });

  it('classifies a response slower than return_timeout as timeout', async () => {
    const { result } = await once({ url: `${server.url}/slow`, return_timeout: 300 });
    expect(result.outcome).toBe('timeout');
    expect(result.responseTimeUs).toBeGreaterThanOrEqual(250_000);
    expect(result.responseTimeUs).toBeLessThan(1_900_000);
  });

  it('applies each card its own return timeout on the same connection', async () => {
    const compiled = compileOrThrow({
      case: caseOf([
        card(packet({ url: `${server.url}/ok`, return_timeout: 60_000 })),
        card(packet({ url: `${server.url}/slow`, return_timeout: 200 })),
      ]),
    });
    const { recorder } = await runUsers(compiled, 1, 1);
    await compiled.close();
    const [fast, slow] = recorder.requests.map((r) => r.result);
    expect(fast.outcome).toBe('success');
    expect(slow.outcome).toBe('timeout');
    expect(slow.responseTimeUs).toBeGreaterThanOrEqual(190_000);
    expect(slow.responseTimeUs).toBeLessThan(1_500_000);
  });

  it('times out a body that stalls after the headers, but not one that keeps trickling', async () => {
    const raw = await rawServer((socket) => {
      socket.once('data', (data) => {
        const trickle = data.toString().startsWith('GET /trickle');
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nab');
        if (!trickle) return;
        let left = 6;
        const timer = setInterval(() => {
          socket.write('c');
          if (--left === 0) clearInterval(timer);
        }, 100);
      });
    });
    const stalled = await once({ url: `http://127.0.0.1:${raw.port}/stall`, return_timeout: 300 });
    expect(stalled.result).toMatchObject({ outcome: 'timeout', status: 200 });
    const trickling = await once({ url: `http://127.0.0.1:${raw.port}/trickle`, return_timeout: 300 });
    await raw.close();
    expect(trickling.result).toMatchObject({ outcome: 'success', status: 200 });
    expect(trickling.result.responseTimeUs).toBeGreaterThan(500_000);
  });

  it('classifies a 404 without checkpoint as checkPointFailed', async () => {
    const { result } = await once({ url: `${server.url}/missing` });
    expect(result).toMatchObject({ outcome: 'checkPointFailed', status: 404 });
  });

  it('lets a status checkpoint accept a 404', async () => {
    const { result } = await once({ url: `${server.url}/missing` }, [
      checkpoint([{ source: 'status', operator: 'equals', value: '404' }]),
    ]);
    expect(result).toMatchObject({ outcome: 'success', status: 404 });
  });

  it('classifies a failing body checkpoint as checkPointFailed', async () => {
    const { result } = await once({ url: `${server.url}/ok` }, [
      checkpoint([{ source: 'body', operator: 'contains', value: 'lazy dog' }]),
    ]);
    expect(result.outcome).toBe('checkPointFailed');
    expect(result.error).toContain('lazy dog');
    const passing = await once({ url: `${server.url}/ok` }, [
      checkpoint([
        { source: 'body', operator: 'contains', value: 'lazy dog' },
        { source: 'header', name: 'Content-Type', operator: 'regex', value: '^text/' },
      ], { logic: 'OR' }),
    ]);
    expect(passing.result.outcome).toBe('success');
  });

  it('classifies a truncated body (Content-Length 100, 10 bytes, close) as parsedFailed', async () => {
    const raw = await rawServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789', () => socket.destroy());
      });
    });
    const { result } = await once({ url: `http://127.0.0.1:${raw.port}/t` });
    await raw.close();
    expect(result.outcome).toBe('parsedFailed');
    expect(result.status).toBe(200);
  });

  it('classifies an unparseable response as parsedFailed and a reset before any response as othersFailed', async () => {
    const garbage = await rawServer((socket) => socket.once('data', () => socket.end('NOT HTTP AT ALL\r\n\r\n')));
    const bad = await once({ url: `http://127.0.0.1:${garbage.port}/g` });
    await garbage.close();
    expect(bad.result.outcome).toBe('parsedFailed');

    const reset = await rawServer((socket) => socket.once('data', () => socket.destroy()));
    const dropped = await once({ url: `http://127.0.0.1:${reset.port}/r` });
    await reset.close();
    expect(dropped.result.outcome).toBe('othersFailed');
  });

  it('fails requests that cannot be built as parsedFailed without starving the event loop', async () => {
    const compiled = compileOrThrow({
      case: caseOf([
        { data_type: 1, data: { assignments: [{ name: 'bad', value: 'a\nb' }, { name: 'port', value: '99999' }] } },
        card(packet({ url: `${server.url}/ok`, headers: [{ key: 'X-Bad', value: '${bad}' }] })),
        card(packet({ url: 'http://127.0.0.1:${port}/x' })),
      ]),
    });
    const controller = new AbortController();
    const recorder = new MemoryRecorder();
    const vu = compiled.createUser({ session: session(0, controller.signal), recorder, coordination: new LocalCoordination() });
    // the timer can only fire if iterations give the event loop a turn
    setTimeout(() => controller.abort(), 100);
    while (!controller.signal.aborted) await vu.iterate();
    await vu.close();
    await compiled.close();
    expect(recorder.requests.length).toBeGreaterThan(2);
    expect(new Set(recorder.requests.map((r) => r.result.outcome))).toEqual(new Set(['parsedFailed']));
    expect(recorder.requests[0].result.error).toMatch(/header/i);
    expect(recorder.requests[1].result.error).toMatch(/invalid URL/);
  });

  it('ends every request in exactly one recorded outcome across many users', async () => {
    const compiled = compileOrThrow({
      case: caseOf([
        card(packet({ url: `${server.url}/ok` })),
        card(packet({ url: `${server.url}/missing` })),
      ]),
    });
    const { recorder } = await runUsers(compiled, 4, 5);
    await compiled.close();
    expect(recorder.outcomes()).toEqual({ success: 20, checkPointFailed: 20 });
    expect(recorder.iterations.map((i) => i.outcome)).toEqual(Array(20).fill('checkPointFailed'));
  });
});

describe('HTTP bytes', () => {
  it('counts exactly the bytes the server sockets read and wrote', async () => {
    const sockets: net.Socket[] = [];
    const server = await startServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('x'.repeat(Number(new URL(req.url ?? '/', 'http://h').searchParams.get('n') ?? 1))));
    });
    server.server.on('connection', (s: net.Socket) => sockets.push(s));
    const compiled = compileOrThrow({
      case: caseOf([
        card(packet({ url: `${server.url}/a?n=10`, headers: [{ key: 'X-Test', value: 'abc' }] })),
        card(packet({ url: `${server.url}/b?n=5000`, method: 'POST', body: 'payload-'.repeat(50) })),
      ]),
    });
    const { recorder } = await runUsers(compiled, 3, 4);
    await compiled.close();
    const sent = recorder.requests.reduce((s, r) => s + r.result.sentBytes, 0);
    const received = recorder.requests.reduce((s, r) => s + r.result.recBytes, 0);
    expect(recorder.requests).toHaveLength(24);
    expect(sockets.length).toBe(3);
    expect(sent).toBe(sockets.reduce((s, k) => s + k.bytesRead, 0));
    expect(received).toBe(sockets.reduce((s, k) => s + k.bytesWritten, 0));
    const iterationSent = recorder.iterations.reduce((s, i) => s + i.sentBytes, 0);
    expect(iterationSent).toBe(sent);
    await server.close();
  });
});

describe('HTTPS', () => {
  // A committed self-signed certificate (test/fixtures), so the suite needs no openssl binary.
  const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
  let port: number;
  let server: https.Server;
  beforeAll(async () => {
    server = https.createServer(
      { key: fixture('proto-tls-key.pem'), cert: fixture('proto-tls-cert.pem') },
      (_req, res) => res.end('secure'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails verification of a self-signed certificate by default', async () => {
    const { result } = await once({ url: `https://127.0.0.1:${port}/`, protocol_type: 2 });
    expect(result.outcome).toBe('othersFailed');
    expect(result.error).toMatch(/self[- ]signed/i);
  });

  it('passes with tlsVerify false, scheme taken from protocol_type when the URL has none', async () => {
    const { result } = await once({ url: `127.0.0.1:${port}/`, protocol_type: 2 }, [
      checkpoint([{ source: 'body', operator: 'equals', value: 'secure' }]),
    ], false);
    expect(result.outcome).toBe('success');
    expect(result.status).toBe(200);
    // HTTP bytes inside TLS: the request line and the headers undici writes, nothing of the handshake.
    const request = `GET / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: keep-alive\r\n\r\n`;
    expect(result.sentBytes).toBe(Buffer.byteLength(request));
    expect(result.recBytes).toBeGreaterThan('HTTP/1.1 200 OK\r\n\r\nsecure'.length);
    expect(result.recBytes).toBeLessThan(400);
  });
});
