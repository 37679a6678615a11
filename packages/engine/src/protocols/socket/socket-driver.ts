/**
 * What the TCP and UDP drivers share: the packet compiled once (socket-packet.ts), the checks before
 * sending, and one channel (connection or socket) per user and endpoint, reused across requests until
 * it closes. Each driver supplies only how a channel to an endpoint is opened.
 */
import type { ContentInfo } from '@perftest/model';
import type {
  PrepareContext,
  PreparedRequest,
  ProtocolDriver,
  RequestResult,
  UserSession,
  VariableScope,
} from '../driver.js';
import type { Endpoint } from '../packet-fields.js';
import { compileSocketPacket, type SocketPacket } from './socket-packet.js';
import { notStarted } from './socket-result.js';
import type { SocketExchange } from './framed-channel.js';
import { closeConnections, connectionsOf } from '../session-connections.js';

/** A per-user channel to one endpoint that answers one request at a time; `request` never rejects. */
export interface SocketChannel {
  readonly endpoint: Endpoint;
  readonly isClosed: boolean;
  request(exchange: SocketExchange): Promise<RequestResult>;
  close(): void;
}

/** Opens a channel to `endpoint`; it calls `onClosed` once when it closes. */
export type OpenChannel = (
  endpoint: Endpoint,
  signal: AbortSignal,
  onClosed: (channel: SocketChannel) => void,
) => SocketChannel;

/** A TCP or UDP packet compiled once. */
class SocketRequest implements PreparedRequest {
  readonly name: string;
  readonly method: string;
  readonly url: string;

  constructor(
    private readonly driverName: string,
    private readonly packet: SocketPacket,
    private readonly open: OpenChannel,
  ) {
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

    const channels = connectionsOf<SocketChannel>(session, this.driverName);
    let channel = channels.get(endpoint.key);
    if (channel === undefined || channel.isClosed) {
      channel = this.open(endpoint, session.signal, (closed) => {
        if (channels.get(closed.endpoint.key) === closed) channels.delete(closed.endpoint.key);
      });
      channels.set(endpoint.key, channel);
    }
    const sent = channel.request({
      payload,
      framing: packet.framing,
      connectTimeoutMs: packet.connectTimeoutMs,
      returnTimeoutMs: packet.returnTimeoutMs,
      keepAlive: packet.keepAlive,
      keepBody: session.keepResponse,
      url,
    });
    if (!session.debug) return sent;
    // Debug runs show what was sent, as the HTTP driver does.
    return sent.then((result) => {
      result.requestBody = packet.payload.show(payload);
      return result;
    });
  }
}

/** Creates the driver `name` for packets of URL scheme `scheme`, whose channels `open` opens. */
export function createSocketDriver(name: string, scheme: 'tcp' | 'udp', open: OpenChannel): ProtocolDriver {
  return {
    name,
    prepare(packet: ContentInfo, ctx: PrepareContext): PreparedRequest | undefined {
      return new SocketRequest(name, compileSocketPacket(packet, scheme, ctx), open);
    },
    closeSession(session: UserSession): void {
      closeConnections<SocketChannel>(session, name, (channel) => channel.close());
    },
  };
}
