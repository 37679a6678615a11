/**
 * What the HTTP driver keeps per virtual user: one keep-alive connection per origin and HTTP
 * version, one request at a time (so the connections in use are sized to the users): the lean
 * HTTP/1.1 client (http1-connection.ts), or an undici Client for HTTP/2 (one stream at a time) and
 * for HTTP/1.1 when EngineOptions.http1Client is "undici", the user's cookie
 * jar and its exchange (http-exchange.ts). Users sharing an abort signal are closed together by one
 * listener on it (SignalGroups), not one listener per user.
 */
import type { Socket } from 'node:net';
import { Client, errors, type buildConnector, type Dispatcher } from 'undici';
import type { UserSession } from '../driver.js';
import type { ConnectCallback, ConnectOptions, HttpConnector } from './http-connect.js';
import { CookieJar } from './http-cookies.js';
import { Exchange, type ExchangeOwner } from './http-exchange.js';
import { LeanConnection, type LeanRequest } from './http1-connection.js';

/**
 * The error in-flight requests of a user being closed end with: one instance for every client, so
 * that closing 10,000 users at the end of a run does not capture 10,000 stack traces.
 */
const CLOSED = new errors.ClientDestroyedError();

/** One origin's keep-alive connection of one user, in one HTTP version. */
export interface UserConnection {
  /** The socket of the current (or last) connection. */
  readonly socket: Socket | null;
  /** Connect timeout of the request being sent (cards may differ). */
  connectTimeoutMs: number;
  /** The socket and its byte counters at the end of the last exchange (http-exchange.ts). */
  countedSocket: Socket | null;
  countedWritten: number;
  countedRead: number;
  /** Sends one request; its response goes to `exchange`. */
  send(request: Dispatcher.DispatchOptions & LeanRequest, exchange: Exchange, keep: boolean, hasHost: boolean): void;
  /** Closes the connection; a request in flight ends with `err`. */
  destroy(err: Error, callback: () => void): void;
}

/** A connection through undici (HTTP/2, and HTTP/1.1 when the lean client is off). */
export class UndiciConnection implements UserConnection {
  socket: Socket | null = null;
  connectTimeoutMs = 5000;
  countedSocket: Socket | null = null;
  countedWritten = 0;
  countedRead = 0;
  readonly client: Client;

  constructor(origin: string, connector: HttpConnector, http2: boolean) {
    const connect = (options: ConnectOptions, callback: ConnectCallback) => {
      this.socket = connector.open(options, this.connectTimeoutMs, http2, callback);
    };
    this.client = new Client(origin, { pipelining: 1, allowH2: http2, connect: connect as unknown as buildConnector.connector });
  }

  send(request: Dispatcher.DispatchOptions, exchange: Exchange): void {
    this.client.dispatch(request, exchange);
  }

  destroy(err: Error, callback: () => void): void {
    this.client.destroy(err, callback);
  }
}

/** What picks a user's connection: the target's origin and its HTTP/2 key. */
export interface ConnectionTarget {
  readonly origin: string;
  /** `h2 ` + origin: the key of the origin's HTTP/2 connection. */
  readonly h2Key: string;
}

/** All HTTP state of one virtual user. */
export class HttpUserState implements ExchangeOwner {
  readonly jar = new CookieJar();
  readonly exchange: Exchange = new Exchange(this);
  /** The first connection's key (origin, or `h2 ` + origin for HTTP/2), kept in fields: most users talk to one origin. */
  private firstKey: string | undefined;
  private first: UserConnection | undefined;
  /** Further connections, created with the second origin or version. */
  private others: Map<string, UserConnection> | undefined;

  constructor(
    readonly session: UserSession,
    private readonly connector: HttpConnector,
  ) {}

  /** The user's connection to `target`'s origin in the given version, created on first use. */
  connection(target: ConnectionTarget, http2: boolean): UserConnection {
    const key = http2 ? target.h2Key : target.origin;
    if (key === this.firstKey) return this.first as UserConnection;
    if (this.first === undefined) {
      this.firstKey = key;
      this.first = this.open(target.origin, http2);
      return this.first;
    }
    let connection = this.others?.get(key);
    if (connection === undefined) {
      connection = this.open(target.origin, http2);
      (this.others ??= new Map()).set(key, connection);
    }
    return connection;
  }

  private open(origin: string, http2: boolean): UserConnection {
    return http2 || !this.connector.leanHttp1 ? new UndiciConnection(origin, this.connector, http2) : new LeanConnection(origin, this.connector);
  }

  /** Closes every connection at once (an in-flight request ends with an error). */
  destroy(): Promise<void> {
    this.exchange.dispose();
    const first = this.first;
    if (first === undefined) return Promise.resolve();
    const others = this.others;
    this.firstKey = undefined;
    this.first = undefined;
    this.others = undefined;
    // one promise per user, not one per client plus undici's own (callback form of destroy)
    return new Promise((resolve) => {
      let left = 1 + (others?.size ?? 0);
      const closed = (): void => {
        if (--left === 0) resolve();
      };
      first.destroy(CLOSED, closed);
      if (others !== undefined) for (const connection of others.values()) connection.destroy(CLOSED, closed);
    });
  }
}

/** The user states of each abort signal, with one abort listener per signal. */
export class SignalGroups {
  private readonly groups = new Map<AbortSignal, { members: Set<HttpUserState>; onAbort: () => void }>();

  /** Adds a user; its connections are destroyed when its session's signal aborts. */
  add(state: HttpUserState): void {
    const signal = state.session.signal;
    let group = this.groups.get(signal);
    if (group === undefined) {
      const members = new Set<HttpUserState>();
      const onAbort = () => {
        this.groups.delete(signal);
        for (const member of members) void member.destroy();
      };
      group = { members, onAbort };
      this.groups.set(signal, group);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    group.members.add(state);
  }

  /** Removes a user (it retired); the listener goes with the signal's last user. */
  delete(state: HttpUserState): void {
    const signal = state.session.signal;
    const group = this.groups.get(signal);
    if (group === undefined) return;
    group.members.delete(state);
    if (group.members.size === 0) {
      signal.removeEventListener('abort', group.onAbort);
      this.groups.delete(signal);
    }
  }

  /** Removes and returns every user still registered. */
  drain(): HttpUserState[] {
    const states: HttpUserState[] = [];
    for (const [signal, group] of this.groups) {
      signal.removeEventListener('abort', group.onAbort);
      states.push(...group.members);
    }
    this.groups.clear();
    return states;
  }
}
