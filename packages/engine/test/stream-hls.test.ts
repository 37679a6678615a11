/**
 * The HLS driver against a node:http server on loopback serving ffmpeg-made segments: VOD with two
 * variants, a live sliding window, a stalled live playlist, and broken answers. The server's request
 * counts must equal what the driver reports.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentInfo } from '@perftest/model';
import type { ProtocolDriver, RequestResult } from '../src/protocols/driver.js';
import { createHlsDriver } from '../src/protocols/media/hls.js';
import { DEFAULT_ENGINE_OPTIONS } from '../src/protocols/driver.js';
import { closedPort, countingServer, ffmpeg, prepare, probe, problems, requireFfmpeg, scope, sources, tempDir, userSession, type CountingServer } from './stream-harness.js';

const SEGMENTS = 3;
let tmp: ReturnType<typeof tempDir>;
let server: CountingServer;
let driver: ProtocolDriver;
let liveStart = 0;
const sizes = { lo: 0, hi: 0 };
let loFrames = { video: 0, keyFrames: 0 };

function segmentPaths(variant: 'lo' | 'hi'): string[] {
  return readdirSync(join(tmp.dir, variant))
    .filter((f) => f.endsWith('.ts'))
    .sort();
}

function send(res: import('node:http').ServerResponse, status: number, body: string | Buffer, type = 'application/vnd.apple.mpegurl'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function livePlaylist(): string {
  const available = Math.floor((Date.now() - liveStart) / 1000);
  const first = Math.max(0, available - 3);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:1', `#EXT-X-MEDIA-SEQUENCE:${first}`];
  for (let n = first; n < available; n++) lines.push('#EXTINF:1.000,', `seg-${n}.ts`);
  return lines.join('\n') + '\n';
}

function vodPlaylist(uris: string[]): string {
  return ['#EXTM3U', '#EXT-X-TARGETDURATION:1', ...uris.flatMap((u) => ['#EXTINF:1.0,', u]), '#EXT-X-ENDLIST', ''].join('\n');
}

beforeAll(async () => {
  requireFfmpeg();
  tmp = tempDir('perftest-hls-');
  for (const [variant, size] of [['lo', '160x120'], ['hi', '320x240']] as const) {
    const dir = join(tmp.dir, variant);
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    await ffmpeg(dir, [
      ...sources(SEGMENTS, size),
      '-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-hls_playlist_type', 'vod',
      '-hls_segment_filename', 'seg_%03d.ts', 'index.m3u8',
    ]);
    sizes[variant] = segmentPaths(variant).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  }
  await ffmpeg(tmp.dir, ['-i', 'lo/index.m3u8', '-c', 'copy', 'lo-all.ts']);
  loFrames = await probe(join(tmp.dir, 'lo-all.ts'));
  const master = ['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x240', 'hi/index.m3u8', '#EXT-X-STREAM-INF:BANDWIDTH=150000,RESOLUTION=160x120', 'lo/index.m3u8', ''].join('\n');
  server = await countingServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const vod = /^\/vod\/(lo|hi)\/(.+)$/.exec(path);
    const live = /^\/live\/seg-(\d+)\.ts$/.exec(path);
    if (path === '/vod/master.m3u8') return send(res, 200, master);
    if (path === '/redirect/master.m3u8') {
      res.writeHead(302, { location: '/vod/master.m3u8', 'content-length': 0 });
      return res.end();
    }
    if (vod !== null) return send(res, 200, readFileSync(join(tmp.dir, vod[1], vod[2])), 'video/mp2t');
    if (path === '/live/index.m3u8') return send(res, 200, livePlaylist());
    if (live !== null) return send(res, 200, readFileSync(join(tmp.dir, 'lo', segmentPaths('lo')[Number(live[1]) % SEGMENTS])), 'video/mp2t');
    if (path === '/stalled/index.m3u8') return send(res, 200, vodPlaylist(['/vod/lo/seg_000.ts', '/vod/lo/seg_001.ts']).replace('#EXT-X-ENDLIST\n', ''));
    if (path === '/broken/index.m3u8') return send(res, 200, '<html>this is not a playlist</html>');
    if (path === '/missing/index.m3u8') return send(res, 200, vodPlaylist(['/vod/lo/seg_000.ts', '/gone/seg_001.ts']));
    if (path === '/slow/index.m3u8') return send(res, 200, vodPlaylist(['/slow/seg.ts']));
    if (path === '/slow/seg.ts') return; // never answers
    if (path === '/corrupt/index.m3u8') return send(res, 200, vodPlaylist(['/corrupt/seg.ts']));
    if (path === '/corrupt/seg.ts') {
      const seg = Buffer.from(readFileSync(join(tmp.dir, 'lo', 'seg_000.ts')));
      seg[5 * 188] = 0x00; // the sixth packet loses its sync byte
      return send(res, 200, seg, 'video/mp2t');
    }
    send(res, 404, 'not found', 'text/plain');
  });
  driver = createHlsDriver(DEFAULT_ENGINE_OPTIONS);
}, 60_000);

afterAll(async () => {
  await driver?.close?.();
  await server?.close();
  tmp?.remove();
});

function packet(url: string, extra: Partial<ContentInfo> = {}): ContentInfo {
  return { protocol_type: 7, name: 'hls', url, duration: 2, bitrate_type: 0, ...extra };
}

async function play(p: ContentInfo, debug = false): Promise<{ r: RequestResult; s: Record<string, number>; before: Map<string, number> }> {
  const before = new Map(server.hits);
  const r = await prepare(driver, p).execute(userSession(debug), scope({ host: `127.0.0.1:${server.port}` }));
  return { r, s: r.streaming ?? {}, before };
}

/** Server hits since `before` whose path passes `filter`. */
function since(before: Map<string, number>, filter: (p: string) => boolean): number {
  return [...server.hits].filter(([p]) => filter(p)).reduce((n, [p, c]) => n + c - (before.get(p) ?? 0), 0);
}

describe('HLS driver', () => {
  it('plays the lowest variant of a VOD stream to its end', async () => {
    const { r, s, before } = await play(packet('http://${host}/vod/master.m3u8', { duration: 10 }));
    expect(r.outcome, r.error).toBe('success');
    expect(s.variantBandwidth).toBe(150000);
    expect(s.playlistRequests).toBe(2);
    expect(since(before, (p) => p.endsWith('.m3u8'))).toBe(2);
    expect(s.segmentRequests).toBe(SEGMENTS);
    expect(since(before, (p) => p.startsWith('/vod/lo/') && p.endsWith('.ts'))).toBe(SEGMENTS);
    expect(since(before, (p) => p.startsWith('/vod/hi/'))).toBe(0);
    expect(s.segmentBytes).toBe(sizes.lo);
    expect(r.recBytes).toBeGreaterThan(sizes.lo);
    expect(r.sentBytes).toBeGreaterThan(0);
    expect(s.sendPackets).toBe(2 + SEGMENTS);
    // Every frame of the presentation was read: ffprobe's count over the same segments.
    expect(s.videoRecPackets).toBe(loFrames.video);
    expect(s.keyFrameReceiveCnt).toBe(loFrames.keyFrames);
    expect(s.audioRecPackets).toBeGreaterThan(0);
    expect(s.audioRecBytes + s.videoRecBytes).toBeLessThan(s.segmentBytes);
    expect(s.firstFrameDelayUs).toBeGreaterThan(0);
    expect(s.firstFrameDelayUs).toBeLessThan(2_000_000);
    expect(s.recvKeyFrameDelayUs).toBe(s.firstFrameDelayUs);
    expect(s.streamingPlayTimes).toBe(1);
    expect(s.streamingErrorTimes).toBe(0);
    // It ends when the 3 s of media have played out, well before the 10 s duration.
    expect(r.responseTimeUs).toBeGreaterThan(2_500_000);
    expect(r.responseTimeUs).toBeLessThan(6_000_000);
  });

  it('follows a redirect, picks the highest variant and stops at the duration', async () => {
    const { r, s, before } = await play(packet(`${server.base}/redirect/master.m3u8`, { bitrate_type: 1, duration: 1 }));
    expect(r.outcome, r.error).toBe('success');
    expect(s.variantBandwidth).toBe(400000);
    expect(s.playlistRequests).toBe(3); // redirect, master, media
    expect(since(before, (p) => p.endsWith('.m3u8'))).toBe(3);
    expect(s.segmentRequests).toBe(since(before, (p) => p.startsWith('/vod/hi/') && p.endsWith('.ts')));
    expect(s.segmentRequests).toBeGreaterThanOrEqual(1);
    expect(s.segmentRequests).toBeLessThanOrEqual(3);
    expect(since(before, (p) => p.startsWith('/vod/lo/'))).toBe(0);
    expect(r.responseTimeUs).toBeGreaterThan(900_000);
    expect(r.responseTimeUs).toBeLessThan(2_500_000);
    expect(s.playedUs).toBeGreaterThan(900_000);
  });

  it('follows a live playlist for the duration, 3 s in a debug run', async () => {
    liveStart = Date.now() - 3000;
    const { r, s, before } = await play(packet(`${server.base}/live/index.m3u8`, { duration: 60 }), true);
    expect(r.outcome, r.error).toBe('success');
    expect(s.playlistRequests).toBeGreaterThanOrEqual(3);
    expect(s.playlistRequests).toBe(since(before, (p) => p === '/live/index.m3u8'));
    expect(s.segmentRequests).toBe(since(before, (p) => p.startsWith('/live/seg-')));
    expect(s.segmentRequests).toBeGreaterThanOrEqual(3);
    expect(s.segmentRequests).toBeLessThanOrEqual(7);
    expect(s.videoRecPackets).toBeGreaterThanOrEqual(20);
    expect(r.responseTimeUs).toBeGreaterThan(2_900_000);
    expect(r.responseTimeUs).toBeLessThan(4_500_000);
  });

  it('fails a live playlist that stops growing after retry_time retries', async () => {
    const { r, s, before } = await play(packet(`${server.base}/stalled/index.m3u8`, { duration: 20, retry_time: 2, retry_delay: 200 }));
    expect(r.outcome).toBe('timeout');
    expect(s.retryFailed).toBe(1);
    expect(s.streamingErrorTimes).toBe(1);
    expect(r.error).toMatch(/no new segment in 3 reloads \(retry_time 2\)/);
    // Initial load, the reload one target duration later, then 2 retries 200 ms apart.
    expect(s.playlistRequests).toBe(4);
    expect(s.playlistRetries).toBe(2);
    expect(since(before, (p) => p === '/stalled/index.m3u8')).toBe(4);
    expect(s.segmentRequests).toBe(2);
    expect(r.responseTimeUs).toBeGreaterThan(1_200_000);
    expect(r.responseTimeUs).toBeLessThan(4_000_000);
  });

  it('classifies broken playlists, missing segments, silence and refused connections', async () => {
    const broken = await play(packet(`${server.base}/broken/index.m3u8`));
    expect([broken.r.outcome, broken.s.parseFileFailed, broken.r.status]).toEqual(['parsedFailed', 1, 200]);
    expect(broken.r.error).toMatch(/#EXTM3U/);

    const missing = await play(packet(`${server.base}/missing/index.m3u8`, { duration: 5 }));
    expect([missing.r.outcome, missing.s.playFailed, missing.r.status]).toEqual(['checkPointFailed', 1, 404]);
    expect(missing.s.segmentRequests).toBe(2);
    expect(missing.r.responseTimeUs).toBeLessThan(3_000_000);

    const noPlaylist = await play(packet(`${server.base}/nothing/index.m3u8`));
    expect([noPlaylist.r.outcome, noPlaylist.s.playFailed, noPlaylist.r.status]).toEqual(['checkPointFailed', 1, 404]);

    const slow = await play(packet(`${server.base}/slow/index.m3u8`, { duration: 5, return_timeout: 300 }));
    expect([slow.r.outcome, slow.s.httpTimeoutFailed]).toEqual(['timeout', 1]);
    expect(slow.r.responseTimeUs).toBeLessThan(2_000_000);

    const corrupt = await play(packet(`${server.base}/corrupt/index.m3u8`));
    expect([corrupt.r.outcome, corrupt.s.parseFileFailed]).toEqual(['parsedFailed', 1]);
    expect(corrupt.r.error).toMatch(/seg\.ts: transport stream lost sync at packet 5/);

    const refused = await play(packet(`http://127.0.0.1:${await closedPort()}/x.m3u8`));
    expect([refused.r.outcome, refused.s.tcpConnectFailed]).toEqual(['refusedFailed', 1]);

    const illegal = await play(packet('ftp://${host}/x.m3u8'));
    expect([illegal.r.outcome, illegal.s.illegalUrlFailed]).toEqual(['othersFailed', 1]);
    for (const x of [broken, missing, noPlaylist, slow, corrupt, refused, illegal]) {
      expect(Object.keys(x.s).filter((k) => k.endsWith('Failed'))).toHaveLength(1);
    }
  });

  it('ends promptly when the run stops', async () => {
    liveStart = Date.now() - 3000;
    const session = userSession();
    const started = Date.now();
    const pending = prepare(driver, packet(`${server.base}/live/index.m3u8`, { duration: 30 })).execute(session, scope());
    setTimeout(() => session.stop.abort(), 300);
    const r = await pending;
    expect(Date.now() - started).toBeLessThan(1500);
    expect(r.outcome).toBe('othersFailed');
    expect(r.error).toBe('aborted');
  });

  it('reports packet problems at prepare time', () => {
    expect(problems(driver, { protocol_type: 7, duration: 5 }).map((p) => p.path)).toEqual(['contents[0].content[0].url']);
    const bad = problems(driver, { protocol_type: 7, url: 'rtsp://x/y.m3u8', duration: 0, bitrate_type: 5, retry_delay: -1, retry_time: -2 });
    expect(bad.map((p) => p.path.split('.').pop())).toEqual(['url', 'bitrate_type', 'retry_delay', 'retry_time', 'duration']);
  });
});
