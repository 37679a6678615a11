/**
 * One user's HTTP exchange engine: the undici handler (raw dispatch API) reused for every request of
 * the user, driven by callbacks from dispatch to the last byte, redirects included, with a single
 * promise per request. It keeps the status, the headers it needs (location, set-cookie,
 * content-encoding) and the body only when the response is kept.
 *
 * Return timeout: "no data on the connection within return_timeout", from the moment the request is
 * written, restarted by every piece of response. Each piece only stamps the time; one native timer
 * per user, armed at most once per timeout period, checks the stamp when it fires and re-arms for
 * the rest. That keeps the timeout exact to the millisecond without a timer operation per request
 * (undici's own header/body timers tick at up to a second and are turned off).
 *
 * Bytes are counted at the socket: the difference of the connection socket's bytesWritten and
 * bytesRead between the ends of two exchanges (one at a time per connection), which is exactly the
 * request line, headers and body sent and the status line, headers and body (chunked framing
 * included) received. For HTTPS these are the same HTTP bytes, inside TLS: the handshake and TLS
 * record overhead are not counted.
 */
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { RequestResult } from '../driver.js';
import type { CookieJar } from './http-cookies.js';
import { buildResult, headerRecord, type ResponseState } from './http-result.js';
import type { UserConnection } from './http-session.js';
import type { LeanHandler } from './http1-connection.js';

const MAX_REDIRECTS = 5;

/** Where one request goes. */
export interface Target {
  readonly origin: string;
  readonly path: string;
  readonly href: string;
  readonly hostname: string;
  readonly pathname: string;
  readonly secure: boolean;
  /** `h2 ` + origin: the key of the origin's HTTP/2 connection (http-session.ts). */
  readonly h2Key: string;
}

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/** Parses an http(s) URL (`defaultScheme` when it has none), or undefined. */
export function parseTarget(text: string, defaultScheme: string): Target | undefined {
  let url: URL;
  try {
    url = new URL(SCHEME.test(text) ? text : `${defaultScheme}://${text}`);
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
    h2Key: `h2 ${url.origin}`,
  };
}

/** Characters a path may hold as written (no space, `#`, backslash or non-ASCII: those need URL's encoding). */
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*$/;
/** A `.` or `..` path segment (URL resolves those). */
const DOT_SEGMENT = /\/\.\.?(?:[/?]|$)/;

/**
 * Where URLs with a fixed origin go: `${base}` built once from the constant part before the first
 * variable, then each rendered URL's path taken as written when it needs no URL normalisation.
 */
export class OriginPrefix {
  private constructor(
    private readonly raw: string,
    private readonly base: Target,
  ) {}

  /** The fixed origin of a URL template's text, when its variables all come after it. */
  static of(text: string): OriginPrefix | undefined {
    const slot = text.indexOf('${');
    const scheme = SCHEME.exec(text);
    if (slot < 0 || scheme === null) return undefined;
    const slash = text.indexOf('/', scheme[0].length);
    if (slash < 0 || slash >= slot) return undefined;
    const raw = text.slice(0, slash);
    const base = parseTarget(`${raw}/`, 'http');
    return base === undefined ? undefined : new OriginPrefix(raw, base);
  }

  /** The target of a rendered URL, or undefined when it needs URL's full parsing. */
  target(url: string): Target | undefined {
    if (!url.startsWith(this.raw)) return undefined;
    const path = url.slice(this.raw.length);
    if (!PLAIN_PATH.test(path) || DOT_SEGMENT.test(path)) return undefined;
    const b = this.base;
    const query = path.indexOf('?');
    return {
      origin: b.origin,
      path,
      href: b.origin + path,
      hostname: b.hostname,
      pathname: query < 0 ? path : path.slice(0, query),
      secure: b.secure,
      h2Key: b.h2Key,
    };
  }
}

/** What an exchange needs from a prepared packet. */
export interface HttpPlan {
  readonly connectTimeoutMs: number;
  readonly returnTimeoutMs: number;
  readonly followRedirects: boolean;
  readonly autoCookies: boolean;
  /** HTTP/2 (TLS with ALPN, or h2c with prior knowledge) instead of HTTP/1.1. */
  readonly http2: boolean;
  /** The case's headers include Host (then none is added). */
  readonly hasHost: boolean;
  /** Index of the case's own Cookie header among the header pairs, or -1. */
  readonly cookieIndex: number;
}

/** The user's side an exchange works with. */
export interface ExchangeOwner {
  readonly jar: CookieJar;
  connection(target: Target, http2: boolean): UserConnection;
}

/** Returns `headers` with the jar's `cookie` added (a copy; `headers` may be shared). */
function withCookie(headers: readonly string[], cookieIndex: number, cookie: string): string[] {
  const out = headers.slice();
  if (cookieIndex >= 0) {
    const at = cookieIndex * 2 + 1;
    out[at] = out[at] === '' ? cookie : `${out[at]}; ${cookie}`;
  } else out.push('cookie', cookie);
  return out;
}

function equalsIgnoreCase(buf: Buffer, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) if ((buf[i] | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/** The handler and redirect loop of one user (one request in flight at a time). */
export class Exchange implements Dispatcher.DispatchHandler, LeanHandler, ResponseState {
  status = 0;
  statusText = '';
  headersSeen = false;
  error: Error | null = null;
  rawHeaders: Buffer[] | string[] | null = null;
  chunks: Buffer[] = [];
  contentEncoding: string | null = null;
  private location: string | null = null;
  private setCookies: string[] | null = null;

  private plan: HttpPlan | null = null;
  private keep = false;
  private debug = false;
  private start = 0;
  private target: Target | null = null;
  private method = 'GET';
  private body: string | null = null;
  private baseHeaders: readonly string[] = [];
  private sentHeaders: readonly string[] = [];
  private hop = 0;
  private sent = 0;
  private received = 0;
  private connection: UserConnection | null = null;
  private resolve: ((result: RequestResult) => void) | null = null;
  /** True while undici's dispatch runs: a failure reported inside it must not resolve synchronously. */
  private dispatching = false;

  private abort: ((err?: Error) => void) | null = null;
  /** performance.now() of the last sign of life of the request on the wire. */
  private activity = 0;
  private timeoutMs = 0;
  private timer: NodeJS.Timeout | null = null;
  /** When the pending timer fires (performance.now() ms), or -1 when none is pending. */
  private fireAt = -1;
  /** Bound once per user (a bound prototype method is smaller than an arrow field). */
  private readonly onTimer: () => void = this.timerFired.bind(this);

  private timerFired(): void {
    this.fireAt = -1;
    if (this.resolve === null || this.abort === null) return;
    const now = performance.now();
    const due = this.activity + this.timeoutMs;
    if (now >= due - 1) this.abort(new ReturnTimeoutError(this.timeoutMs, this.headersSeen));
    else this.arm(now, due - now);
  };

  /**
   * The dispatch options, one object per user refilled for each request (undici copies what it
   * needs into its own request object). The exchange's own timer (onConnect) replaces undici's
   * coarse header and body timers.
   */
  private readonly options: Dispatcher.DispatchOptions & { headers: string[]; body: string | null } = {
    path: '/',
    method: 'GET',
    headers: [],
    body: null,
    headersTimeout: 0,
    bodyTimeout: 0,
  };
  /** The executor of every request's promise, bound once (no closure per request). */
  private readonly capture: (resolve: (result: RequestResult) => void) => void = this.captureResolve.bind(this);

  private captureResolve(resolve: (result: RequestResult) => void): void {
    this.resolve = resolve;
  }

  constructor(private readonly owner: ExchangeOwner) {}

  /** Sends a request (following redirects) and resolves with its result; never rejects. */
  run(
    plan: HttpPlan,
    target: Target,
    method: string,
    headers: readonly string[],
    body: string | null,
    keep: boolean,
    debug: boolean,
  ): Promise<RequestResult> {
    this.plan = plan;
    this.target = target;
    this.method = method;
    this.baseHeaders = headers;
    this.body = body;
    this.keep = keep;
    this.debug = debug;
    this.hop = 0;
    this.sent = 0;
    this.received = 0;
    this.start = performance.now();
    const promise = new Promise<RequestResult>(this.capture);
    this.send();
    return promise;
  }

  private send(): void {
    const plan = this.plan as HttpPlan;
    const target = this.target as Target;
    this.status = 0;
    this.statusText = '';
    this.headersSeen = false;
    this.error = null;
    this.rawHeaders = null;
    if (this.chunks.length > 0) this.chunks = [];
    this.contentEncoding = null;
    this.location = null;
    this.setCookies = null;
    this.abort = null;
    const connection = this.owner.connection(target, plan.http2);
    connection.connectTimeoutMs = plan.connectTimeoutMs;
    this.connection = connection;
    const cookie = plan.autoCookies ? this.owner.jar.header(target) : undefined;
    this.sentHeaders = cookie === undefined ? this.baseHeaders : withCookie(this.baseHeaders, plan.cookieIndex, cookie);
    this.dispatching = true;
    const options = this.options;
    options.path = target.path;
    options.method = this.method as Dispatcher.HttpMethod;
    options.headers = this.sentHeaders as string[];
    options.body = this.body;
    connection.send(options, this, this.keep, plan.hasHost);
    this.dispatching = false;
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    // written at once on an open connection: the request's start is the time
    const now = this.dispatching && this.hop === 0 ? this.start : performance.now();
    this.activity = now;
    const ms = (this.plan as HttpPlan).returnTimeoutMs;
    this.timeoutMs = ms;
    if (this.fireAt < 0 || this.fireAt > now + ms) this.arm(now, ms);
  }

  private arm(now: number, delay: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(this.onTimer, delay);
    this.timer.unref();
    this.fireAt = now + delay;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    this.activity = performance.now();
    this.status = statusCode;
    this.statusText = statusText;
    this.headersSeen = true;
    if (this.chunks.length > 0) this.chunks = [];
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i];
      const len = name.length;
      if (len === 8 && equalsIgnoreCase(name, 'location')) this.location = rawHeaders[i + 1].toString('utf8');
      else if (len === 10 && equalsIgnoreCase(name, 'set-cookie')) {
        (this.setCookies ??= []).push(rawHeaders[i + 1].toString('utf8'));
      } else if (len === 16 && equalsIgnoreCase(name, 'content-encoding')) {
        this.contentEncoding = rawHeaders[i + 1].toString('latin1').trim().toLowerCase();
      }
    }
    if (this.keep) this.rawHeaders = rawHeaders;
    return true;
  }

  /** The lean client received bytes of the response (stamped once per read, before they are parsed). */
  onReceive(): void {
    this.activity = performance.now();
  }

  /** The lean client's head of the final response (http1-parser.ts). */
  onHead(status: number, statusText: string, headers: string[] | null, location: string | null, setCookies: string[] | null, contentEncoding: string | null): void {
    this.status = status;
    this.statusText = statusText;
    this.headersSeen = true;
    if (this.chunks.length > 0) this.chunks = [];
    this.location = location;
    this.setCookies = setCookies;
    this.contentEncoding = contentEncoding === null ? null : contentEncoding.trim();
    if (this.keep) this.rawHeaders = headers;
  }

  /** The lean client's body bytes, copied when kept (`buf` is the thread's read buffer, http1-connection.ts). */
  onBody(buf: Buffer, start: number, end: number): void {
    if (!this.keep) return;
    const part = Buffer.allocUnsafe(end - start);
    buf.copy(part, 0, start, end);
    this.chunks.push(part);
  }

  onData(chunk: Buffer): boolean {
    this.activity = performance.now();
    if (this.keep) this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    this.settle();
  }

  onError(err: Error): void {
    this.error = err;
    this.settle();
  }

  /** Stops the timer (the user retires). */
  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.fireAt = -1;
  }

  /** One response (or failure) is in: count its bytes, then follow a redirect or finish. */
  private settle(): void {
    if (this.resolve === null) return;
    this.abort = null;
    const connection = this.connection as UserConnection;
    const socket = connection.socket;
    if (socket !== null) {
      const written = socket.bytesWritten;
      const read = socket.bytesRead;
      const same = socket === connection.countedSocket;
      this.sent += same ? written - connection.countedWritten : written;
      this.received += same ? read - connection.countedRead : read;
      connection.countedSocket = socket;
      connection.countedWritten = written;
      connection.countedRead = read;
    }
    if (this.error === null && this.followRedirect()) return this.send();
    this.finish();
  }

  /** Stores cookies; when the response is a redirect to follow, moves to its target and returns true. */
  private followRedirect(): boolean {
    const plan = this.plan as HttpPlan;
    const target = this.target as Target;
    if (plan.autoCookies && this.setCookies !== null) {
      for (let i = 0; i < this.setCookies.length; i++) this.owner.jar.store(this.setCookies[i], target);
    }
    const status = this.status;
    if (!plan.followRedirects || this.location === null || this.hop >= MAX_REDIRECTS) return false;
    if (status !== 301 && status !== 302 && status !== 303 && status !== 307 && status !== 308) return false;
    let next: Target | undefined;
    try {
      next = parseTarget(new URL(this.location, target.href).href, 'http');
    } catch {
      next = undefined;
    }
    if (next === undefined) return false;
    this.hop++;
    this.target = next;
    if (status === 303 || ((status === 301 || status === 302) && this.method === 'POST')) {
      if (this.method !== 'HEAD') this.method = 'GET';
      this.body = null;
    }
    return true;
  }

  private finish(): void {
    const responseTimeUs = Math.round((performance.now() - this.start) * 1000);
    const result = buildResult(this, this.keep, this.debug, responseTimeUs, this.sent, this.received, (this.target as Target).href);
    if (this.keep && this.headersSeen) result.httpVersion = (this.plan as HttpPlan).http2 ? 'HTTP/2' : 'HTTP/1.1';
    if (this.debug) {
      result.requestHeaders = headerRecord(this.sentHeaders);
      if (this.body !== null) result.requestBody = this.body;
    }
    if (this.keep) this.chunks = [];
    this.rawHeaders = null;
    const resolve = this.resolve as (result: RequestResult) => void;
    this.resolve = null;
    // A request refused inside dispatch (e.g. an invalid header value) resolves on a later turn of
    // the event loop, so that a user failing this way again and again cannot starve timers and I/O.
    if (this.dispatching) setImmediate(resolve, result);
    else resolve(result);
  }
}

/** The error a return timeout aborts a request with (classified as `timeout`). */
export class ReturnTimeoutError extends Error {
  override readonly name = 'ReturnTimeoutError';
  readonly code: string;
  constructor(ms: number, headersSeen: boolean) {
    super(`no response data within return_timeout ${ms} ms`);
    this.code = headersSeen ? 'UND_ERR_BODY_TIMEOUT' : 'UND_ERR_HEADERS_TIMEOUT';
  }
}
