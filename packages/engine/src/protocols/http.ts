/**
 * The HTTP/HTTPS driver (`protocol_type` 1 and 2) on undici's raw dispatch API: HTTP/1.1 keep-alive
 * connections per user and origin (http-session.ts), headers sent verbatim, bodies per http-body.ts,
 * redirects followed (up to 5) unless `follow_redirects` is false, cookies kept per user unless
 * `cookie_mode` is "manual", TLS verified unless EngineOptions.tlsVerify is false.
 *
 * Outcomes: ECONNREFUSED -> refusedFailed; connect, header or body timeout (`connect_timeout`,
 * `return_timeout`, default 5000 ms; the return timeout bounds the wait for the headers and each
 * gap between body chunks) -> timeout; a malformed response or a connection lost after the headers
 * (truncated body) -> parsedFailed, as is a request undici refuses to build; any other error ->
 * othersFailed; a complete response whose status is not 2xx -> checkPointFailed (checkpoints of the
 * card may then decide otherwise). RT runs from the dispatch to the end of the last response,
 * redirects included. Bytes: see http-session.ts.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { buildConnector } from 'undici';
import type { ContentInfo, Outcome } from '@perftest/model';
import { ProtocolType } from '@perftest/model';
import type {
  EngineOptions,
  PreparedRequest,
  PrepareContext,
  ProtocolDriver,
  RequestResult,
  Template,
  UserSession,
  VariableScope,
} from './driver.js';
import { compileBody, type BodyPlan } from './http-body.js';
import { HttpUserState, type ConnectorSource, type ResponseHandler } from './http-session.js';

const STATE_KEY = 'http';
const DEFAULT_TIMEOUT_MS = 5000;
const MAX_TIMEOUT_MS = 300_000;
const MAX_REDIRECTS = 5;
/** undici's own (coarse) header/body timeouts stay on this much after the driver's exact one. */
const BACKSTOP_MS = 2000;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const VERSIONS = new Set(['', 'HTTP/1.1', 'HTTP/1.0', '1.1', '1.0']);
/** Headers undici computes or refuses: dropped from the case's headers. */
const DROPPED_HEADERS = new Set(['content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Where one request goes. */
interface Target {
  readonly origin: string;
  readonly path: string;
  readonly href: string;
  readonly hostname: string;
  readonly pathname: string;
  readonly secure: boolean;
}

function parseTarget(text: string, defaultScheme: string): Target | undefined {
  let url: URL;
  try {
    url = new URL(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text) ? text : `${defaultScheme}://${text}`);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return {
    origin: url.origin,
    path: url.pathname + url.search,
    href: url.href,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    pathname: url.pathname,
    secure: url.protocol === 'https:',
  };
}

/** Creates the HTTP/HTTPS driver of one compiled case. */
export function createHttpDriver(options: EngineOptions): ProtocolDriver {
  return new HttpDriver(options);
}

class HttpDriver implements ProtocolDriver, ConnectorSource {
  readonly name = STATE_KEY;
  private readonly connectors = new Map<number, buildConnector.connector>();
  private readonly users = new Set<HttpUserState>();

  constructor(private readonly options: EngineOptions) {}

  connector(timeoutMs: number): buildConnector.connector {
    let connector = this.connectors.get(timeoutMs);
    if (connector === undefined) {
      connector = buildConnector({ rejectUnauthorized: this.options.tlsVerify, timeout: timeoutMs });
      this.connectors.set(timeoutMs, connector);
    }
    return connector;
  }

  prepare(packet: ContentInfo, ctx: PrepareContext): PreparedRequest | undefined {
    const before = ctx.problems.length;
    const request = new HttpRequest(packet, ctx, this);
    return ctx.problems.length === before ? request : undefined;
  }

  /** The HTTP state of a user, created on its first request. */
  userState(session: UserSession): HttpUserState {
    let state = session.state.get(STATE_KEY) as HttpUserState | undefined;
    if (state === undefined) {
      state = new HttpUserState(session, this);
      session.state.set(STATE_KEY, state);
      this.users.add(state);
    }
    return state;
  }

  async closeSession(session: UserSession): Promise<void> {
    const state = session.state.get(STATE_KEY) as HttpUserState | undefined;
    if (state === undefined) return;
    session.state.delete(STATE_KEY);
    this.users.delete(state);
    await state.destroy();
  }

  async close(): Promise<void> {
    const users = [...this.users];
    this.users.clear();
    await Promise.all(users.map((u) => u.destroy()));
  }
}

function timeoutField(value: unknown, field: string, problem: (field: string, message: string) => void): number {
  if (value === undefined || value === null || value === 0) return DEFAULT_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) {
    problem(field, `${field} must be an integer of milliseconds from 1 to ${MAX_TIMEOUT_MS}`);
    return DEFAULT_TIMEOUT_MS;
  }
  return value;
}

/** One HTTP packet prepared once. */
class HttpRequest implements PreparedRequest {
  readonly method: string;
  readonly url: string;
  readonly name: string;
  private readonly urlTemplate: Template;
  private readonly fixedTarget: Target | undefined;
  private readonly defaultScheme: string;
  private readonly headerNames: string[] = [];
  private readonly headerValues: Template[] = [];
  /** Flat [name, value, ...] when every header is constant. */
  private readonly fixedHeaders: string[] | undefined;
  /** Index in headerNames of the case's own Cookie header, or -1. */
  private readonly cookieIndex: number;
  private readonly body: BodyPlan;
  private readonly connectTimeoutMs: number;
  private readonly returnTimeoutMs: number;
  private readonly followRedirects: boolean;
  private readonly autoCookies: boolean;
  private lastUrl: string | undefined;
  private lastTarget: Target | undefined;

  constructor(
    packet: ContentInfo,
    ctx: PrepareContext,
    private readonly driver: HttpDriver,
  ) {
    const problem = (field: string, message: string) =>
      ctx.problems.push({ path: `${ctx.path}.content.${field}`, message });
    const extra = packet as Record<string, unknown>;
    this.method = (packet.method ?? 'GET').trim().toUpperCase() || 'GET';
    if (!METHODS.has(this.method)) problem('method', `method ${JSON.stringify(packet.method)} is not one of ${[...METHODS].join(', ')}`);
    if (!VERSIONS.has((packet.http_version ?? '').trim().toUpperCase())) {
      problem('http_version', `http_version ${JSON.stringify(packet.http_version)} is not supported (HTTP/1.1 only)`);
    }
    this.url = (packet.url ?? '').trim();
    this.name = packet.name ?? '';
    this.defaultScheme = packet.protocol_type === ProtocolType.Https ? 'https' : 'http';
    this.urlTemplate = ctx.template(this.url);
    if (this.url === '') problem('url', 'url is missing');
    else if (this.urlTemplate.constant) {
      this.fixedTarget = parseTarget(this.url, this.defaultScheme);
      if (this.fixedTarget === undefined) problem('url', `url ${JSON.stringify(this.url)} is not a valid http(s) URL`);
    }
    this.connectTimeoutMs = timeoutField(packet.connect_timeout, 'connect_timeout', problem);
    this.returnTimeoutMs = timeoutField(packet.return_timeout, 'return_timeout', problem);
    this.followRedirects = extra.follow_redirects !== false;
    this.autoCookies = extra.cookie_mode !== 'manual';
    this.body = this.method === 'GET' || this.method === 'HEAD' ? { render: () => '' } : compileBody(packet, problem);

    const headers = Array.isArray(packet.headers) ? packet.headers : [];
    headers.forEach((h, i) => {
      const key = typeof h?.key === 'string' ? h.key.trim() : '';
      if (key === '') return;
      if (!TOKEN.test(key)) return problem(`headers[${i}].key`, `header name ${JSON.stringify(key)} is not a valid token`);
      const lower = key.toLowerCase();
      if (DROPPED_HEADERS.has(lower)) return;
      if (lower === 'content-type' && this.body.contentType?.replace) return;
      this.headerNames.push(key);
      this.headerValues.push(ctx.template(h.value === null || h.value === undefined ? '' : String(h.value)));
    });
    const contentType = this.body.contentType;
    if (contentType && !this.headerNames.some((n) => n.toLowerCase() === 'content-type')) {
      this.headerNames.push('Content-Type');
      this.headerValues.push(ctx.template(contentType.value));
    }
    this.cookieIndex = this.headerNames.findIndex((n) => n.toLowerCase() === 'cookie');
    if (this.headerValues.every((t) => t.constant)) {
      this.fixedHeaders = [];
      for (let i = 0; i < this.headerNames.length; i++) {
        this.fixedHeaders.push(this.headerNames[i], this.headerValues[i].render(NO_VARS));
      }
    }
  }

  private target(vars: VariableScope): Target | undefined {
    if (this.fixedTarget !== undefined) return this.fixedTarget;
    const text = this.urlTemplate.render(vars);
    if (text !== this.lastUrl) {
      this.lastUrl = text;
      this.lastTarget = parseTarget(text, this.defaultScheme);
    }
    return this.lastTarget;
  }

  private headers(vars: VariableScope): string[] {
    if (this.fixedHeaders !== undefined) return this.fixedHeaders;
    const out: string[] = [];
    for (let i = 0; i < this.headerNames.length; i++) out.push(this.headerNames[i], this.headerValues[i].render(vars));
    return out;
  }

  /** Adds the jar's cookies to `headers` (copied when shared). */
  private withCookies(headers: string[], cookie: string | undefined): string[] {
    if (cookie === undefined) return headers;
    const out = headers === this.fixedHeaders ? headers.slice() : headers;
    if (this.cookieIndex >= 0) {
      const at = this.cookieIndex * 2 + 1;
      out[at] = out[at] === '' ? cookie : `${out[at]}; ${cookie}`;
    } else out.push('cookie', cookie);
    return out;
  }

  async execute(session: UserSession, vars: VariableScope): Promise<RequestResult> {
    const start = performance.now();
    let target = this.target(vars);
    if (target === undefined) {
      return failure('parsedFailed', `invalid URL ${JSON.stringify(this.urlTemplate.render(vars))}`, start);
    }
    const state = this.driver.userState(session);
    const handler = state.handler;
    const keep = session.keepResponse;
    const baseHeaders = this.headers(vars);
    let body: string | null = this.body.render(vars) || null;
    let method = this.method;
    let sent = 0;
    let received = 0;
    let headers = baseHeaders;
    for (let hop = 0; ; hop++) {
      const connection = state.connection(target.origin);
      connection.connectTimeoutMs = this.connectTimeoutMs;
      headers = this.autoCookies ? this.withCookies(baseHeaders, state.jar.header(target)) : baseHeaders;
      const socket: Socket | null = connection.socket;
      const written = socket === null ? 0 : socket.bytesWritten;
      const read = socket === null ? 0 : socket.bytesRead;
      const done = handler.begin(keep, this.returnTimeoutMs);
      connection.client.dispatch(
        {
          path: target.path,
          method,
          headers,
          body,
          headersTimeout: this.returnTimeoutMs + BACKSTOP_MS,
          bodyTimeout: this.returnTimeoutMs + BACKSTOP_MS,
        },
        handler,
      );
      await done;
      const now: Socket | null = connection.socket;
      if (now !== null) {
        sent += now === socket ? now.bytesWritten - written : now.bytesWritten;
        received += now === socket ? now.bytesRead - read : now.bytesRead;
      }
      if (handler.error !== null) break;
      if (this.autoCookies && handler.setCookies !== null) {
        for (const value of handler.setCookies) state.jar.store(value, target);
      }
      const status = handler.status;
      if (!this.followRedirects || hop >= MAX_REDIRECTS || handler.location === null) break;
      if (status !== 301 && status !== 302 && status !== 303 && status !== 307 && status !== 308) break;
      let next: Target | undefined;
      try {
        next = parseTarget(new URL(handler.location, target.href).href, 'http');
      } catch {
        next = undefined;
      }
      if (next === undefined) break;
      target = next;
      if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET';
        body = null;
      }
    }
    const result = this.result(handler, keep, start, sent, received, target);
    if (session.debug) {
      result.requestHeaders = headerRecord(headers);
      if (body !== null) result.requestBody = body;
    }
    return result;
  }

  private result(
    handler: ResponseHandler,
    keep: boolean,
    start: number,
    sentBytes: number,
    recBytes: number,
    target: Target,
  ): RequestResult {
    const responseTimeUs = Math.round((performance.now() - start) * 1000);
    const status = handler.status;
    let outcome: Outcome = 'success';
    let error: string | undefined;
    if (handler.error !== null) {
      outcome = classify(handler.error, handler.headersSeen);
      error = describe(handler.error);
    } else if (status < 200 || status > 299) {
      outcome = 'checkPointFailed';
      error = `HTTP status ${status}`;
    }
    const result: RequestResult = { outcome, status, responseTimeUs, sentBytes, recBytes };
    if (error !== undefined) result.error = error;
    if (!keep) return result;
    result.statusText = `${status} ${handler.statusText}`.trim();
    result.url = target.href;
    if (handler.rawHeaders !== null) result.headers = responseHeaders(handler.rawHeaders);
    const raw = handler.chunks.length === 1 ? handler.chunks[0] : Buffer.concat(handler.chunks);
    try {
      result.body = decode(raw, handler.contentEncoding);
    } catch (err) {
      result.body = raw;
      if (result.outcome === 'success' || result.outcome === 'checkPointFailed') {
        result.outcome = 'parsedFailed';
        result.error = `cannot decode ${handler.contentEncoding} body: ${(err as Error).message}`;
      }
    }
    return result;
  }
}

const NO_VARS: VariableScope = { get: () => undefined, set: () => undefined };

function decode(body: Buffer, encoding: string | null): Buffer {
  if (encoding === null || encoding === 'identity' || body.length === 0) return body;
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.gunzipSync(body);
  if (encoding === 'deflate') return zlib.inflateSync(body);
  if (encoding === 'br') return zlib.brotliDecompressSync(body);
  return body;
}

function failure(outcome: Outcome, error: string, start: number): RequestResult {
  const responseTimeUs = Math.round((performance.now() - start) * 1000);
  return { outcome, status: 0, responseTimeUs, sentBytes: 0, recBytes: 0, error };
}

/** Classifies an undici or socket error (semantics.md section 5). */
function classify(err: Error, headersSeen: boolean): Outcome {
  const code = (err as { code?: string }).code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'refusedFailed';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timeout';
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
    case 'UND_ERR_HEADERS_OVERFLOW':
    case 'UND_ERR_RES_EXCEEDED_MAX_SIZE':
    case 'UND_ERR_INVALID_ARG':
    case 'UND_ERR_NOT_SUPPORTED':
      return 'parsedFailed';
    default:
      if (code.startsWith('HPE_') || err.name === 'HTTPParserError' || headersSeen) return 'parsedFailed';
      return 'othersFailed';
  }
}

function describe(err: Error): string {
  const code = (err as { code?: string }).code;
  return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}

function responseHeaders(raw: Buffer[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toString('latin1').toLowerCase();
    const value = raw[i + 1].toString('utf8');
    const existing = out[name];
    if (existing === undefined) out[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[name] = [existing, value];
  }
  return out;
}

function headerRecord(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}
