/**
 * What the HTTP driver keeps per virtual user: one keep-alive connection per origin (an undici
 * Client with pipelining 1, so the connections in use are sized to the users), the user's cookie
 * jar, and one reusable response handler (the user has one request in flight at a time).
 *
 * Bytes are counted at the socket: the driver reads the connection socket's bytesWritten and
 * bytesRead before and after each exchange (one exchange at a time per connection). That is exactly
 * the request line, headers and body sent and the status line, headers and body (chunked framing
 * included) received. For HTTPS these are the same HTTP bytes, inside TLS: the handshake and TLS
 * record overhead are not counted.
 */
import type { Socket } from 'node:net';
import { Client, buildConnector } from 'undici';
import type { Dispatcher } from 'undici';
import type { UserSession } from './driver.js';
import { CookieJar } from './http-cookies.js';

/** Builds (and caches) socket connectors by connect timeout. */
export interface ConnectorSource {
  connector(timeoutMs: number): buildConnector.connector;
}

/** One origin's keep-alive connection of one user. */
export class UserConnection {
  /** The socket of the current (or last) connection. */
  socket: Socket | null = null;
  /** Connect timeout of the request being sent (cards may differ). */
  connectTimeoutMs = 5000;
  readonly client: Client;

  constructor(origin: string, connectors: ConnectorSource) {
    const connect = (options: buildConnector.Options, callback: buildConnector.Callback) => {
      const connector = connectors.connector(this.connectTimeoutMs) as unknown as (
        o: buildConnector.Options,
        c: buildConnector.Callback,
      ) => Socket;
      this.socket = connector(options, callback);
    };
    this.client = new Client(origin, { pipelining: 1, connect: connect as buildConnector.connector });
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

/**
 * The undici handler (raw dispatch API) of one user, reused for every request: it records the
 * status, the headers the driver needs (location, set-cookie, content-encoding), and the body only
 * when the response is kept. It also runs the return timeout: "no data on the connection within
 * return_timeout" from the moment the request is written, restarted by every piece of response.
 * One native timer per user, re-armed with refresh(), keeps it exact to the millisecond (undici's
 * own header/body timers tick at up to a second; they stay on as a backstop).
 */
export class ResponseHandler implements Dispatcher.DispatchHandler {
  status = 0;
  statusText = '';
  headersSeen = false;
  error: Error | null = null;
  keep = false;
  rawHeaders: Buffer[] | null = null;
  chunks: Buffer[] = [];
  location: string | null = null;
  setCookies: string[] | null = null;
  contentEncoding: string | null = null;
  private done: (() => void) | null = null;
  private abort: ((err?: Error) => void) | null = null;
  private timeoutMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerMs = 0;
  private readonly onTimer = () => {
    if (this.done === null || this.abort === null) return;
    this.abort(new ReturnTimeoutError(this.timeoutMs, this.headersSeen));
  };

  /** Resets the state for a new request and returns the promise of its end. */
  begin(keep: boolean, returnTimeoutMs: number): Promise<void> {
    this.status = 0;
    this.statusText = '';
    this.headersSeen = false;
    this.error = null;
    this.keep = keep;
    this.rawHeaders = null;
    if (this.chunks.length > 0) this.chunks = [];
    this.location = null;
    this.setCookies = null;
    this.contentEncoding = null;
    this.abort = null;
    this.timeoutMs = returnTimeoutMs;
    return new Promise<void>((resolve) => {
      this.done = resolve;
    });
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    if (this.timer !== null && this.timerMs === this.timeoutMs) this.timer.refresh();
    else {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timerMs = this.timeoutMs;
      this.timer = setTimeout(this.onTimer, this.timeoutMs);
      this.timer.unref();
    }
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    this.timer?.refresh();
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

  onData(chunk: Buffer): boolean {
    this.timer?.refresh();
    if (this.keep) this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    this.finish();
  }

  onError(err: Error): void {
    this.error = err;
    this.finish();
  }

  /** Stops the timer (the user retires). */
  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private finish(): void {
    const done = this.done;
    this.done = null;
    this.abort = null;
    done?.();
  }
}

/** Compares an ASCII header name buffer with a lower-case name. */
function equalsIgnoreCase(buf: Buffer, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    if ((buf[i] | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** All HTTP state of one virtual user. */
export class HttpUserState {
  readonly connections = new Map<string, UserConnection>();
  readonly jar = new CookieJar();
  readonly handler = new ResponseHandler();
  private readonly onAbort = () => void this.destroy();

  constructor(
    private readonly session: UserSession,
    private readonly connectors: ConnectorSource,
  ) {
    session.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The user's connection to `origin`, created on first use. */
  connection(origin: string): UserConnection {
    let connection = this.connections.get(origin);
    if (connection === undefined) {
      connection = new UserConnection(origin, this.connectors);
      this.connections.set(origin, connection);
    }
    return connection;
  }

  /** Closes every connection at once (in-flight requests end with an error). */
  async destroy(): Promise<void> {
    this.session.signal.removeEventListener('abort', this.onAbort);
    this.handler.dispose();
    const clients = [...this.connections.values()].map((c) => c.client);
    this.connections.clear();
    await Promise.all(clients.map((c) => c.destroy().catch(() => undefined)));
  }
}
