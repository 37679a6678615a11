/**
 * The RTMP driver against node-media-server 4 (a child process on loopback, fed by ffmpeg) and
 * against a scripted RTMP server written here for what node-media-server never does: small
 * acknowledgement windows, pings, rejected commands, wrong handshakes, dropped connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentInfo } from '@perftest/model';
import type { RequestResult } from '../src/protocols/driver.js';
import { createRtmpDriver } from '../src/protocols/media/rtmp.js';
import { encodeAmf0 } from '../src/protocols/media/rtmp/amf0.js';
import { ChunkReader, ChunkWriter } from '../src/protocols/media/rtmp/chunk-stream.js';
import { HANDSHAKE_SIZE } from '../src/protocols/media/rtmp/handshake.js';
import { decodeCommand, EVENT, MSG, u32Body, userControlBody, type Command } from '../src/protocols/media/rtmp/messages.js';
import { closedPort, countingServer, ffmpeg, prepare, problems, requireFfmpeg, scope, sources, tempDir, userSession, type CountingServer } from './stream-harness.js';

const driver = createRtmpDriver();
let tmp: ReturnType<typeof tempDir>;
let nms: ChildProcess | undefined;
let publisher: ChildProcess | undefined;
let nmsPort = 0;
let hooks: CountingServer;
/** node-media-server's event notifications, in arrival order. */
const events: Array<{ action: string; name: string; inbytes: number; outbytes: number }> = [];

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  requireFfmpeg();
  tmp = tempDir('perftest-rtmp-');
  await ffmpeg(tmp.dir, [...sources(4), '-f', 'flv', 'src.flv']);
  hooks = await countingServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      events.push(JSON.parse(body));
      res.end('ok');
    });
  });
  nmsPort = await closedPort();
  const config = {
    bind: '127.0.0.1',
    rtmp: { port: nmsPort },
    store: { path: join(tmp.dir, 'data') },
    record: { auto: false, path: join(tmp.dir, 'record') },
    webadmin: { enable: false },
    notify: { url: `${hooks.base}/hook` },
  };
  writeFileSync(join(tmp.dir, 'nms.json'), JSON.stringify(config));
  const app = createRequire(import.meta.url).resolve('node-media-server/bin/app.js');
  nms = spawn(process.execPath, [app, '-c', join(tmp.dir, 'nms.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  nms.stdout!.on('data', (d) => (log += d));
  nms.stderr!.on('data', (d) => (log += d));
  await until(`node-media-server to listen (log: ${log})`, () => log.includes('Rtmp Server listening'), 10_000);
  publisher = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', join(tmp.dir, 'src.flv'), '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${nmsPort}/live/test`], { stdio: 'ignore' });
  await until('ffmpeg to publish', () => events.some((e) => e.action === 'postPublish'), 10_000);
}, 60_000);

afterAll(async () => {
  publisher?.kill('SIGKILL');
  nms?.kill('SIGKILL');
  await hooks?.close();
  tmp?.remove();
});

function packet(url: string, extra: Partial<ContentInfo> = {}): ContentInfo {
  return { protocol_type: 7, name: 'rtmp', rtmp_url: url, duration: 2, ...extra };
}

async function play(p: ContentInfo): Promise<{ r: RequestResult; s: Record<string, number> }> {
  const r = await prepare(driver, p).execute(userSession(), scope({ port: String(nmsPort) }));
  return { r, s: r.streaming ?? {} };
}

describe('RTMP driver against node-media-server', () => {
  it('plays two concurrent sessions for the duration', async () => {
    const before = events.length;
    const prepared = prepare(driver, packet('rtmp://127.0.0.1:${port}/live/test'));
    const results = await Promise.all([0, 1].map(() => prepared.execute(userSession(), scope({ port: String(nmsPort) }))));
    await until('both plays to be reported done', () => events.slice(before).filter((e) => e.action === 'donePlay').length === 2, 5000);
    const mine = events.slice(before);
    expect(mine.filter((e) => e.action === 'postPlay' && e.name === 'test').length).toBe(2);
    const done = mine.filter((e) => e.action === 'donePlay');
    // The server received exactly the bytes each client says it sent.
    expect(done.map((e) => e.inbytes).sort()).toEqual(results.map((r) => r.sentBytes).sort());
    for (const r of results) {
      const s = r.streaming!;
      expect(r.outcome, r.error).toBe('success');
      expect(r.url).toBe(`rtmp://127.0.0.1:${nmsPort}/live/test`);
      expect(s.videoRecPackets).toBeGreaterThanOrEqual(10);
      expect(s.videoRecPackets).toBeLessThanOrEqual(45);
      expect(s.audioRecPackets).toBeGreaterThanOrEqual(20);
      expect(s.keyFrameReceiveCnt).toBeGreaterThanOrEqual(1);
      expect(s.recvPackets).toBe(s.audioRecPackets + s.videoRecPackets);
      expect(s.audioRecBytes + s.videoRecBytes).toBeLessThan(r.recBytes);
      expect(s.dataRecPackets).toBeGreaterThanOrEqual(1); // onMetaData and |RtmpSampleAccess
      expect(s.firstFrameDelayUs).toBeGreaterThan(0);
      expect(s.firstFrameDelayUs).toBeLessThan(1_500_000);
      expect(s.sendPackets).toBe(7); // chunk size, connect, createStream, play, buffer length, peer bandwidth answer, deleteStream
      expect(r.responseTimeUs).toBeGreaterThan(1_900_000);
      expect(r.responseTimeUs).toBeLessThan(3_500_000);
    }
    // Its media byte count is of the same order (it keeps counting until it notices the close).
    const outs = done.map((e) => e.outbytes).sort((a, b) => a - b);
    const recs = results.map((r) => r.recBytes).sort((a, b) => a - b);
    outs.forEach((o, i) => expect(o).toBeGreaterThan(recs[i] / 2));
    outs.forEach((o, i) => expect(o).toBeLessThan(recs[i] * 2));
  });

  it('fails a stream that sends no media within return_timeout', async () => {
    const before = events.length;
    const { r, s } = await play(packet(`rtmp://127.0.0.1:${nmsPort}/live/nobody`, { duration: 5, return_timeout: 600 }));
    expect([r.outcome, s.playFailed, s.streamingErrorTimes]).toEqual(['timeout', 1, 1]);
    expect(r.error).toBe('no media for 600 ms');
    expect(r.responseTimeUs).toBeLessThan(2_500_000);
    await until('the play to be reported', () => events.slice(before).some((e) => e.action === 'postPlay' && e.name === 'nobody'), 3000);
  });

  it('ends promptly when the run stops', async () => {
    const session = userSession();
    const started = Date.now();
    const pending = prepare(driver, packet(`rtmp://127.0.0.1:${nmsPort}/live/test`, { duration: 30 })).execute(session, scope());
    setTimeout(() => session.stop.abort(), 500);
    const r = await pending;
    expect(Date.now() - started).toBeLessThan(1500);
    expect([r.outcome, r.error]).toEqual(['othersFailed', 'aborted']);
    expect(r.streaming!.videoRecPackets).toBeGreaterThan(0);
  });

  it('classifies refused connections and bad URLs', async () => {
    const refused = await play(packet(`rtmp://127.0.0.1:${await closedPort()}/live/test`));
    expect([refused.r.outcome, refused.s.tcpConnectFailed]).toEqual(['refusedFailed', 1]);
    const illegal = await play(packet('rtmp://127.0.0.1:${port}/only-app'));
    expect([illegal.r.outcome, illegal.s.illegalUrlFailed]).toEqual(['othersFailed', 1]);
    expect(problems(driver, { protocol_type: 7, rtmp_url: 'http://x/live/s', duration: 1 }).map((p) => p.message)).toEqual(['rtmp_url must start with rtmp://']);
  });
});

/** What the scripted server does after the handshake. */
type Script = 'ack-ping' | 'connect-error' | 'play-error' | 'drop' | 'bad-version' | 'silent';

/** What the scripted server saw from the client. */
interface Seen {
  commands: Command[];
  acks: number[];
  pings: number[];
  windowAcks: number[];
}

/** An RTMP server written from the specification, acting out one script per connection. */
async function scriptedServer(script: Script): Promise<{ port: number; seen: Seen; close(): Promise<void> }> {
  const seen: Seen = { commands: [], acks: [], pings: [], windowAcks: [] };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    const w = new ChunkWriter();
    const out = (csid: number, type: number, sid: number, payload: Buffer, ts = 0) => socket.write(w.encode({ csid, type, streamId: sid, timestamp: ts, payload }));
    let hs = Buffer.alloc(0);
    let handshaken = false;
    const reader = new ChunkReader((m) => {
      if (m.type === MSG.Acknowledgement) seen.acks.push(m.payload.readUInt32BE(0));
      if (m.type === MSG.WindowAckSize) seen.windowAcks.push(m.payload.readUInt32BE(0));
      if (m.type === MSG.UserControl && m.payload.readUInt16BE(0) === EVENT.PingResponse) seen.pings.push(m.payload.readUInt32BE(2));
      if (m.type !== MSG.CommandAmf0) return;
      const cmd = decodeCommand(m.type, m.payload);
      seen.commands.push(cmd);
      if (cmd.name === 'connect') {
        if (script === 'connect-error') {
          return out(3, MSG.CommandAmf0, 0, encodeAmf0('_error', 1, null, { level: 'error', code: 'NetConnection.Connect.Rejected', description: 'no entry' }));
        }
        out(2, MSG.SetPeerBandwidth, 0, Buffer.concat([u32Body(2_500_000), Buffer.from([2])]));
        out(2, MSG.SetChunkSize, 0, u32Body(200));
        w.chunkSize = 200;
        out(3, MSG.CommandAmf0, 0, encodeAmf0('_result', 1, { fmsVer: 'FMS/3,0,1,123' }, { level: 'status', code: 'NetConnection.Connect.Success' }));
      } else if (cmd.name === 'createStream') {
        out(3, MSG.CommandAmf0, 0, encodeAmf0('_result', cmd.transaction, null, 7));
      } else if (cmd.name === 'play') {
        if (script === 'play-error') {
          return out(5, MSG.CommandAmf0, 7, encodeAmf0('onStatus', 0, null, { level: 'error', code: 'NetStream.Play.StreamNotFound', description: 'no such stream' }));
        }
        out(5, MSG.CommandAmf0, 7, encodeAmf0('onStatus', 0, null, { level: 'status', code: 'NetStream.Play.Start', description: 'go' }));
        out(2, MSG.WindowAckSize, 0, u32Body(1000));
        out(2, MSG.UserControl, 0, userControlBody(EVENT.PingRequest, 12345));
        let n = 0;
        const timer = setInterval(() => {
          if (socket.destroyed) return clearInterval(timer);
          const body = Buffer.alloc(500, 0xaa);
          body[0] = n % 10 === 0 ? 0x17 : 0x27; // AVC key frame every 10, inter frames between
          body[1] = 1;
          out(6, MSG.Video, 7, body, n * 100);
          out(4, MSG.Audio, 7, Buffer.from([0xaf, 1, 2, 3]), n * 100);
          if (++n === 4 && script === 'drop') socket.destroy();
        }, 50);
      }
    });
    socket.on('data', (d: Buffer) => {
      if (handshaken) return reader.push(d);
      hs = Buffer.concat([hs, d]);
      if (script === 'silent') return;
      if (hs.length >= 1 + HANDSHAKE_SIZE && hs.length - d.length < 1 + HANDSHAKE_SIZE) {
        const c1 = hs.subarray(1, 1 + HANDSHAKE_SIZE);
        socket.write(Buffer.concat([Buffer.from([script === 'bad-version' ? 6 : 3]), Buffer.alloc(HANDSHAKE_SIZE, 1), c1]));
      }
      if (hs.length >= 1 + 2 * HANDSHAKE_SIZE) {
        handshaken = true;
        reader.push(hs.subarray(1 + 2 * HANDSHAKE_SIZE));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('RTMP driver against a scripted server', () => {
  it('acknowledges the window, answers pings and the peer bandwidth, reads small chunks', async () => {
    const srv = await scriptedServer('ack-ping');
    try {
      const { r, s } = await play(packet(`rtmp://127.0.0.1:${srv.port}/live/app2/test?token=1`, { duration: 1 }));
      expect(r.outcome, r.error).toBe('success');
      const [connect, create, playCmd] = srv.seen.commands;
      expect(connect.name).toBe('connect');
      expect(connect.object).toMatchObject({ app: 'live/app2', tcUrl: `rtmp://127.0.0.1:${srv.port}/live/app2` });
      expect(create.name).toBe('createStream');
      expect([playCmd.name, playCmd.args[0]]).toEqual(['play', 'test?token=1']);
      expect(srv.seen.pings).toEqual([12345]);
      expect(s.pingResponses).toBe(1);
      expect(srv.seen.windowAcks).toEqual([2_500_000]);
      expect(s.acksSent).toBeGreaterThanOrEqual(5);
      expect(srv.seen.acks.length).toBe(s.acksSent);
      // Each acknowledgement carries the bytes received so far: increasing, one window apart at least.
      for (let i = 1; i < srv.seen.acks.length; i++) expect(srv.seen.acks[i] - srv.seen.acks[i - 1]).toBeGreaterThanOrEqual(1000);
      expect(srv.seen.acks.at(-1)).toBeLessThanOrEqual(r.recBytes);
      expect(s.videoRecPackets).toBeGreaterThanOrEqual(10);
      expect(s.videoRecBytes).toBe(s.videoRecPackets * 500);
      expect(s.keyFrameReceiveCnt).toBe(Math.ceil(s.videoRecPackets / 10));
      expect(s.audioRecBytes).toBe(s.audioRecPackets * 4);
      await until('deleteStream', () => srv.seen.commands.some((c) => c.name === 'deleteStream'), 2000);
    } finally {
      await srv.close();
    }
  });

  const failures: Array<[Script, Partial<ContentInfo>, string, string, RegExp]> = [
    ['connect-error', {}, 'checkPointFailed', 'rtmpConnectFailed', /connect rejected: NetConnection.Connect.Rejected no entry/],
    ['play-error', {}, 'checkPointFailed', 'playFailed', /NetStream.Play.StreamNotFound: no such stream/],
    ['drop', {}, 'othersFailed', 'playFailed', /closed the connection during playing/],
    ['bad-version', {}, 'parsedFailed', 'handShakeFailed', /RTMP version 6/],
    ['silent', { return_timeout: 300 }, 'timeout', 'handShakeFailed', /no answer during handshake for 300 ms/],
  ];
  for (const [script, extra, outcome, cause, error] of failures) {
    it(`classifies ${script}`, async () => {
      const srv = await scriptedServer(script);
      try {
        const { r, s } = await play(packet(`rtmp://127.0.0.1:${srv.port}/live/test`, { duration: 3, ...extra }));
        expect([r.outcome, s[cause]]).toEqual([outcome, 1]);
        expect(r.error).toMatch(error);
        expect(Object.keys(s).filter((k) => k.endsWith('Failed'))).toEqual([cause]);
        expect(r.responseTimeUs).toBeLessThan(2_000_000);
      } finally {
        await srv.close();
      }
    });
  }
});
