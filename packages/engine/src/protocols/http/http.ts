/**
 * The HTTP/HTTPS driver (`protocol_type` 1 and 2) on undici's raw dispatch API: HTTP/1.1 keep-alive
 * connections per user and origin (http-session.ts), or HTTP/2 when `http_version` says so (TLS
 * with ALPN "h2", cleartext h2c with prior knowledge; http-connect.ts), headers sent verbatim, bodies per http-body.ts,
 * redirects followed (up to 5) unless `follow_redirects` is false, cookies kept per user unless
 * `cookie_mode` is "manual", TLS verified unless EngineOptions.tlsVerify is false.
 *
 * Outcomes: ECONNREFUSED -> refusedFailed; connect, header or body timeout (`connect_timeout`,
 * `return_timeout`, default 5000 ms; the return timeout bounds the wait for the headers and each
 * gap between body chunks) -> timeout; a malformed response or a connection lost after the headers
 * (truncated body) -> parsedFailed, as is a request undici refuses to build; any other error ->
 * othersFailed; a complete response whose status is not 2xx -> checkPointFailed (checkpoints of the
 * card may then decide otherwise). RT runs from the dispatch to the end of the last response,
 * redirects included. Bytes and the exact return timeout: see http-exchange.ts.
 */
import type { ContentInfo } from '@perftest/model';
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
} from '../driver.js';
import { compileBody, type BodyPlan } from './http-body.js';
import { HttpConnector } from './http-connect.js';
import { OriginPrefix, parseTarget, type HttpPlan, type Target } from './http-exchange.js';
import { failedResult } from './http-result.js';
import { HttpUserState, SignalGroups } from './http-session.js';

const STATE_KEY = 'http';
const DEFAULT_TIMEOUT_MS = 5000;
const MAX_TIMEOUT_MS = 300_000;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const HTTP1_VERSIONS = new Set(['', 'HTTP/1.1', 'HTTP/1.0', '1.1', '1.0']);
const HTTP2_VERSIONS = new Set(['HTTP/2', 'HTTP/2.0', 'H2', '2', '2.0']);
/** Headers undici computes or refuses: dropped from the case's headers. */
const DROPPED_HEADERS = new Set(['content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect']);
/** Connection-specific headers HTTP/2 forbids (RFC 9113 section 8.2.2): dropped on HTTP/2 cards. */
const DROPPED_HTTP2_HEADERS = new Set(['connection', 'proxy-connection', 'te', 'http2-settings']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A character no header value may carry (control characters but tab, and beyond latin1). */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const NO_BODY: BodyPlan = { render: () => '' };

/** Creates the HTTP/HTTPS driver of one compiled case. */
export function createHttpDriver(options: EngineOptions): ProtocolDriver {
  return new HttpDriver(options);
}

class HttpDriver implements ProtocolDriver {
  readonly name = STATE_KEY;
  private readonly connector: HttpConnector;
  private readonly users = new SignalGroups();

  constructor(options: EngineOptions) {
    this.connector = new HttpConnector(options.tlsVerify, options.http1Client !== 'undici', options.targetPolicy);
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
      state = new HttpUserState(session, this.connector);
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
    await Promise.all(this.users.drain().map((u) => u.destroy()));
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
class HttpRequest implements PreparedRequest, HttpPlan {
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
  readonly cookieIndex: number;
  private readonly body: BodyPlan;
  readonly connectTimeoutMs: number;
  readonly returnTimeoutMs: number;
  readonly followRedirects: boolean;
  readonly autoCookies: boolean;
  readonly http2: boolean;
  readonly hasHost: boolean;
  private lastUrl: string | undefined;
  private lastTarget: Target | undefined;
  /** A templated URL's fixed origin, when its variables are all in the path or query. */
  private readonly prefix: OriginPrefix | undefined;

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
    const version = (packet.http_version ?? '').trim().toUpperCase();
    this.http2 = HTTP2_VERSIONS.has(version);
    if (!this.http2 && !HTTP1_VERSIONS.has(version)) {
      problem('http_version', `http_version ${JSON.stringify(packet.http_version)} is not supported (HTTP/1.1, HTTP/1.0 or HTTP/2)`);
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
    this.prefix = this.urlTemplate.constant ? undefined : OriginPrefix.of(this.url);
    this.connectTimeoutMs = timeoutField(packet.connect_timeout, 'connect_timeout', problem);
    this.returnTimeoutMs = timeoutField(packet.return_timeout, 'return_timeout', problem);
    this.followRedirects = extra.follow_redirects !== false;
    this.autoCookies = extra.cookie_mode !== 'manual';
    this.body = this.method === 'GET' || this.method === 'HEAD' ? NO_BODY : compileBody(packet, problem);

    const headers = Array.isArray(packet.headers) ? packet.headers : [];
    headers.forEach((h, i) => {
      const key = typeof h?.key === 'string' ? h.key.trim() : '';
      if (key === '') return;
      if (!TOKEN.test(key)) return problem(`headers[${i}].key`, `header name ${JSON.stringify(key)} is not a valid token`);
      const lower = key.toLowerCase();
      if (DROPPED_HEADERS.has(lower) || (this.http2 && DROPPED_HTTP2_HEADERS.has(lower))) return;
      if (lower === 'content-type' && this.body.contentType?.replace) return;
      const value = ctx.template(h.value === null || h.value === undefined ? '' : String(h.value));
      if (value.constant && INVALID_HEADER_VALUE.test(value.render(NO_VARS))) {
        return problem(`headers[${i}].value`, `the value of header ${key} holds a character a header cannot carry (control characters, or beyond latin1)`);
      }
      this.headerNames.push(key);
      this.headerValues.push(value);
    });
    const contentType = this.body.contentType;
    if (contentType && !this.headerNames.some((n) => n.toLowerCase() === 'content-type')) {
      this.headerNames.push('Content-Type');
      this.headerValues.push(ctx.template(contentType.value));
    }
    this.cookieIndex = this.headerNames.findIndex((n) => n.toLowerCase() === 'cookie');
    this.hasHost = this.headerNames.some((n) => n.toLowerCase() === 'host');
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
      const quick = this.prefix?.target(text);
      if (quick !== undefined) return quick;
      this.lastUrl = text;
      this.lastTarget = parseTarget(text, this.defaultScheme);
    }
    return this.lastTarget;
  }

  /** The header pairs of one request, or the name of the first header whose value cannot be sent. */
  private headers(vars: VariableScope): string[] | string {
    if (this.fixedHeaders !== undefined) return this.fixedHeaders;
    const out: string[] = [];
    for (let i = 0; i < this.headerNames.length; i++) {
      const template = this.headerValues[i];
      const value = template.render(vars);
      if (!template.constant && INVALID_HEADER_VALUE.test(value)) return this.headerNames[i];
      out.push(this.headerNames[i], value);
    }
    return out;
  }

  execute(session: UserSession, vars: VariableScope): Promise<RequestResult> {
    const target = this.target(vars);
    if (target === undefined) {
      const text = this.urlTemplate.render(vars);
      return later(failedResult('parsedFailed', `invalid URL ${JSON.stringify(text)}`, 0));
    }
    const headers = this.headers(vars);
    if (typeof headers === 'string') return later(failedResult('parsedFailed', `invalid ${headers} header: its value holds a character a header cannot carry`, 0));
    const body = this.body.render(vars);
    const exchange = this.driver.userState(session).exchange;
    return exchange.run(this, target, this.method, headers, body === '' ? null : body, session.keepResponse, session.debug);
  }
}

/** Resolved on a later turn of the event loop: a user failing this way cannot starve timers. */
function later(result: RequestResult): Promise<RequestResult> {
  return new Promise((resolve) => setImmediate(resolve, result));
}

const NO_VARS: VariableScope = { get: () => undefined, set: () => undefined };
