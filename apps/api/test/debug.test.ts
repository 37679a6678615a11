/**
 * Debugging over HTTP on real servers: cases and transactions stored through the API, run once by
 * one user against local targets (HTTP, TCP, WebSocket, MQTT, HLS) started here on 127.0.0.1. Checked:
 * the keys and values of each result (status text, request and response headers, bodies, timing,
 * result codes, error reasons), pre-steps first, a failing checkpoint, a refused port, a body cut at
 * 64 KB, a transaction (type 0), an invalid case (400 naming its problems) and tenancy.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import { createRequire } from 'node:module';
import net from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg, requireFfmpeg, sources, tempDir } from '../../../packages/engine/test/stream-harness.js';
import { backends, expectErrorShape, startTestServer, type TestServer } from './helpers.js';

// ws and aedes are the engine's (dev) dependencies: load them as the engine resolves them.
const engineRequire = createRequire(new URL('../../../packages/engine/package.json', import.meta.url));

/** What the test uses of a `ws` server and its sockets. */
interface WsSocket {
  on(event: 'message', listener: (data: Buffer) => void): void;
  send(data: string): void;
}
interface WsServer {
  on(event: 'connection', listener: (socket: WsSocket) => void): void;
}

const RESULT_KEYS = ['body', 'errorReason', 'header', 'name', 'responseTime', 'result', 'returnBody', 'returnHeader', 'statusCode', 'url'];

let target: http.Server;
let base = '';
let h2c: http2.Http2Server;
let h2Base = '';
let refusedPort = 0;
let tcpServer: net.Server;
let tcpPort = 0;
let wsHttp: http.Server;
let wsPort = 0;
let broker: { close(cb: () => void): void; handle: (socket: net.Socket) => void };
let mqttServer: net.Server;
let mqttPort = 0;
let media: ReturnType<typeof tempDir>;
const hits: Record<string, number> = {};

const listen = async (server: net.Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
};

beforeAll(async () => {
  requireFfmpeg();
  media = tempDir('perftest-debug-hls-');
  // 6 s of VOD in 1 s segments: a debug session plays 3 s of it
  await ffmpeg(media.dir, [...sources(6), '-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-hls_playlist_type', 'vod', '-hls_segment_filename', 'seg_%03d.ts', 'index.m3u8']);
  target = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    hits[path] = (hits[path] ?? 0) + 1;
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const hls = /^\/hls\/(index\.m3u8|seg_\d+\.ts)$/.exec(path);
      if (hls !== null) return res.end(readFileSync(join(media.dir, hls[1])));
      if (path === '/big') return res.end('a'.repeat(100_000));
      if (path === '/echo') return res.end(`got ${body}`);
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Served-By', 'debug-test');
      res.end(JSON.stringify({ hello: 'world', path }));
    });
  });
  base = `http://127.0.0.1:${await listen(target)}`;
  h2c = http2.createServer((req, res) => res.end(`h2 ${req.httpVersion} ${req.headers['x-token']}`));
  h2Base = `http://127.0.0.1:${await listen(h2c)}`;
  const closed = net.createServer();
  refusedPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  tcpServer = net.createServer((socket) => socket.on('data', (d) => socket.write(`tcp ${d.toString()}`)));
  tcpPort = await listen(tcpServer);
  const { WebSocketServer } = engineRequire('ws') as { WebSocketServer: new (opts: { server: http.Server }) => WsServer };
  wsHttp = http.createServer();
  new WebSocketServer({ server: wsHttp }).on('connection', (s) => s.on('message', (d) => s.send(`ws ${d.toString()}`)));
  wsPort = await listen(wsHttp);
  const { Aedes } = (await import(pathToFileURL(engineRequire.resolve('aedes')).href)) as { Aedes: { createBroker(): Promise<typeof broker> } };
  broker = await Aedes.createBroker();
  mqttServer = net.createServer((socket) => broker.handle(socket));
  mqttPort = await listen(mqttServer);
});

afterAll(async () => {
  target.closeAllConnections();
  target.close();
  h2c.close();
  tcpServer.close();
  wsHttp.closeAllConnections();
  wsHttp.close();
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  mqttServer.close();
  media.remove();
});

const packet = (content: object) => ({ content_type: 2, content: { protocol_type: 1, method: 'GET', ...content } });
const card = (...content: object[]) => ({ data_type: 0, content });
const hdrs = (h: Record<string, string>) => Object.entries(h).map(([key, value]) => ({ key, value }));

describe.each(backends())('debug on %s', (backend) => {
  let server: TestServer;
  let suite: number;
  let task: number;

  const createCase = async (body: object, project = 'proj-d', taskId = task): Promise<number> => {
    const res = await server.client.post(`/v1/${project}/task-cases`, { name: 'debug case', type: 0, task_id: taskId, ...body });
    expect(res.status).toBe(201);
    return res.body.json.task_case_id;
  };
  const debug = (caseId: number, body: object = { status: 9, type: 1 }, taskId: number = task, project = 'proj-d', suiteId = suite) =>
    server.client.post(`/v1/${project}/test-suites/${suiteId}/tasks/${taskId}/cases/${caseId}/debug`, {
      cluster_id: 0,
      cluster_type: 'shared-cluster-internet',
      without_package: 0,
      ...body,
    });

  beforeAll(async () => {
    server = await startTestServer(backend);
    suite = (await server.client.post('/v1/proj-d/test-suites', { name: 'debug' })).body.project_id;
    task = (await server.client.post('/v1/proj-d/tasks', { name: 'debug task', project_id: suite })).body.task_id;
  });
  afterAll(() => server.close());

  it('runs pre-steps then each request once and answers readable results', async () => {
    const before = { ...hits };
    const id = await createCase({
      setup_contents: [card(packet({ name: 'setup', url: `${base}/setup` }))],
      contents: [
        card(packet({ name: 'read', url: `${base}/ok?x=1`, headers: hdrs({ 'X-Token': 'abc' }) })),
        card(packet({ name: 'post', method: 'POST', url: `${base}/echo`, body: 'payload' })),
        card(
          packet({ name: 'checked', url: `${base}/ok` }),
          { content_type: 3, content: { checks: [{ source: 'status', operator: 'equals', value: '201' }], logic: 'AND' } },
        ),
        card(packet({ name: 'refused', url: `http://127.0.0.1:${refusedPort}/` })),
        card(packet({ name: 'big', url: `${base}/big` })),
        card(packet({ name: 'h2', http_version: 'HTTP/2', url: `${h2Base}/two`, headers: hdrs({ 'X-Token': 'abc' }) })),
      ],
      stages: [{ pressure_mode: 0, operate_mode: 0, time: 60, issue_num: 100 }],
    });
    const res = await debug(id);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'extend', 'message', 'result']);
    const results = res.body.result;
    expect(results.map((r: { name: string }) => r.name)).toEqual(['setup', 'read', 'post', 'checked', 'refused', 'big', 'h2']);
    for (const r of results) {
      expect(Object.keys(r).sort()).toEqual(r.statusCode === '' ? RESULT_KEYS : [...RESULT_KEYS, 'httpVersion'].sort());
      expect(Number.isInteger(r.responseTime) && r.responseTime >= 0).toBe(true);
    }
    const [setup, read, post, checked, refused, big, h2] = results;
    expect(setup).toMatchObject({ result: 1, statusCode: '200 OK', url: `GET ${base}/setup`, httpVersion: 'HTTP/1.1' });
    expect(h2).toMatchObject({ result: 1, statusCode: '200', returnBody: 'h2 2.0 abc', httpVersion: 'HTTP/2' });
    expect(read).toMatchObject({ result: 1, errorReason: '', statusCode: '200 OK', url: `GET ${base}/ok?x=1` });
    expect(read.returnHeader['Content-Type']).toBe('application/json');
    expect(read.returnHeader['X-Served-By']).toBe('debug-test');
    expect(JSON.parse(read.returnBody)).toEqual({ hello: 'world', path: '/ok' });
    const sent = Object.fromEntries(Object.entries(read.header).map(([k, v]) => [k.toLowerCase(), v]));
    expect(sent['x-token']).toBe('abc');
    expect(post).toMatchObject({ result: 1, body: 'payload', returnBody: 'got payload', url: `POST ${base}/echo` });
    expect(checked).toMatchObject({ result: 2, statusCode: '200 OK' });
    expect(checked.errorReason).not.toBe('');
    expect(refused).toMatchObject({ result: 4, statusCode: '', returnBody: '' });
    expect(refused.errorReason).toContain('ECONNREFUSED');
    expect(big.returnBody.startsWith('a'.repeat(65_536))).toBe(true);
    expect(big.returnBody.endsWith('[truncated: first 65536 of 100000 bytes]')).toBe(true);
    expect(hits['/setup'] - (before['/setup'] ?? 0)).toBe(1);
    expect(hits['/ok'] - (before['/ok'] ?? 0)).toBe(2);
  });

  it('debugs a transaction (type 0, the default) and accepts task_id 0', async () => {
    const created = await server.client.post('/v1/proj-d/templates', {
      project_id: suite,
      temp_type: 0,
      name: 'debug transaction',
      contents: [card(packet({ name: 'in transaction', url: `${base}/tx` }))],
    });
    expect(created.status).toBe(201);
    const tempId = created.body.tempId;
    for (const body of [{ status: 9, type: 0 }, { status: 9 }]) {
      const res = await debug(tempId, body, 0);
      expect(res.status).toBe(200);
      expect(res.body.result).toHaveLength(1);
      expect(res.body.result[0]).toMatchObject({ name: 'in transaction', result: 1, statusCode: '200 OK' });
    }
  });

  it('runs TCP, WebSocket and MQTT cards with their own results', async () => {
    const ws = `ws://127.0.0.1:${wsPort}/`;
    const mqtt = `mqtt://127.0.0.1:${mqttPort}`;
    const id = await createCase({
      contents: [
        card(packet({ protocol_type: 3, name: 'tcp', method: 'SEND', url: `tcp://127.0.0.1:${tcpPort}`, body: 'hello', check_end_type: 1, check_end_length: 9 })),
        card(packet({ protocol_type: 9, name: 'ws connect', method: 'CONNECT', url: ws })),
        card(packet({ protocol_type: 9, name: 'ws echo', method: 'WRITE_READ', url: ws, body: 'ping' })),
        card(packet({ protocol_type: 9, name: 'ws close', method: 'DISCONNECT', url: ws })),
        card(packet({ protocol_type: 11, name: 'mqtt connect', method: 'CONNECT', url: mqtt, headers: hdrs({ client_id: 'debug-client' }) })),
        card(packet({ protocol_type: 11, name: 'mqtt publish', method: 'PUBLISH', url: mqtt, headers: hdrs({ topic: 'debug/t', qos: '1' }), body: 'm1' })),
        card(packet({ protocol_type: 11, name: 'mqtt close', method: 'DISCONNECT', url: mqtt })),
      ],
    });
    const res = await debug(id);
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.result.map((r: { name: string }) => [r.name, r]));
    expect(Object.keys(byName)).toEqual(['tcp', 'ws connect', 'ws echo', 'ws close', 'mqtt connect', 'mqtt publish', 'mqtt close']);
    for (const r of res.body.result) expect(r, r.name).toMatchObject({ result: 1, errorReason: '', statusCode: 'OK' });
    expect(byName.tcp.returnBody).toBe('tcp hello');
    expect(byName.tcp.url).toBe(`SEND tcp://127.0.0.1:${tcpPort}`);
    expect(byName['ws echo'].returnBody).toBe('ws ping');
    expect(byName['mqtt publish'].url).toBe(`PUBLISH ${mqtt}`);
  });

  it('plays a streaming session for the 3 s of a debug run', async () => {
    const id = await createCase({ contents: [card({ content_type: 2, content: { protocol_type: 7, name: 'hls', url: `${base}/hls/index.m3u8`, duration: 60 } })] });
    const res = await debug(id);
    expect(res.status).toBe(200);
    const [hls] = res.body.result;
    expect(hls).toMatchObject({ name: 'hls', result: 1, statusCode: 'OK', errorReason: '', url: `GET ${base}/hls/index.m3u8` });
    expect(hls.responseTime).toBeGreaterThanOrEqual(2900);
    expect(hls.responseTime).toBeLessThan(6000);
    expect(hls.streaming).toMatchObject({ streamingPlayTimes: 1, streamingErrorTimes: 0 });
    expect(hls.streaming.segmentRequests).toBeGreaterThanOrEqual(3);
  });

  it('answers 400 listing the problems of an invalid case, 404 for other tenants and unknown ids', async () => {
    const id = await createCase({ contents: [card(packet({ name: 'bad', method: 'FETCH', url: 'not a url' }))] });
    const res = await debug(id);
    expectErrorShape(res, 400);
    expect(res.body.error_msg).toContain('contents[0]');
    const empty = await createCase({ contents: [] });
    const none = await debug(empty);
    expectErrorShape(none, 400);
    expect(none.body.error_msg).toContain('no enabled request');
    expectErrorShape(await debug(id, { status: 2, type: 1 }), 400);
    expectErrorShape(await debug(id, { status: 9, type: 1 }, task, 'proj-other'), 404);
    expectErrorShape(await debug(999_999), 404);
    expectErrorShape(await debug(id, { status: 9, type: 0 }), 404); // no transaction with that id
    const other = (await server.client.post('/v1/proj-d/test-suites', { name: 'other suite' })).body.project_id;
    expectErrorShape(await debug(id, { status: 9, type: 1 }, 0, 'proj-d', other), 404);
  });
});
