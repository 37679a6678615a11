/**
 * Test helpers for the case compiler, virtual users and HTTP driver tests: a recorder that keeps
 * every result, sessions, case builders and local servers on 127.0.0.1 port 0.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CaseInfoDetail, Contents, Content } from '@perftest/model';
import { compileCase, type CompileInput } from '../src/compile/compile-case.js';
import { LocalCoordination } from '../src/coordination/local.js';
import type { RequestResult, UserSession } from '../src/protocols/driver.js';
import { headersOf } from '../src/protocols/response-headers.js';
import type { CompiledCase, IterationResult, Recorder, VirtualUser } from '../src/types.js';

/** A Recorder that stores copies of everything recorded. */
export class MemoryRecorder implements Recorder {
  readonly requests: Array<{ key: string; result: RequestResult }> = [];
  readonly iterations: IterationResult[] = [];

  request(cardKey: string, result: RequestResult): void {
    headersOf(result); // the copy carries the header record, which drivers make on demand
    this.requests.push({ key: cardKey, result: { ...result } });
  }

  iteration(result: IterationResult): void {
    this.iterations.push({ ...result });
  }

  /** Outcome counts of the requests. */
  outcomes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.requests) out[r.result.outcome] = (out[r.result.outcome] ?? 0) + 1;
    return out;
  }
}

/** A session for user `userIndex`. */
export function session(userIndex = 0, signal: AbortSignal = new AbortController().signal, debug = false): UserSession {
  return { state: new Map(), userIndex, signal, keepResponse: false, debug };
}

/** A packet sub-item. */
export function packet(fields: Record<string, unknown>): Content {
  return { content_type: 2, content: { protocol_type: 1, method: 'GET', ...fields } };
}

/** A request card of sub-items. */
export function card(...content: Content[]): Contents {
  return { content_id: 0, data_type: 0, content };
}

/** A checkpoint sub-item. */
export function checkpoint(checks: unknown[], extra: Record<string, unknown> = {}): Content {
  return { content_type: 3, content: { checks, ...extra } };
}

/** An extraction sub-item. */
export function extraction(...extractions: Record<string, unknown>[]): Content {
  return { content_type: 4, content: { extractions } };
}

/** A case of `contents` (and optional setup). */
export function caseOf(contents: Contents[], setup: Contents[] = []): CaseInfoDetail {
  return { case_id: 1, name: 'test case', contents, setup_contents: setup, stages: [] };
}

/** Compiles or throws with the problems listed. */
export function compileOrThrow(input: CompileInput): CompiledCase {
  const result = compileCase(input);
  if (!result.ok) throw new Error(`case does not compile: ${JSON.stringify(result.problems, null, 1)}`);
  return result.compiled;
}

/** Runs `users` users of `compiled` for `iterations` iterations each, concurrently. */
export async function runUsers(
  compiled: CompiledCase,
  users: number,
  iterations: number,
  opts: { recorder?: MemoryRecorder; coordination?: LocalCoordination; setup?: boolean } = {},
): Promise<{ recorder: MemoryRecorder; vus: VirtualUser[] }> {
  const recorder = opts.recorder ?? new MemoryRecorder();
  const coordination = opts.coordination ?? new LocalCoordination();
  const vus: VirtualUser[] = [];
  for (let u = 0; u < users; u++) vus.push(compiled.createUser({ session: session(u), recorder, coordination }));
  await Promise.all(
    vus.map(async (vu) => {
      if (opts.setup !== false) await vu.setup();
      for (let i = 0; i < iterations; i++) await vu.iterate();
    }),
  );
  await Promise.all(vus.map((vu) => vu.close()));
  return { recorder, vus };
}

/** A started HTTP server with its base URL. */
export interface TestServer {
  server: http.Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1 port 0. */
export async function startServer(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads a request body as text. */
export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
