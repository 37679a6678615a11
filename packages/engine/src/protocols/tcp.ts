/**
 * The TCP driver (`protocol_type` 3). A packet is `url` tcp://host:port and a body sent as UTF-8
 * text, or as bytes when the header `encoding: hex` is given. The response ends per `check_end_type`
 * (framing.ts). Each virtual user keeps one connection per endpoint across requests; the header
 * `keep_alive: false` closes it after each response instead (the reference's `connect_type` is
 * "unused" and is ignored). RT runs from the start of the request (including the connect when one is
 * needed) to the end of the response; sentBytes/recBytes are TCP payload bytes of the request and of
 * its response.
 */
import type { ContentInfo } from '@perftest/model';
import type {
  EngineOptions,
  PrepareContext,
  PreparedRequest,
  ProtocolDriver,
  RequestResult,
  UserSession,
  VariableScope,
} from './driver.js';
import { compileSocketPacket, type SocketPacket } from './socket-packet.js';
import { notStarted } from './socket-result.js';
import { TcpConnection } from './tcp-connection.js';

const DRIVER_NAME = 'tcp';

/** A user's TCP connections, by `host:port`. */
type TcpConnections = Map<string, TcpConnection>;

function connectionsOf(session: UserSession): TcpConnections {
  let connections = session.state.get(DRIVER_NAME) as TcpConnections | undefined;
  if (connections === undefined) {
    connections = new Map();
    session.state.set(DRIVER_NAME, connections);
  }
  return connections;
}

/** A TCP packet compiled once. */
class TcpRequest implements PreparedRequest {
  readonly name: string;
  readonly method: string;
  readonly url: string;

  constructor(private readonly packet: SocketPacket) {
    this.name = packet.name;
    this.method = packet.method;
    this.url = packet.url;
  }

  execute(session: UserSession, vars: VariableScope): Promise<RequestResult> {
    const packet = this.packet;
    const url = packet.endpoint.url(vars);
    if (session.signal.aborted) return Promise.resolve(notStarted('othersFailed', url, 'aborted'));
    const endpoint = packet.endpoint.resolve(url);
    if (typeof endpoint === 'string') return Promise.resolve(notStarted('parsedFailed', url, endpoint));
    const payload = packet.payload.bytes(vars);
    if (typeof payload === 'string') return Promise.resolve(notStarted('parsedFailed', url, payload));

    const connections = connectionsOf(session);
    let connection = connections.get(endpoint.key);
    if (connection === undefined || connection.isClosed) {
      connection = new TcpConnection(endpoint, session.signal, (closed) => {
        if (connections.get(closed.endpoint.key) === closed) connections.delete(closed.endpoint.key);
      });
      connections.set(endpoint.key, connection);
    }
    return connection.request({
      payload,
      framing: packet.framing,
      connectTimeoutMs: packet.connectTimeoutMs,
      returnTimeoutMs: packet.returnTimeoutMs,
      keepAlive: packet.keepAlive,
      keepBody: session.keepResponse,
      url,
    });
  }
}

/** Creates the TCP driver. */
export function createTcpDriver(_options: EngineOptions): ProtocolDriver {
  return {
    name: DRIVER_NAME,
    prepare(packet: ContentInfo, ctx: PrepareContext): PreparedRequest | undefined {
      return new TcpRequest(compileSocketPacket(packet, 'tcp', ctx));
    },
    closeSession(session: UserSession): void {
      const connections = session.state.get(DRIVER_NAME) as TcpConnections | undefined;
      if (connections === undefined) return;
      for (const connection of [...connections.values()]) connection.close();
      session.state.delete(DRIVER_NAME);
    },
  };
}
