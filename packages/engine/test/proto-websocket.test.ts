/**
 * The WebSocket driver against real `ws` servers on 127.0.0.1 (plain and TLS with a self-signed
 * certificate), an HTTP server that refuses the upgrade, and a TCP server that never answers.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { ProtocolType } from '@perftest/model';
import type { ContentInfo } from '@perftest/model';
import { createWebSocketDriver } from '../src/protocols/messaging/websocket.js';
import { MAX_QUEUED_FRAMES } from '../src/protocols/messaging/websocket-connection.js';
import { DEFAULT_ENGINE_OPTIONS } from '../src/protocols/driver.js';
import { headers, outcomes, prepareOk, problemsOf, testSession, testVars } from './proto-harness.js';

/** A ws server that counts connections and received frames; `onConnect` may push frames. */
interface WsTestServer {
  url: string;
  connections: number;
  received: { data: Buffer; binary: boolean }[];
  upgradeHeaders: http.IncomingHttpHeaders[];
  closeCodes: number[];
  sockets: WebSocket[];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function wsServer(
  options: { echo?: boolean; onConnect?: (socket: WebSocket) => void; tls?: boolean } = {},
): Promise<WsTestServer> {
  const fixtures = new URL('./fixtures/', import.meta.url);
  const server = options.tls
    ? https.createServer({ key: readFileSync(new URL('proto-tls-key.pem', fixtures)), cert: readFileSync(new URL('proto-tls-cert.pem', fixtures)) })
    : http.createServer();
  const wss = new WebSocketServer({ server });
  const state: WsTestServer = {
    url: '',
    connections: 0,
    received: [],
    upgradeHeaders: [],
    closeCodes: [],
    sockets: [],
    close: async () => {
      for (const s of wss.clients) s.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  wss.on('connection', (socket, request) => {
    state.connections++;
    state.sockets.push(socket);
    state.upgradeHeaders.push(request.headers);
    socket.on('message', (data, binary) => {
      const buffer = data as Buffer;
      state.received.push({ data: buffer, binary });
      if (options.echo !== false) socket.send(buffer, { binary });
    });
    socket.on('close', (code) => state.closeCodes.push(code));
    options.onConnect?.(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${(server.address() as net.AddressInfo).port}/chat`;
  cleanups.push(state.close);
  return state;
}

function wsPacket(url: string, method: string, extra: Partial<ContentInfo> = {}): ContentInfo {
  return { protocol_type: ProtocolType.WebSocket, method, url, ...extra };
}

const driver = createWebSocketDriver(DEFAULT_ENGINE_OPTIONS);

describe('WebSocket driver', () => {
  it('runs CONNECT, WRITE_READ and DISCONNECT on one connection; server frames equal results', async () => {
    const srv = await wsServer();
    const session = testSession();
    const vars = testVars({ token: 'secret-1' });
    const connect = prepareOk(driver, wsPacket(srv.url, 'CONNECT', { headers: headers({ 'X-Token': '${token}' }) }));
    const writeRead = prepareOk(driver, wsPacket(srv.url, 'WRITE_READ', { body: 'hello ${n}' }));
    const disconnect = prepareOk(driver, wsPacket(srv.url, 'DISCONNECT'));

    const opened = await connect.execute(session, vars);
    expect(opened.outcome).toBe('success');
    expect(opened.status).toBe(101);
    expect(opened.sentBytes).toBeGreaterThan(100);
    expect(opened.recBytes).toBeGreaterThan(100);
    const replies: string[] = [];
    for (let n = 0; n < 15; n++) {
      vars.set('n', String(n));
      const result = await writeRead.execute(session, vars);
      expect(result.outcome).toBe('success');
      const size = `hello ${n}`.length;
      expect(result.sentBytes).toBe(size + 6);
      expect(result.recBytes).toBe(size + 2);
      replies.push(result.body!.toString());
    }
    expect(replies).toEqual(Array.from({ length: 15 }, (_, n) => `hello ${n}`));
    const closed = await disconnect.execute(session, vars);
    expect(closed.outcome).toBe('success');
    expect(closed.sentBytes).toBe(8);
    expect(closed.recBytes).toBe(4);
    expect(srv.received.length).toBe(15);
    expect(srv.connections).toBe(1);
    expect(srv.upgradeHeaders[0]['x-token']).toBe('secret-1');
    await expect.poll(() => srv.closeCodes).toEqual([1000]);
  });

  it('connects implicitly on a WRITE without a connection and counts the handshake', async () => {
    const srv = await wsServer({ echo: false });
    const session = testSession();
    const write = prepareOk(driver, wsPacket(srv.url, 'WRITE', { body: 'x' }));
    const first = await write.execute(session, testVars());
    expect(first.outcome).toBe('success');
    expect(first.sentBytes).toBeGreaterThan(100 + 7);
    const second = await write.execute(session, testVars());
    expect(second.sentBytes).toBe(7);
    expect(second.recBytes).toBe(0);
    await expect.poll(() => srv.received.length).toBe(2);
    expect(srv.connections).toBe(1);
    await driver.closeSession!(session);
  });

  it('queues frames that arrive while nobody reads, in order, and times out a READ with none', async () => {
    const srv = await wsServer({ onConnect: (socket) => ['a', 'b', 'c', 'd', 'e'].forEach((f) => socket.send(f)) });
    const session = testSession();
    await prepareOk(driver, wsPacket(srv.url, 'CONNECT')).execute(session, testVars());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const read = prepareOk(driver, wsPacket(srv.url, 'READ', { return_timeout: 150 }));
    const frames: string[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await read.execute(session, testVars());
      expect(result.outcome).toBe('success');
      expect(result.recBytes).toBe(3);
      frames.push(result.body!.toString());
    }
    expect(frames).toEqual(['a', 'b', 'c', 'd', 'e']);
    const empty = await read.execute(session, testVars());
    expect(empty.outcome).toBe('timeout');
    expect(empty.responseTimeUs).toBeGreaterThanOrEqual(140_000);
    await driver.closeSession!(session);
  });

  it('bounds the queue by dropping the oldest frames', async () => {
    const total = MAX_QUEUED_FRAMES + 76;
    const srv = await wsServer({
      onConnect: (socket) => {
        for (let i = 0; i < total; i++) socket.send(`f${i}`);
      },
    });
    const session = testSession();
    await prepareOk(driver, wsPacket(srv.url, 'CONNECT')).execute(session, testVars());
    const read = prepareOk(driver, wsPacket(srv.url, 'READ', { return_timeout: 200 }));
    // Wait until the last frame is queued: the queue then holds frames 76 .. total-1.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const first = await read.execute(session, testVars());
    expect(first.body!.toString()).toBe('f76');
    await driver.closeSession!(session);
  });

  it('WRITE_READ takes the frame that answers its send and leaves earlier pushes to READ', async () => {
    const srv = await wsServer({ onConnect: (socket) => socket.send('welcome') });
    const session = testSession();
    await prepareOk(driver, wsPacket(srv.url, 'CONNECT')).execute(session, testVars());
    await new Promise((resolve) => setTimeout(resolve, 50));
    const echoed = await prepareOk(driver, wsPacket(srv.url, 'WRITE_READ', { body: 'question' })).execute(session, testVars());
    expect(echoed.body!.toString()).toBe('question');
    const pushed = await prepareOk(driver, wsPacket(srv.url, 'READ')).execute(session, testVars());
    expect(pushed.body!.toString()).toBe('welcome');
    await driver.closeSession!(session);
  });

  it('sends binary frames from hex bodies and returns binary frames as bytes', async () => {
    const srv = await wsServer();
    const session = testSession();
    const result = await prepareOk(
      driver,
      wsPacket(srv.url, 'WRITE_READ', { body: '00ff10ab', headers: headers({ encoding: 'hex' }) }),
    ).execute(session, testVars());
    expect(result.outcome).toBe('success');
    expect(srv.received[0].binary).toBe(true);
    expect(srv.received[0].data.toString('hex')).toBe('00ff10ab');
    expect(result.body!.toString('hex')).toBe('00ff10ab');
    expect(srv.upgradeHeaders[0].encoding).toBeUndefined();
    await driver.closeSession!(session);
  });

  it('classifies refused, refused upgrade, handshake timeout and peer close', async () => {
    const session = testSession();
    const closedPort = await freePort();
    const refused = await prepareOk(driver, wsPacket(`ws://127.0.0.1:${closedPort}/`, 'CONNECT')).execute(session, testVars());
    expect(refused.outcome).toBe('refusedFailed');

    const forbidding = http.createServer((_req, res) => res.end());
    forbidding.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'));
    await new Promise<void>((resolve) => forbidding.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => forbidding.close(() => resolve())));
    const forbidden = await prepareOk(
      driver,
      wsPacket(`ws://127.0.0.1:${(forbidding.address() as net.AddressInfo).port}/`, 'CONNECT'),
    ).execute(session, testVars());
    expect(forbidden).toMatchObject({ outcome: 'checkPointFailed', status: 403 });

    const mute = net.createServer(() => undefined);
    const muteSockets: net.Socket[] = [];
    mute.on('connection', (s) => muteSockets.push(s));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => { muteSockets.forEach((s) => s.destroy()); mute.close(() => resolve()); }));
    const slow = await prepareOk(
      driver,
      wsPacket(`ws://127.0.0.1:${(mute.address() as net.AddressInfo).port}/`, 'CONNECT', { connect_timeout: 150 }),
    ).execute(session, testVars());
    expect(slow.outcome).toBe('timeout');

    const srv = await wsServer({ echo: false, onConnect: (socket) => setTimeout(() => socket.close(1001), 100) });
    const read = await prepareOk(driver, wsPacket(srv.url, 'READ', { return_timeout: 5000 })).execute(session, testVars());
    expect(read.outcome).toBe('parsedFailed');
    expect(read.responseTimeUs).toBeLessThan(4_000_000);
    await driver.closeSession!(session);
  });

  it('verifies TLS certificates per tlsVerify', async () => {
    const srv = await wsServer({ tls: true });
    const strict = await prepareOk(driver, wsPacket(srv.url, 'WRITE_READ', { body: 's' })).execute(testSession(), testVars());
    expect(strict.outcome).toBe('othersFailed');
    expect(strict.error).toMatch(/certificate/i);
    const session = testSession();
    const relaxed = await prepareOk(driver, wsPacket(srv.url, 'WRITE_READ', { body: 'r' }), { tlsVerify: false }).execute(session, testVars());
    expect(relaxed.outcome).toBe('success');
    expect(relaxed.body!.toString()).toBe('r');
    expect(srv.received.map((r) => r.data.toString())).toEqual(['r']);
    await driver.closeSession!(session);
  });

  it('keeps one connection per user: 20 users, 3 writes each', async () => {
    const srv = await wsServer();
    const writeRead = prepareOk(driver, wsPacket(srv.url, 'WRITE_READ', { body: 'u${u}' }));
    const sessions = Array.from({ length: 20 }, (_, i) => testSession(i));
    const results = await Promise.all(
      sessions.map(async (session, u) => {
        const out = [];
        for (let i = 0; i < 3; i++) out.push(await writeRead.execute(session, testVars({ u: String(u) })));
        return out;
      }),
    );
    expect(outcomes(results.flat())).toEqual({ success: 60 });
    expect(results.map((r) => r[2].body!.toString())).toEqual(sessions.map((_, u) => `u${u}`));
    expect(srv.received.length).toBe(60);
    expect(srv.connections).toBe(20);
    await Promise.all(sessions.map((s) => driver.closeSession!(s)));
  });

  it('ends a READ wait promptly when the session aborts', async () => {
    const srv = await wsServer({ echo: false });
    const session = testSession();
    const pending = prepareOk(driver, wsPacket(srv.url, 'READ', { return_timeout: 60_000 })).execute(session, testVars());
    setTimeout(() => session.abort.abort(), 100);
    const result = await pending;
    expect(result.outcome).toBe('othersFailed');
    expect(result.error).toBe('aborted');
  });

  it('reports bad methods, URLs and hex at prepare time', () => {
    expect(problemsOf(driver, wsPacket('ws://h/', 'SEND'))[0].path).toBe('contents[0].content[0].method');
    expect(problemsOf(driver, wsPacket('http://h/', 'READ'))[0].path).toBe('contents[0].content[0].url');
    expect(problemsOf(driver, wsPacket('ws://h/', 'WRITE', { body: 'xyz', headers: headers({ encoding: 'hex' }) }))[0].path).toBe(
      'contents[0].content[0].body',
    );
    expect(problemsOf(driver, wsPacket('ws://h/', 'write read'))).toEqual([]);
  });
});

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
