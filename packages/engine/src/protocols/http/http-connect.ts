/**
 * Opening the connections of the HTTP driver: every socket of every HTTP version is made here (one
 * place for per-connection checks), TCP for http://, TLS for https:// with certificate verification
 * per EngineOptions.tlsVerify and ALPN offering only the card's version ("h2" for HTTP/2,
 * "http/1.1" otherwise). HTTP/2 over TLS requires the server to select "h2"; cleartext HTTP/2 (h2c)
 * is spoken with prior knowledge. TLS sessions are resumed per server name.
 */
import net from 'node:net';
import { errors } from 'undici';
import { connectTcp, connectTls } from '../../net/connect.js';
import type { TargetPolicy } from '../../net/target-policy.js';

/** The origin parts undici hands to a connector. */
export interface ConnectOptions {
  hostname: string;
  protocol: string;
  port: string | number;
  servername?: string | null;
}

/** Called once: with the connected socket, or with why it could not connect. */
export type ConnectCallback = (err: Error | null, socket: net.Socket | null) => void;

/** A server that did not agree to HTTP/2 over TLS (ALPN). */
export class AlpnRefusedError extends Error {
  override readonly name = 'AlpnRefusedError';
  readonly code = 'ERR_HTTP2_ALPN_REFUSED';
  constructor(selected: string | false | null | undefined) {
    super(`HTTP/2 refused: the server did not select "h2" in ALPN (${selected ? `it selected "${selected}"` : 'it selected none'})`);
  }
}

const MAX_SESSIONS = 100;
const MAX_ORIGINS = 1000;

/** An origin as its connections need it: where to connect, and its `host` header line. */
export interface OriginParts {
  readonly connect: ConnectOptions;
  readonly hostLine: string;
}
const ALPN_H2 = ['h2'];
const ALPN_H1 = ['http/1.1'];
const KEEPALIVE_DELAY_MS = 60_000;

/** Opens the sockets of one driver instance. */
export class HttpConnector {
  /** TLS sessions for resumption, by server name (oldest dropped past MAX_SESSIONS). */
  private readonly sessions = new Map<string, Buffer>();
  /** Parsed origins, shared by every user's connection to them. */
  private readonly origins = new Map<string, OriginParts>();

  constructor(
    private readonly tlsVerify: boolean,
    /** HTTP/1.1 through the lean client (http1-connection.ts) rather than undici. */
    readonly leanHttp1: boolean,
    private readonly policy: TargetPolicy,
  ) {}

  /**
   * Starts a connection to `options`' origin and returns its socket; `callback` runs once, when it
   * is connected (TLS handshake done, and for HTTP/2 "h2" selected) or has failed. `onread`: a
   * plain TCP socket reads into its buffer and hands each read to its callback instead of emitting
   * 'data' (TLS sockets ignore it and emit 'data').
   */
  open(options: ConnectOptions, timeoutMs: number, http2: boolean, callback: ConnectCallback, onread?: net.OnReadOpts): net.Socket {
    const secure = options.protocol === 'https:';
    const host = options.hostname;
    const port = Number(options.port) || (secure ? 443 : 80);
    let socket: net.Socket;
    let done = false;
    // everything here is let go once connected: the listeners that hold it are removed
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeListener('error', finish);
      socket.removeListener('close', onClose);
      if (err !== null) {
        socket.destroy();
        callback(err, null);
      } else callback(null, socket);
    };
    if (secure) {
      const key = options.servername || host;
      // under the target policy (docs/security.md, "Target policy"), as every socket below
      const tlsSocket = connectTls(this.policy, {
        host,
        port,
        servername: options.servername || (net.isIP(host) ? undefined : host),
        session: this.sessions.get(key),
        ALPNProtocols: http2 ? ALPN_H2 : ALPN_H1,
        rejectUnauthorized: this.tlsVerify,
      });
      tlsSocket.on('session', (session: Buffer) => this.remember(key, session));
      tlsSocket.once('secureConnect', () => {
        if (http2 && tlsSocket.alpnProtocol !== 'h2') finish(new AlpnRefusedError(tlsSocket.alpnProtocol));
        else finish(null);
      });
      socket = tlsSocket;
    } else {
      socket = connectTcp(this.policy, onread === undefined ? { host, port } : { host, port, onread });
      // undici speaks HTTP/2 on a socket whose alpnProtocol is "h2": prior knowledge for h2c
      if (http2) (socket as net.Socket & { alpnProtocol?: string }).alpnProtocol = 'h2';
      socket.once('connect', () => finish(null));
    }
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_DELAY_MS);
    const onClose = (): void => finish(new errors.SocketError('closed before it was connected'));
    socket.on('error', finish);
    socket.on('close', onClose);
    const timer = setTimeout(
      () => finish(new errors.ConnectTimeoutError(`connect timeout: no connection to ${host}:${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    return socket;
  }

  /** The parts of `origin` (an http(s) origin), parsed once for all users. */
  origin(origin: string): OriginParts {
    let parts = this.origins.get(origin);
    if (parts === undefined) {
      const url = new URL(origin);
      parts = {
        connect: { hostname: url.hostname.replace(/^\[|\]$/g, ''), protocol: url.protocol, port: url.port },
        hostLine: `host: ${url.host}\r\n`,
      };
      if (this.origins.size < MAX_ORIGINS) this.origins.set(origin, parts);
    }
    return parts;
  }

  private remember(key: string, session: Buffer): void {
    this.sessions.delete(key);
    this.sessions.set(key, session);
    if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
  }
}
