/**
 * The lean HTTP/1.1 client of one user and origin: one keep-alive socket (opened by http-connect.ts),
 * one request at a time written as one string (the same bytes undici writes: request line, `host`,
 * `connection: keep-alive`, the case's headers, `content-length`), the response read by
 * http1-parser.ts straight into the exchange (http-exchange.ts). No request object, no deferred
 * write, no Buffer per header. The socket is closed and the next request opens a new one after
 * `Connection: close`, a body framed by the end of the connection, bytes beyond a response's end,
 * any error, or an abort; a server closing an idle connection is noticed when it happens. When a
 * reused connection turns out closed before any byte of the response came (the server closed it as
 * the request left), an idempotent request is sent once more on a new connection, as browsers do.
 */
import type net from 'node:net';
import type { Socket } from 'node:net';
import type { HttpConnector, OriginParts } from './http-connect.js';
import { ResponseParser, type ResponseSink } from './http1-parser.js';

/** What a lean connection reports to (http-exchange.ts implements it). */
export interface LeanHandler extends ResponseSink {
  onConnect(abort: (err?: Error) => void): void;
  /** Bytes of the response came (a sign of life for the return timeout), before they are parsed. */
  onReceive(): void;
  onComplete(): void;
  onError(err: Error): void;
}

/** A request as the exchange hands it over (undici's dispatch options have the same fields). */
export interface LeanRequest {
  readonly path: string;
  readonly method: string;
  readonly headers: readonly string[] | null;
  readonly body: string | null;
}

/** The error a socket lost mid-exchange ends the request with (classified as undici's). */
class SocketError extends Error {
  override readonly name = 'SocketError';
  readonly code = 'UND_ERR_SOCKET';
}

/** Methods whose requests may be repeated (RFC 9110 section 9.2.2). */
function idempotent(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'PUT' || method === 'DELETE' || method === 'OPTIONS';
}

/** Whether a method's request carries `content-length: 0` without a body (as undici does). */
function expectsPayload(method: string): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH';
}

const OWNER = Symbol('lean-connection');
type OwnedSocket = Socket & { [OWNER]?: LeanConnection };

// One set of listener functions for every socket (the connection is found on the socket).
function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this[OWNER]?.data(this, chunk);
}
function onSocketRead(this: OwnedSocket, nread: number, buf: Uint8Array): boolean {
  this[OWNER]?.data(this, (buf as Buffer).subarray(0, nread));
  return true;
}

/**
 * Plain TCP sockets of this thread read into one buffer (net's `onread`) and hand each read to the
 * connection at once: no Buffer per read and no readable-stream pass (push, 'data', a tick to read
 * more). Nothing may keep a view of it past the callback: the parser copies what it carries over,
 * the exchange copies body bytes it keeps.
 */
const READS: net.OnReadOpts = { buffer: Buffer.allocUnsafe(64 * 1024), callback: onSocketRead };
function onSocketEnd(this: OwnedSocket): void {
  this[OWNER]?.ended(this);
}
function onSocketError(this: OwnedSocket, err: Error): void {
  this[OWNER]?.failed(this, err);
}
function onSocketClose(this: OwnedSocket): void {
  this[OWNER]?.failed(this, new SocketError('other side closed'));
}

/** One origin's lean HTTP/1.1 connection of one user. */
export class LeanConnection {
  /** The socket of the current (or last) connection. */
  socket: Socket | null = null;
  /** Connect timeout of the request being sent (cards may differ). */
  connectTimeoutMs = 5000;
  /** The socket and its byte counters at the end of the last exchange (http-exchange.ts). */
  countedSocket: Socket | null = null;
  countedWritten = 0;
  countedRead = 0;

  private readonly parser = new ResponseParser();
  private readonly origin: OriginParts;
  /** True while `socket` is open and usable. */
  private open = false;
  private connecting = false;
  private handler: LeanHandler | null = null;
  private request: string = '';
  private body: string | null = null;
  private method = 'GET';
  /** The socket has carried a complete exchange (a failure on it may be a stale keep-alive). */
  private reused = false;
  /** The request in flight was already sent again once. */
  private retried = false;
  /** The last request's parts and bytes: a request with the same parts reuses the string. */
  private lastPath = '';
  private lastMethod = '';
  private lastHeaders: readonly string[] | null = null;
  /** Bound once (a bound prototype method is smaller than an arrow field). */
  private readonly abort: (err?: Error) => void = this.aborted.bind(this);

  constructor(
    origin: string,
    private readonly connector: HttpConnector,
  ) {
    this.origin = connector.origin(origin);
  }

  private aborted(err?: Error): void {
    this.fail(err ?? new SocketError('aborted'));
  }

  /** Sends `request` (one at a time) and reports its response to `handler`. */
  send(request: LeanRequest, handler: LeanHandler, keep: boolean, hasHost: boolean): void {
    this.handler = handler;
    const headers = request.headers;
    if (request.body !== null || request.path !== this.lastPath || request.method !== this.lastMethod || headers !== this.lastHeaders) {
      let head = `${request.method} ${request.path} HTTP/1.1\r\n${hasHost ? '' : this.origin.hostLine}connection: keep-alive\r\n`;
      if (headers !== null) for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
      if (request.body !== null) head += `content-length: ${Buffer.byteLength(request.body)}\r\n\r\n`;
      else head += expectsPayload(request.method) ? 'content-length: 0\r\n\r\n' : '\r\n';
      this.request = head;
      this.lastPath = request.path;
      this.lastMethod = request.method;
      this.lastHeaders = request.body === null ? headers : null;
    }
    this.body = request.body;
    this.method = request.method;
    this.retried = false;
    this.parser.begin(handler, keep, request.method === 'HEAD');
    if (this.open) this.write();
    else if (!this.connecting) this.connect();
  }

  private connect(): void {
    this.connecting = true;
    const opening = this.connector.open(this.origin.connect, this.connectTimeoutMs, false, (err, socket) => {
      if (opening !== this.socket) return; // given up (the user closed)
      this.connecting = false;
      if (err !== null || socket === null) return this.fail(err ?? new SocketError('connect failed'));
      const owned = socket as OwnedSocket;
      owned[OWNER] = this;
      // TLS sockets ignore `onread` and emit 'data'
      if ((socket as Socket & { encrypted?: boolean }).encrypted === true) socket.on('data', onSocketData);
      socket.on('end', onSocketEnd);
      socket.on('error', onSocketError);
      socket.on('close', onSocketClose);
      this.open = true;
      this.reused = false;
      if (this.handler !== null) this.write();
    }, READS);
    this.socket = opening;
  }

  private write(): void {
    const socket = this.socket as Socket;
    (this.handler as LeanHandler).onConnect(this.abort);
    if (this.handler === null) return; // aborted inside onConnect
    if (this.body === null) socket.write(this.request, 'latin1');
    else {
      socket.cork();
      socket.write(this.request, 'latin1');
      socket.write(this.body, 'utf8');
      socket.uncork();
    }
  }

  /** Bytes arrived on `socket`. */
  data(socket: Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    const handler = this.handler;
    if (handler === null) {
      // nothing was asked: these bytes belong to no request, and the connection to no one now
      this.close();
      return;
    }
    handler.onReceive();
    let ended: number;
    try {
      ended = this.parser.execute(chunk);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    if (!this.parser.done) return;
    this.handler = null;
    this.reused = true;
    if (!this.parser.keepAlive || ended < chunk.length) this.close();
    handler.onComplete();
  }

  /** The server ended `socket` (FIN). */
  ended(socket: Socket): void {
    if (socket !== this.socket) return;
    const handler = this.handler;
    if (handler === null) return this.close();
    if (this.reused && !this.retried && this.parser.untouched && idempotent(this.method)) return this.retry(socket);
    if (!this.parser.end()) {
      const what = this.parser.headersSeen ? 'before the end of the response body' : 'before any response';
      return this.fail(new SocketError(`other side closed ${what}`));
    }
    this.close();
    this.handler = null;
    handler.onComplete();
  }

  /** `socket` failed or closed. */
  failed(socket: Socket, err: Error): void {
    if (socket !== this.socket) return;
    if (this.handler !== null && this.reused && !this.retried && this.parser.untouched && idempotent(this.method)) return this.retry(socket);
    this.fail(err);
  }

  /** Sends the request in flight again on a new connection; the lost attempt's bytes still count. */
  private retry(dead: Socket): void {
    this.retried = true;
    this.close();
    const counted = this.countedSocket === dead;
    const lostWritten = dead.bytesWritten - (counted ? this.countedWritten : 0);
    const lostRead = dead.bytesRead - (counted ? this.countedRead : 0);
    this.connect();
    // the exchange counts the new socket from these offsets, adding what the dead one carried
    this.countedSocket = this.socket;
    this.countedWritten = -lostWritten;
    this.countedRead = -lostRead;
  }

  /** Ends the request in flight (if any) with `err` and closes the connection. */
  private fail(err: Error): void {
    this.close();
    const handler = this.handler;
    if (handler === null) return;
    this.handler = null;
    handler.onError(err);
  }

  private close(): void {
    this.open = false;
    const socket = this.socket as OwnedSocket | null;
    if (socket !== null && !socket.destroyed) socket.destroy();
  }

  /** Closes the connection; a request in flight ends with `err`. */
  destroy(err: Error, callback: () => void): void {
    this.connecting = false;
    this.fail(err);
    this.socket = null;
    callback();
  }
}
