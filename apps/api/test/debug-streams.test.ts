/**
 * Debugging UDP, HTTP-FLV and RTMP cards over HTTP on real servers started here on 127.0.0.1: a
 * dgram responder, a node:http server streaming an ffmpeg-made FLV at its real-time pace, and
 * node-media-server (a child process) fed by `ffmpeg -re`. Checked: each result's keys and values
 * (reply body, `METHOD url`, timing, result codes, error reasons), the streaming counters of the 3 s
 * a debug run plays, the requests each server saw, and a readable failure per protocol (nothing
 * listening, a wrong FLV signature, an RTMP stream nobody publishes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg, requireFfmpeg, sources, tempDir } from '../../../packages/engine/test/stream-harness.js';
import { backends, startTestServer, type TestServer } from './helpers.js';

// node-media-server is the engine's dev dependency: resolve it as the engine does.
const engineRequire = createRequire(new URL('../../../packages/engine/package.json', import.meta.url));

const RESULT_KEYS = ['body', 'errorReason', 'header', 'name', 'responseTime', 'result', 'returnBody', 'returnHeader', 'statusCode', 'streaming', 'url'];
const MEDIA_SECONDS = 6;

let media: ReturnType<typeof tempDir>;
let udp: dgram.Socket;
let udpPort = 0;
let udpSilentPort = 0;
let udpMute: dgram.Socket;
const udpSeen: string[] = [];
let web: http.Server;
let base = '';
const webHits: Record<string, number> = {};
/** node-media-server's notifications (postPublish, postPlay, donePlay, ...), in arrival order. */
const nmsEvents: Array<{ action: string; name: string }> = [];
let nms: ChildProcess | undefined;
let publisher: ChildProcess | undefined;
let rtmpPort = 0;

const freePort = async (): Promise<number> => {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
};

const udpSocket = async (): Promise<dgram.Socket> => {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return s;
};

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Writes `file` at its real-time pace (half a second ahead), as a live FLV origin would. */
function paced(res: http.ServerResponse, file: Buffer): void {
  res.writeHead(200, { 'content-type': 'video/x-flv' });
  const started = Date.now();
  let sent = 0;
  const tick = (): void => {
    const due = Math.min(file.length, Math.ceil((file.length * ((Date.now() - started) / 1000 + 0.5)) / MEDIA_SECONDS));
    if (due > sent) res.write(file.subarray(sent, due));
    sent = due;
    if (sent >= file.length) {
      clearInterval(timer);
      res.end();
    }
  };
  const timer = setInterval(tick, 50);
  res.on('close', () => clearInterval(timer));
  tick();
}

beforeAll(async () => {
  requireFfmpeg();
  media = tempDir('perftest-debug-streams-');
  await ffmpeg(media.dir, [...sources(MEDIA_SECONDS), '-f', 'flv', 'src.flv']);
  const flv = readFileSync(join(media.dir, 'src.flv'));
  const badSignature = Buffer.from(flv);
  badSignature[2] = 0x58; // "FLX"

  udp = await udpSocket();
  udp.on('message', (msg, from) => {
    udpSeen.push(msg.toString());
    udp.send(`udp ${msg.toString()}`, from.port, from.address);
  });
  udpPort = (udp.address() as AddressInfo).port;
  const released = await udpSocket();
  udpSilentPort = (released.address() as AddressInfo).port;
  await new Promise<void>((resolve) => released.close(resolve));
  udpMute = await udpSocket(); // receives, never answers

  web = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    webHits[path] = (webHits[path] ?? 0) + 1;
    if (path === '/live/test.flv') return paced(res, flv);
    if (path === '/bad.flv') return res.writeHead(200, { 'content-type': 'video/x-flv' }).end(badSignature);
    if (path === '/hook') {
      let body = '';
      req.on('data', (d) => (body += d));
      return req.on('end', () => {
        nmsEvents.push(JSON.parse(body));
        res.end('ok');
      });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;

  rtmpPort = await freePort();
  const config = {
    bind: '127.0.0.1',
    rtmp: { port: rtmpPort },
    store: { path: join(media.dir, 'data') },
    record: { auto: false, path: join(media.dir, 'record') },
    webadmin: { enable: false },
    notify: { url: `${base}/hook` },
  };
  writeFileSync(join(media.dir, 'nms.json'), JSON.stringify(config));
  nms = spawn(process.execPath, [engineRequire.resolve('node-media-server/bin/app.js'), '-c', join(media.dir, 'nms.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  nms.stdout!.on('data', (d) => (log += d));
  nms.stderr!.on('data', (d) => (log += d));
  await until('node-media-server to listen', () => log.includes('Rtmp Server listening'), 10_000).catch((e: Error) => {
    throw new Error(`${e.message}; log: ${log}`);
  });
  const src = join(media.dir, 'src.flv');
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', src, '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${rtmpPort}/live/test`];
  publisher = spawn('ffmpeg', args, { stdio: 'ignore' });
  await until('ffmpeg to publish', () => nmsEvents.some((e) => e.action === 'postPublish'), 10_000);
}, 60_000);

afterAll(async () => {
  publisher?.kill('SIGKILL');
  nms?.kill('SIGKILL');
  udp?.close();
  udpMute?.close();
  web?.closeAllConnections();
  web?.close();
  media?.remove();
});

const card = (content: object) => ({ data_type: 0, content: [{ content_type: 2, content }] });

describe.each(backends())('debug of UDP and streams on %s', (backend) => {
  let server: TestServer;
  let suite: number;
  let task: number;

  /** Stores a case of `contents` and debugs it; answers the results by name. */
  const debugCase = async (contents: object[]): Promise<Record<string, any>> => {
    const created = await server.client.post('/v1/proj-ds/task-cases', { name: 'debug streams', type: 0, task_id: task, contents });
    expect(created.status).toBe(201);
    const res = await server.client.post(`/v1/proj-ds/test-suites/${suite}/tasks/${task}/cases/${created.body.json.task_case_id}/debug`, { status: 9, type: 1 });
    expect(res.status).toBe(200);
    expect(res.body.extend).toBeNull();
    return Object.fromEntries(res.body.result.map((r: { name: string }) => [r.name, r]));
  };

  beforeAll(async () => {
    server = await startTestServer(backend);
    suite = (await server.client.post('/v1/proj-ds/test-suites', { name: 'debug streams' })).body.project_id;
    task = (await server.client.post('/v1/proj-ds/tasks', { name: 'debug streams task', project_id: suite })).body.task_id;
  });
  afterAll(() => server.close());

  it('sends a UDP datagram and shows the reply; a port with nothing listening fails readably', async () => {
    const seen = udpSeen.length;
    const r = await debugCase([
      card({ protocol_type: 4, name: 'udp', url: `udp://127.0.0.1:${udpPort}`, body: 'hello', return_timeout: 2000 }),
      card({ protocol_type: 4, name: 'udp hex', url: `udp://127.0.0.1:${udpPort}`, body: '70696e67', headers: [{ key: 'encoding', value: 'hex' }] }),
      card({ protocol_type: 4, name: 'udp nobody', url: `udp://127.0.0.1:${udpSilentPort}`, body: 'anyone?', return_timeout: 500 }),
      card({ protocol_type: 4, name: 'udp mute', url: `udp://127.0.0.1:${(udpMute.address() as AddressInfo).port}`, body: 'hello?', return_timeout: 400 }),
    ]);
    expect(Object.keys(r)).toEqual(['udp', 'udp hex', 'udp nobody', 'udp mute']);
    expect(Object.keys(r.udp).sort()).toEqual(RESULT_KEYS.filter((k) => k !== 'streaming'));
    expect(udpSeen.slice(seen)).toEqual(['hello', 'ping']);
    expect(r.udp).toMatchObject({ result: 1, errorReason: '', statusCode: 'OK', returnBody: 'udp hello', url: `UDP udp://127.0.0.1:${udpPort}` });
    expect(Number.isInteger(r.udp.responseTime) && r.udp.responseTime >= 0 && r.udp.responseTime < 2000).toBe(true);
    expect(r['udp hex']).toMatchObject({ result: 1, returnBody: 'udp ping' });
    // What was sent is shown too: as text, or as hex for a hex payload.
    expect(r.udp.body).toBe('hello');
    expect(r['udp hex'].body).toBe('70696e67');
    const nobody = r['udp nobody'];
    // Loopback answers ICMP port unreachable (refused); a dropped datagram would be a timeout.
    expect([4, 5]).toContain(nobody.result);
    expect(nobody).toMatchObject({ returnBody: '', url: `UDP udp://127.0.0.1:${udpSilentPort}` });
    expect(nobody.errorReason).toMatch(/ECONNREFUSED|no complete reply within 500 ms/);
    expect(nobody.responseTime).toBeLessThan(2000);
    // A reply that never comes is a timeout after return_timeout, never a hang.
    const mute = r['udp mute'];
    expect(mute).toMatchObject({ result: 5, errorReason: 'no complete reply within 400 ms', returnBody: '' });
    expect(mute.statusCode).toBe(mute.errorReason); // the error text, for protocols without a status line
    expect(mute.responseTime).toBeGreaterThanOrEqual(350);
    expect(mute.responseTime).toBeLessThan(2000);
  });

  it('plays an HTTP-FLV stream for 3 s with its counters; a wrong signature fails readably', async () => {
    const before = webHits['/live/test.flv'] ?? 0;
    const r = await debugCase([
      card({ protocol_type: 10, name: 'flv', flv_url: `${base}/live/test.flv`, duration: 60 }),
      card({ protocol_type: 10, name: 'flv bad', flv_url: `${base}/bad.flv`, duration: 60 }),
    ]);
    expect(webHits['/live/test.flv'] - before).toBe(1);
    const { flv, 'flv bad': bad } = r;
    expect(Object.keys(flv).sort()).toEqual(RESULT_KEYS);
    expect(flv).toMatchObject({ result: 1, errorReason: '', url: `GET ${base}/live/test.flv` });
    expect(flv.responseTime).toBeGreaterThanOrEqual(2900);
    expect(flv.responseTime).toBeLessThan(6000);
    const s = flv.streaming;
    expect(s).toMatchObject({ streamingPlayTimes: 1, streamingErrorTimes: 0, sendPackets: 1, dataRecPackets: 1 });
    // 10 fps for 3 s plus the half second sent ahead, with slack.
    expect(s.videoRecPackets).toBeGreaterThanOrEqual(25);
    expect(s.videoRecPackets).toBeLessThanOrEqual(45);
    expect(s.keyFrameReceiveCnt).toBeGreaterThanOrEqual(3);
    expect(s.audioRecPackets).toBeGreaterThan(30);
    expect(s.recvPackets).toBe(s.audioRecPackets + s.videoRecPackets);
    expect(s.bodyBytes).toBeGreaterThan(s.audioRecBytes + s.videoRecBytes);
    expect(s.firstFrameDelayUs).toBeGreaterThan(0);
    expect(Object.keys(s).filter((k) => k.endsWith('Failed'))).toEqual([]);
    expect(bad).toMatchObject({ result: 3, url: `GET ${base}/bad.flv` });
    expect(bad.errorReason).toMatch(/signature "FLX"/);
    expect(bad.responseTime).toBeLessThan(2000);
    expect(bad.streaming).toMatchObject({ streamingPlayTimes: 1, streamingErrorTimes: 1, illegalFlvHeaderFailed: 1 });
  });

  it('plays an RTMP stream for 3 s with its counters; a stream nobody publishes fails readably', async () => {
    const before = nmsEvents.length;
    const url = `rtmp://127.0.0.1:${rtmpPort}/live`;
    const r = await debugCase([
      card({ protocol_type: 7, name: 'rtmp', rtmp_url: `${url}/test`, duration: 60 }),
      card({ protocol_type: 7, name: 'rtmp nobody', rtmp_url: `${url}/nobody`, duration: 60, return_timeout: 600 }),
    ]);
    const { rtmp, 'rtmp nobody': nobody } = r;
    expect(Object.keys(rtmp).sort()).toEqual(RESULT_KEYS);
    expect(rtmp).toMatchObject({ result: 1, errorReason: '', url: `PLAY ${url}/test` });
    expect(rtmp.responseTime).toBeGreaterThanOrEqual(2900);
    expect(rtmp.responseTime).toBeLessThan(6000);
    const s = rtmp.streaming;
    expect(s).toMatchObject({ streamingPlayTimes: 1, streamingErrorTimes: 0, sendPackets: 7 });
    expect(s.videoRecPackets).toBeGreaterThanOrEqual(20);
    expect(s.videoRecPackets).toBeLessThanOrEqual(60);
    expect(s.audioRecPackets).toBeGreaterThan(30);
    expect(s.keyFrameReceiveCnt).toBeGreaterThanOrEqual(2);
    expect(s.recvPackets).toBe(s.audioRecPackets + s.videoRecPackets);
    expect(s.dataRecPackets).toBeGreaterThanOrEqual(1);
    expect(s.firstFrameDelayUs).toBeGreaterThan(0);
    expect(nobody).toMatchObject({ result: 5, errorReason: 'no media for 600 ms', url: `PLAY ${url}/nobody` });
    expect(nobody.responseTime).toBeLessThan(2500);
    expect(nobody.streaming).toMatchObject({ streamingErrorTimes: 1, playFailed: 1 });
    await until('both plays to be reported', () => nmsEvents.slice(before).filter((e) => e.action === 'postPlay').length === 2, 3000);
    expect(nmsEvents.slice(before).filter((e) => e.action === 'postPlay').map((e) => e.name)).toEqual(['test', 'nobody']);
  });
});
