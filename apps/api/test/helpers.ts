/**
 * Test harness: a real server on 127.0.0.1:0 over a fresh database — PGlite in memory, and, when
 * DATABASE_URL is set (CI), also a fresh database created on that Postgres server and dropped after.
 * `client` talks HTTP to it, signing requests exactly as the SDKs do, or with a token.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import postgres from 'postgres';
import { request as undiciRequest } from 'undici';
import { buildTargetPolicy, reserveListenAddress, type TargetResolver } from '@perftest/engine';
import type { TargetPolicySpec } from '@perftest/model';
import { openDatabase, type Database } from '@perftest/store';
import type { AdmissionLimits } from '../src/admission/limits.js';
import { bootstrapAdmin } from '../src/auth/accounts.js';
import { signRequest } from '../src/auth/signer.js';
import { buildServer, type ServerOptions } from '../src/server.js';
import { startEmbedded, type Embedded } from '../src/embedded.js';

/** The databases the suite runs on here. */
export type Backend = 'pglite' | 'postgres';

/** PGlite always; Postgres too when DATABASE_URL is set. */
export function backends(): Backend[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** A fresh, empty database of `backend`, with a drop hook. */
export async function freshDatabase(backend: Backend, dataDir = 'memory://'): Promise<{ db: Database; url?: string; drop(): Promise<void> }> {
  if (backend === 'pglite') {
    const db = await openDatabase({ dataDir });
    return { db, drop: () => db.close() };
  }
  const base = new URL(process.env.DATABASE_URL as string);
  const name = `perftest_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), dataDir: '' });
  return {
    db,
    url: url.toString(),
    drop: async () => {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** Credentials of the bootstrap admin in tests. */
export const TEST_AK = 'AKTESTADMIN00000001';
export const TEST_SK = 'SKtestadminSECRET0001';
export const TEST_PASSWORD = 'test-admin-password';

/** A response as tests read it. */
export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

/** How a client request authenticates. */
export type AuthMode = { kind: 'sign'; ak: string; sk: string; date?: Date } | { kind: 'token'; token: string } | { kind: 'none' };

/** Options of one request. */
export interface RequestOptions {
  body?: unknown;
  /** Exact body bytes (overrides `body`). */
  rawBody?: string;
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
  auth?: AuthMode;
}

/** An HTTP client for the server under test. */
export class TestClient {
  constructor(
    readonly baseUrl: string,
    public auth: AuthMode,
  ) {}

  /** Sends a request, signed with the client's credential unless `opts.auth` says otherwise. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<TestResponse> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, String(v));
    const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    let headers: Record<string, string> = { 'Content-Type': 'application/json', Host: url.host, ...opts.headers };
    const auth = opts.auth ?? this.auth;
    if (auth.kind === 'sign') {
      const query: Record<string, string> = {};
      url.searchParams.forEach((v, k) => (query[k] = v));
      headers = signRequest({ method, path: url.pathname, query, headers, body }, auth.ak, auth.sk, auth.date);
    } else if (auth.kind === 'token') {
      headers['X-Auth-Token'] = auth.token;
    }
    const res = await undiciRequest(url, { method: method as 'GET', headers, body });
    const text = await res.body.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.statusCode, headers: res.headers as TestResponse['headers'], body: parsed, text };
  }

  get = (path: string, opts?: RequestOptions) => this.request('GET', path, opts);
  post = (path: string, body?: unknown, opts?: RequestOptions) => this.request('POST', path, { ...opts, body });
  put = (path: string, body?: unknown, opts?: RequestOptions) => this.request('PUT', path, { ...opts, body });
  delete = (path: string, opts?: RequestOptions) => this.request('DELETE', path, opts);
}

/** A running server with its database and an admin client. */
export interface TestServer {
  app: FastifyInstance;
  db: Database;
  baseUrl: string;
  client: TestClient;
  /** The run machinery (start/stop route, dispatcher, in-process worker) when `runs` was given. */
  embedded?: Embedded;
  /** The target policy of debug runs and runs, built as the server builds it (its port and database reserved). */
  targetPolicy: TargetPolicySpec;
  close(): Promise<void>;
}

/** Options of startTestServer. */
export interface TestServerOptions {
  dataDir?: string;
  now?: () => number;
  /**
   * Embed the run machinery as the server does: `workers` engine threads in-process (0: none), with
   * PERFTEST_WORKER_MEMORY_MB and PERFTEST_MAX_RUNS_AT_ONCE when given.
   */
  runs?: { workers: number; memoryMb?: number; maxRunsAtOnce?: number };
  /** PERFTEST_TARGET_ALLOW / PERFTEST_TARGET_DENY of the server. */
  targetAllow?: string[];
  targetDeny?: string[];
  /** How debug runs resolve target names. */
  targetResolver?: TargetResolver;
  /** Case-level limits (default: the documented ones). */
  limits?: AdmissionLimits;
  /** The server's log level (default warn) and where its lines go (default stdout). */
  logLevel?: string;
  logStream?: { write(line: string): void };
  /** The built console the server serves at `/` (default: the repository's apps/console/dist). */
  consoleDir?: string;
  /** The server's background rollup job (false: none). */
  rollupJob?: ServerOptions['rollupJob'];
}

/** Starts a server on a fresh database of `backend` with the test admin credentials. */
export async function startTestServer(backend: Backend = 'pglite', opts: TestServerOptions = {}): Promise<TestServer> {
  const fresh = await freshDatabase(backend, opts.dataDir);
  await bootstrapAdmin(fresh.db, { accessKey: TEST_AK, secretKey: TEST_SK, password: TEST_PASSWORD });
  const { spec: targetPolicy } = await buildTargetPolicy({ allow: opts.targetAllow ?? [], deny: opts.targetDeny ?? [], databaseUrl: fresh.url });
  const embedded = opts.runs ? await startEmbedded(fresh.db, {
        workers: opts.runs.workers,
        workerMemoryMb: opts.runs.memoryMb,
        maxRunsAtOnce: opts.runs.maxRunsAtOnce,
        logLevel: 'warn',
        targetPolicy,
      }) : undefined;
  const app = await buildServer({
    db: fresh.db,
    logLevel: opts.logLevel ?? 'warn',
    logStream: opts.logStream,
    now: opts.now,
    runControl: embedded?.control,
    targetPolicy,
    targetResolver: opts.targetResolver,
    limits: opts.limits,
    consoleDir: opts.consoleDir,
    rollupJob: opts.rollupJob,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  await reserveListenAddress(targetPolicy, { host: '127.0.0.1', port });
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    db: fresh.db,
    baseUrl,
    client: new TestClient(baseUrl, { kind: 'sign', ak: TEST_AK, sk: TEST_SK }),
    embedded,
    targetPolicy,
    close: async () => {
      await app.close();
      await embedded?.stop();
      await fresh.drop();
    },
  };
}

/** Every error body has exactly these keys, with a CPTS code. */
export function expectErrorShape(res: TestResponse, status: number): void {
  if (res.status !== status) throw new Error(`expected status ${status}, got ${res.status}: ${res.text}`);
  const keys = Object.keys(res.body ?? {}).sort().join(',');
  if (keys !== 'error_code,error_msg') throw new Error(`error body keys are "${keys}": ${res.text}`);
  if (!/^CPTS\.\d{8}$/.test(res.body.error_code)) throw new Error(`bad error_code ${res.body.error_code}`);
  if (typeof res.headers['x-request-id'] !== 'string') throw new Error('missing X-Request-Id');
}
