/**
 * What the HTTP driver keeps per virtual user: one keep-alive connection per origin (an undici
 * Client with pipelining 1, so the connections in use are sized to the users), the user's cookie
 * jar and its exchange (http-exchange.ts). Users sharing an abort signal are closed together by one
 * listener on it (SignalGroups), not one listener per user.
 */
import type { Socket } from 'node:net';
import { Client, buildConnector, errors } from 'undici';
import type { UserSession } from '../driver.js';
import { CookieJar } from './http-cookies.js';
import { Exchange, type ExchangeOwner } from './http-exchange.js';

/**
 * The error in-flight requests of a user being closed end with: one instance for every client, so
 * that closing 10,000 users at the end of a run does not capture 10,000 stack traces.
 */
const CLOSED = new errors.ClientDestroyedError();

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
  /** The socket and its byte counters at the end of the last exchange (http-exchange.ts). */
  countedSocket: Socket | null = null;
  countedWritten = 0;
  countedRead = 0;
  readonly client: Client;

  constructor(origin: string, connectors: ConnectorSource) {
    const connect = (options: buildConnector.Options, callback: buildConnector.Callback) => {
      // undici's connector returns the socket it creates (its typings say void)
      const connector = connectors.connector(this.connectTimeoutMs) as unknown as (
        o: buildConnector.Options,
        c: buildConnector.Callback,
      ) => Socket;
      this.socket = connector(options, callback);
    };
    this.client = new Client(origin, { pipelining: 1, connect: connect as buildConnector.connector });
  }
}

/** All HTTP state of one virtual user. */
export class HttpUserState implements ExchangeOwner {
  readonly jar = new CookieJar();
  readonly exchange: Exchange = new Exchange(this);
  /** The first origin's connection, kept in fields: most users talk to one origin. */
  private firstOrigin: string | undefined;
  private first: UserConnection | undefined;
  /** Connections to further origins, created with the second origin. */
  private others: Map<string, UserConnection> | undefined;

  constructor(
    readonly session: UserSession,
    private readonly connectors: ConnectorSource,
  ) {}

  /** The user's connection to `origin`, created on first use. */
  connection(origin: string): UserConnection {
    if (origin === this.firstOrigin) return this.first as UserConnection;
    if (this.first === undefined) {
      this.firstOrigin = origin;
      this.first = new UserConnection(origin, this.connectors);
      return this.first;
    }
    let connection = this.others?.get(origin);
    if (connection === undefined) {
      connection = new UserConnection(origin, this.connectors);
      (this.others ??= new Map()).set(origin, connection);
    }
    return connection;
  }

  /** Closes every connection at once (an in-flight request ends with an error). */
  destroy(): Promise<void> {
    this.exchange.dispose();
    const first = this.first;
    if (first === undefined) return Promise.resolve();
    const others = this.others;
    this.firstOrigin = undefined;
    this.first = undefined;
    this.others = undefined;
    // one promise per user, not one per client plus undici's own (callback form of destroy)
    return new Promise((resolve) => {
      let left = 1 + (others?.size ?? 0);
      const closed = (): void => {
        if (--left === 0) resolve();
      };
      first.client.destroy(CLOSED, closed);
      if (others !== undefined) for (const connection of others.values()) connection.client.destroy(CLOSED, closed);
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
