/**
 * What the streaming driver tests share: ffmpeg (required: it generates the media), a compile
 * context on the real template compiler, user sessions, and a counting node:http server.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ContentInfo } from '@perftest/model';
import { compileTemplate } from '../src/compile/template.js';
import {
  DEFAULT_ENGINE_OPTIONS,
  type CaseProblem,
  type PrepareContext,
  type PreparedRequest,
  type ProtocolDriver,
  type UserSession,
  type VariableScope,
} from '../src/protocols/driver.js';

const run = promisify(execFile);

/** Fails with an actionable message when ffmpeg/ffprobe are missing. */
export function requireFfmpeg(): void {
  for (const tool of ['ffmpeg', 'ffprobe']) {
    const r = spawnSync(tool, ['-version'], { stdio: 'ignore' });
    if (r.error !== undefined || r.status !== 0) {
      throw new Error(`${tool} is not installed; the streaming tests generate their media with it: apt-get install -y ffmpeg`);
    }
  }
}

/** Runs ffmpeg quietly in `cwd`. */
export async function ffmpeg(cwd: string, args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { cwd });
}

/** Low-cost test sources: a 10 fps test picture with a key frame every second, and a mono sine. */
export function sources(seconds: number, size = '160x120'): string[] {
  return [
    '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=10`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=22050',
    '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-keyint_min', '10', '-sc_threshold', '0', '-b:v', '100k',
    '-c:a', 'aac', '-b:a', '32k', '-ac', '1',
  ];
}

/** Packets per stream as ffprobe counts them, and video key frames. */
export async function probe(file: string): Promise<{ video: number; audio: number; keyFrames: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'packet=codec_type,flags', '-of', 'csv=p=0', file]);
  const out = { video: 0, audio: 0, keyFrames: 0 };
  for (const line of stdout.split('\n')) {
    const [type, flags] = line.split(',');
    if (type === 'video') {
      out.video++;
      if (flags?.includes('K')) out.keyFrames++;
    } else if (type === 'audio') out.audio++;
  }
  return out;
}

/** A fresh temporary directory and its remover. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A compile context on the real template compiler. */
export function streamContext(): PrepareContext & { problems: CaseProblem[] } {
  return { path: 'contents[0].content[0]', problems: [], template: (t) => compileTemplate(t), options: DEFAULT_ENGINE_OPTIONS };
}

/** Prepares a packet, failing the test with the problems if any. */
export function prepare(driver: ProtocolDriver, packet: ContentInfo): PreparedRequest {
  const ctx = streamContext();
  const prepared = driver.prepare(packet, ctx);
  if (prepared === undefined || ctx.problems.length > 0) throw new Error(`problems: ${JSON.stringify(ctx.problems)}`);
  return prepared;
}

/** The problems of a packet. */
export function problems(driver: ProtocolDriver, packet: ContentInfo): CaseProblem[] {
  const ctx = streamContext();
  driver.prepare(packet, ctx);
  return ctx.problems;
}

/** A user session and its stop switch. */
export function userSession(debug = false): UserSession & { stop: AbortController } {
  const stop = new AbortController();
  return { state: new Map(), userIndex: 0, signal: stop.signal, keepResponse: false, debug, stop };
}

/** A variable scope over a record. */
export function scope(values: Record<string, string> = {}): VariableScope {
  const map = new Map(Object.entries(values));
  return { get: (k) => map.get(k), set: (k, v) => void map.set(k, v) };
}

/** A node:http server on 127.0.0.1:0 that counts requests per path. */
export interface CountingServer {
  base: string;
  port: number;
  hits: Map<string, number>;
  /** Requests whose path passes `filter`. */
  count(filter: (path: string) => boolean): number;
  close(): Promise<void>;
}

/** Starts a counting server around `handler`. */
export async function countingServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<CountingServer> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    hits.set(path, (hits.get(path) ?? 0) + 1);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    hits,
    count: (filter) => [...hits].filter(([p]) => filter(p)).reduce((n, [, c]) => n + c, 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
