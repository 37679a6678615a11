/**
 * The HTTP-FLV driver against a node:http server on loopback streaming ffmpeg-made FLV files: a
 * paced "live" stream, a short file that ends early, and broken streams (wrong signature,
 * truncated, corrupted tag sizes, silence, 404, refused).
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentInfo } from '@perftest/model';
import { DEFAULT_ENGINE_OPTIONS, type ProtocolDriver, type RequestResult } from '../src/protocols/driver.js';
import { createFlvDriver } from '../src/protocols/media/flv.js';
import { closedPort, countingServer, ffmpeg, prepare, probe, problems, requireFfmpeg, scope, sources, tempDir, userSession, type CountingServer } from './stream-harness.js';

const LIVE_SECONDS = 6;
let tmp: ReturnType<typeof tempDir>;
let server: CountingServer;
let driver: ProtocolDriver;
let live: Buffer;
let short: Buffer;
let shortProbe: { video: number; audio: number; keyFrames: number };
/** Bytes the server wrote per request path. */
const written = new Map<string, number>();

/** Sends `file` at its real-time pace (bytes in proportion to time), starting with half a second. */
function paced(res: ServerResponse, path: string, file: Buffer, seconds: number): void {
  res.writeHead(200, { 'content-type': 'video/x-flv' });
  const started = Date.now();
  let sent = 0;
  const tick = () => {
    const due = Math.min(file.length, Math.ceil((file.length * ((Date.now() - started) / 1000 + 0.5)) / seconds));
    if (due > sent) {
      res.write(file.subarray(sent, due));
      written.set(path, (written.get(path) ?? 0) + due - sent);
      sent = due;
    }
    if (sent >= file.length) {
      clearInterval(timer);
      res.end();
    }
  };
  const timer = setInterval(tick, 50);
  res.on('close', () => clearInterval(timer));
  tick();
}

function whole(res: ServerResponse, path: string, bytes: Buffer): void {
  res.writeHead(200, { 'content-type': 'video/x-flv' }); // chunked: the end of the body is the end of the stream
  written.set(path, (written.get(path) ?? 0) + bytes.length);
  res.end(bytes);
}

beforeAll(async () => {
  requireFfmpeg();
  tmp = tempDir('perftest-flv-');
  await ffmpeg(tmp.dir, [...sources(LIVE_SECONDS), '-f', 'flv', 'live.flv']);
  await ffmpeg(tmp.dir, [...sources(2), '-f', 'flv', 'short.flv']);
  live = readFileSync(join(tmp.dir, 'live.flv'));
  short = readFileSync(join(tmp.dir, 'short.flv'));
  shortProbe = await probe(join(tmp.dir, 'short.flv'));
  const badSignature = Buffer.from(short);
  badSignature[2] = 0x58; // "FLX"
  const corrupt = Buffer.from(short);
  // The PreviousTagSize after the first tag (onMetaData): header 9 + PreviousTagSize0 4 + 11 + its data size.
  corrupt.writeUInt32BE(12345, 13 + 11 + corrupt.readUIntBE(14, 3));
  server = await countingServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/live/test.flv') return paced(res, path, live, LIVE_SECONDS);
    if (path === '/short.flv') return whole(res, path, short);
    if (path === '/bad-signature.flv') return whole(res, path, badSignature);
    if (path === '/truncated.flv') return whole(res, path, short.subarray(0, Math.floor(short.length / 2)));
    if (path === '/corrupt.flv') return whole(res, path, corrupt);
    if (path === '/silent.flv') {
      res.writeHead(200, { 'content-type': 'video/x-flv' });
      return res.write(short.subarray(0, 13)); // the header, then nothing
    }
    res.writeHead(404, { 'content-length': 0 });
    res.end();
  });
  driver = createFlvDriver(DEFAULT_ENGINE_OPTIONS);
}, 60_000);

afterAll(async () => {
  await driver?.close?.();
  await server?.close();
  tmp?.remove();
});

function packet(url: string, extra: Partial<ContentInfo> = {}): ContentInfo {
  return { protocol_type: 10, name: 'flv', flv_url: url, duration: 2, ...extra };
}

async function play(p: ContentInfo): Promise<{ r: RequestResult; s: Record<string, number> }> {
  const r = await prepare(driver, p).execute(userSession(), scope({ stream: 'test' }));
  return { r, s: r.streaming ?? {} };
}

describe('HTTP-FLV driver', () => {
  it('plays three concurrent sessions of a live stream for the duration', async () => {
    const prepared = prepare(driver, packet(`${server.base}/live/\${stream}.flv`));
    const before = server.hits.get('/live/test.flv') ?? 0;
    const results = await Promise.all([0, 1, 2].map(() => prepared.execute(userSession(), scope({ stream: 'test' }))));
    expect(server.hits.get('/live/test.flv')! - before).toBe(3);
    for (const r of results) {
      const s = r.streaming!;
      expect(r.outcome, r.error).toBe('success');
      expect(r.status).toBe(200);
      expect(r.url).toBe(`${server.base}/live/test.flv`);
      expect(s.sendPackets).toBe(1);
      expect(s.dataRecPackets).toBe(1); // onMetaData
      // 10 fps for 2 s, plus the half second the server sends ahead, within generous bounds.
      expect(s.videoRecPackets).toBeGreaterThanOrEqual(15);
      expect(s.videoRecPackets).toBeLessThanOrEqual(35);
      expect(s.keyFrameReceiveCnt).toBeGreaterThanOrEqual(2);
      expect(s.keyFrameReceiveCnt).toBeLessThanOrEqual(4);
      expect(s.audioRecPackets).toBeGreaterThan(20);
      expect(s.recvPackets).toBe(s.audioRecPackets + s.videoRecPackets);
      expect(s.audioRecBytes + s.videoRecBytes).toBeLessThan(s.bodyBytes);
      expect(s.bodyBytes).toBeLessThanOrEqual(written.get('/live/test.flv')!);
      expect(r.recBytes).toBeGreaterThan(s.bodyBytes);
      expect(s.firstFrameDelayUs).toBeGreaterThan(0);
      expect(s.firstFrameDelayUs).toBeLessThan(1_000_000);
      expect(s.streamingErrorTimes).toBe(0);
      expect(r.responseTimeUs).toBeGreaterThan(1_900_000);
      expect(r.responseTimeUs).toBeLessThan(3_500_000);
    }
  });

  it('ends every session sharing one run signal when the run stops', async () => {
    const run = new AbortController();
    const prepared = prepare(driver, packet(`${server.base}/live/test.flv`, { duration: 30 }));
    const started = Date.now();
    const pending = Array.from({ length: 20 }, () => prepared.execute({ ...userSession(), signal: run.signal }, scope()));
    setTimeout(() => run.abort(), 400);
    const results = await Promise.all(pending);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(results.map((r) => `${r.outcome} ${r.error}`)).toEqual(Array(20).fill('othersFailed aborted'));
    expect(results.every((r) => r.streaming!.videoRecPackets > 0)).toBe(true);
  });

  it('counts every tag of a stream that ends before the duration, and fails it', async () => {
    const { r, s } = await play(packet(`${server.base}/short.flv`, { duration: 3 }));
    expect(r.outcome).toBe('othersFailed');
    expect(s.playFailed).toBe(1);
    expect(r.error).toMatch(/stream ended after .* before the duration/);
    expect(s.bodyBytes).toBe(short.length);
    // ffprobe's packets, plus the AVC sequence header and end-of-sequence tags and the AAC header.
    expect(s.videoRecPackets).toBe(shortProbe.video + 2);
    expect(s.keyFrameReceiveCnt).toBe(shortProbe.keyFrames);
    expect(s.audioRecPackets).toBe(shortProbe.audio + 1);
    expect(r.responseTimeUs).toBeLessThan(2_000_000);
  });

  it('classifies broken streams', async () => {
    const cases: Array<[string, Partial<ContentInfo>, string, string, RegExp]> = [
      ['/bad-signature.flv', {}, 'parsedFailed', 'illegalFlvHeaderFailed', /signature "FLX"/],
      ['/truncated.flv', {}, 'parsedFailed', 'parseFlvFileFailed', /ended inside a tag/],
      ['/corrupt.flv', {}, 'parsedFailed', 'parseFlvFileFailed', /PreviousTagSize 12345/],
      ['/silent.flv', { return_timeout: 400 }, 'timeout', 'httpTimeoutFailed', /timeout/i],
      ['/missing.flv', {}, 'checkPointFailed', 'playFailed', /HTTP 404/],
    ];
    for (const [path, extra, outcome, cause, error] of cases) {
      const { r, s } = await play(packet(`${server.base}${path}`, extra));
      expect([path, r.outcome, s[cause]]).toEqual([path, outcome, 1]);
      expect(r.error).toMatch(error);
      expect(Object.keys(s).filter((k) => k.endsWith('Failed'))).toEqual([cause]);
      expect(r.responseTimeUs).toBeLessThan(1_500_000);
    }
    const refused = await play(packet(`http://127.0.0.1:${await closedPort()}/x.flv`));
    expect([refused.r.outcome, refused.s.tcpConnectFailed]).toEqual(['refusedFailed', 1]);
    const illegal = await play(packet('rtmp://127.0.0.1/live/${stream}'));
    expect([illegal.r.outcome, illegal.s.illegalUrlFailed]).toEqual(['othersFailed', 1]);
  });

  it('reports packet problems at prepare time', () => {
    expect(problems(driver, { protocol_type: 10, duration: 2 }).map((p) => p.path)).toEqual(['contents[0].content[0].flv_url']);
    expect(problems(driver, { protocol_type: 10, flv_url: 'http://h/x.flv', duration: -1, return_timeout: 5 }).map((p) => p.message)).toEqual([
      'duration must be an integer from 1 to 86400 seconds',
      'return_timeout must be an integer from 20 to 300000 ms',
    ]);
  });
});
