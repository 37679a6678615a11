/**
 * The one way drivers open connections to targets, each under the target policy (target-policy.ts):
 * a literal address is checked before connecting, a name inside the lookup of the connect itself.
 * A denied target fails the connection the way a refused one does (an 'error' event, or the
 * connector's callback) with a TargetDeniedError, on a later turn of the event loop, so that a user
 * denied again and again cannot starve timers and I/O.
 */
import net from 'node:net';
import tls from 'node:tls';
import { buildConnector } from 'undici';
import { TargetDeniedError, type TargetPolicy } from './target-policy.js';

/**
 * A socket that fails with `reason` the way a connect whose lookup fails does: it is "connecting"
 * meanwhile, so that what is written to it (an HTTP request) waits instead of failing otherwise.
 */
function deniedSocket(reason: string, port: number): net.Socket {
  const fail = (_host: string, _options: unknown, callback: (err: Error) => void): void => {
    setImmediate(callback, new TargetDeniedError(reason));
  };
  return net.connect({ host: 'target-denied.invalid', port, lookup: fail as unknown as net.LookupFunction });
}

/** Options of a plain or TLS connection to a target. */
export type TargetConnectOptions = net.TcpNetConnectOpts & tls.ConnectionOptions & { host: string; port: number };

function hostOf(options: { host?: string | null }): string {
  const host = options.host ?? '';
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** net.connect under the policy. */
export function connectTcp(policy: TargetPolicy, options: TargetConnectOptions): net.Socket {
  const host = hostOf(options);
  const port = Number(options.port);
  const denial = policy.literalDenial(host === '' ? 'localhost' : host, port);
  if (denial !== undefined) return deniedSocket(denial, port);
  return net.connect({ ...options, host, lookup: policy.lookupFor(port) });
}

/**
 * tls.connect under the policy (SNI is the host name unless the host is an address). A denied
 * target's socket is a plain one that only fails: it never reaches 'secureConnect'.
 */
export function connectTls(policy: TargetPolicy, options: TargetConnectOptions): tls.TLSSocket {
  const host = hostOf(options);
  const port = Number(options.port);
  const denial = policy.literalDenial(host === '' ? 'localhost' : host, port);
  if (denial !== undefined) return deniedSocket(denial, port) as tls.TLSSocket;
  const servername = options.servername ?? (net.isIP(host) ? undefined : host);
  return tls.connect({ ...options, host, servername, lookup: policy.lookupFor(port) });
}

/**
 * The `createConnection` option of a `ws` WebSocket (and of http.request): its handshake
 * connection opened under the policy, TLS for `wss:`.
 */
export function webSocketConnection(policy: TargetPolicy, secure: boolean): (options: object) => net.Socket {
  return (options) => {
    const opts = options as TargetConnectOptions & { path?: string };
    opts.path = undefined;
    return secure ? connectTls(policy, opts) : connectTcp(policy, opts);
  };
}

/**
 * An undici connector (for a Client or an Agent) under the policy: `options` as buildConnector takes
 * them; one undici connector per port is built on first use and kept.
 */
export function policyConnector(policy: TargetPolicy, options: buildConnector.BuildOptions): buildConnector.connector {
  const byPort = new Map<number, buildConnector.connector>();
  const connect = (opts: buildConnector.Options, callback: buildConnector.Callback): net.Socket | null => {
    const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
    const denial = policy.literalDenial(opts.hostname, port);
    if (denial !== undefined) {
      setImmediate(callback, new TargetDeniedError(denial), null);
      return null;
    }
    let connector = byPort.get(port);
    if (connector === undefined) {
      connector = buildConnector({ ...options, lookup: policy.lookupFor(port) } as buildConnector.BuildOptions);
      byPort.set(port, connector);
    }
    // undici's connector returns the socket it creates (its typings say void)
    return (connector as unknown as (o: buildConnector.Options, c: buildConnector.Callback) => net.Socket)(opts, callback);
  };
  return connect as unknown as buildConnector.connector;
}
