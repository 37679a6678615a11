/**
 * The UDP driver (`protocol_type` 4). A packet is `url` udp://host:port and a body sent as one
 * datagram (UTF-8 text, or bytes with the header `encoding: hex`). The reply is framed as for TCP:
 * `check_end_type` 1 (length) and 2 (end marker) may span several datagrams; without an end check the
 * reply is the first datagram. There is no connect phase on the wire; `connect_timeout` bounds the
 * address lookup. A reply that never comes is a timeout after `return_timeout`; an ICMP "port
 * unreachable" is refusedFailed. Each user keeps one socket per endpoint (`keep_alive: false` closes
 * it after each reply). sentBytes/recBytes are UDP payload bytes.
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
import { UdpEndpointSocket } from './udp-socket.js';

const DRIVER_NAME = 'udp';

/** A user's UDP sockets, by `host:port`. */
type UdpSockets = Map<string, UdpEndpointSocket>;

function socketsOf(session: UserSession): UdpSockets {
  let sockets = session.state.get(DRIVER_NAME) as UdpSockets | undefined;
  if (sockets === undefined) {
    sockets = new Map();
    session.state.set(DRIVER_NAME, sockets);
  }
  return sockets;
}

/** A UDP packet compiled once. */
class UdpRequest implements PreparedRequest {
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

    const sockets = socketsOf(session);
    let socket = sockets.get(endpoint.key);
    if (socket === undefined || socket.isClosed) {
      socket = new UdpEndpointSocket(endpoint, session.signal, (closed) => {
        if (sockets.get(closed.endpoint.key) === closed) sockets.delete(closed.endpoint.key);
      });
      sockets.set(endpoint.key, socket);
    }
    return socket.request({
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

/** Creates the UDP driver. */
export function createUdpDriver(_options: EngineOptions): ProtocolDriver {
  return {
    name: DRIVER_NAME,
    prepare(packet: ContentInfo, ctx: PrepareContext): PreparedRequest | undefined {
      return new UdpRequest(compileSocketPacket(packet, 'udp', ctx));
    },
    closeSession(session: UserSession): void {
      const sockets = session.state.get(DRIVER_NAME) as UdpSockets | undefined;
      if (sockets === undefined) return;
      for (const socket of [...sockets.values()]) socket.close();
      session.state.delete(DRIVER_NAME);
    },
  };
}
