/**
 * The WebSocket driver (`protocol_type` 9). `method` is one of:
 * - CONNECT: opening handshake to `url` (ws:// or wss://) with the packet's headers (a
 *   `Sec-WebSocket-Protocol` header becomes the offered subprotocols); replaces an open connection.
 * - WRITE: sends the body as one frame; done when the frame is handed to the socket.
 * - READ: takes the oldest queued frame, or waits for the next one up to `return_timeout`.
 * - WRITE_READ: sends, then waits for the next frame that arrives after the send (queued frames
 *   stay for READ).
 * - DISCONNECT: closing handshake, waiting up to `return_timeout` for the server's close frame.
 * The body is a text frame, or a binary frame of the hex-decoded body with the header `encoding: hex`.
 * Each user keeps one connection per URL across steps; a WRITE, READ or WRITE_READ that finds none
 * connects implicitly (with that packet's headers), and its RT and bytes include the handshake.
 * Frames that arrive while no step reads are queued (up to 1024, oldest dropped). RT: step start to
 * open / frame handed to the socket / frame received / close frame received. Bytes: frame sizes
 * with their headers, plus the handshake's request and response bytes.
 */
import type { ContentInfo } from '@perftest/model';
import type {
  EngineOptions,
  PrepareContext,
  PreparedRequest,
  ProtocolDriver,
  RequestResult,
  Template,
  UserSession,
  VariableScope,
} from '../driver.js';
import { SESSION_TIMEOUT, bodyText, checkMethod, headerMap, timeoutField } from '../packet-fields.js';
import { Payload, isHexEncoding } from '../payload.js';
import type { TargetPolicy } from '../../net/target-policy.js';
import { closeConnections, connectionsOf } from '../session-connections.js';
import { finishResult, notStarted, startMeter, type RequestMeter } from '../socket/socket-result.js';
import { WsConnection, frameHeaderBytes, type WsFailure, type WsFrame } from './websocket-connection.js';

const DRIVER_NAME = 'websocket';
const METHODS = ['CONNECT', 'WRITE', 'READ', 'WRITE_READ', 'DISCONNECT'] as const;
type WsMethod = (typeof METHODS)[number];
/** Headers that configure the driver and are not sent on the upgrade request. */
const CONTROL_HEADERS = new Set(['encoding']);
/** Status reported for a successful opening handshake (HTTP 101 Switching Protocols). */
const SWITCHING_PROTOCOLS = 101;

function isFailure(value: object): value is WsFailure {
  return 'outcome' in value;
}

/** A WebSocket step compiled once. */
class WsRequest implements PreparedRequest {
  readonly url: string;

  constructor(
    readonly name: string,
    readonly method: WsMethod,
    private readonly urlTemplate: Template,
    private readonly headerTemplates: ReadonlyArray<readonly [string, Template]>,
    private readonly payload: Payload,
    private readonly binary: boolean,
    private readonly connectTimeoutMs: number,
    private readonly returnTimeoutMs: number,
    private readonly tlsVerify: boolean,
    private readonly targetPolicy: TargetPolicy,
    url: string,
  ) {
    this.url = url;
  }

  async execute(session: UserSession, vars: VariableScope): Promise<RequestResult> {
    const url = this.urlTemplate.render(vars);
    if (session.signal.aborted) return notStarted('othersFailed', url, 'aborted');
    const meter = startMeter();
    const connections = connectionsOf<WsConnection>(session, DRIVER_NAME);
    let connection = connections.get(url);

    if (this.method === 'DISCONNECT') {
      if (connection === undefined || !connection.isOpen) {
        connections.delete(url);
        return finishResult(meter, 'success', url, undefined, undefined);
      }
      const closeFrame = await connection.disconnect(this.returnTimeoutMs);
      connections.delete(url);
      meter.sentBytes = 2 + frameHeaderBytes(2, true);
      if (closeFrame === undefined) return finishResult(meter, 'timeout', url, undefined, `no close frame within ${this.returnTimeoutMs} ms`);
      meter.recBytes = closeFrame;
      return finishResult(meter, 'success', url, undefined, undefined);
    }

    const readsQueue = this.method === 'READ' && connection !== undefined && connection.hasQueuedFrames;
    if (this.method === 'CONNECT' || (!readsQueue && (connection === undefined || !connection.isOpen))) {
      connection?.terminate();
      connection = new WsConnection(url, session.signal, (closed) => {
        if (connections.get(url) === closed && !closed.hasQueuedFrames) connections.delete(url);
      });
      connections.set(url, connection);
      const opened = await connection.open({
        headers: this.renderHeaders(vars),
        protocols: this.protocols(vars),
        timeoutMs: this.connectTimeoutMs,
        tlsVerify: this.tlsVerify,
        targetPolicy: this.targetPolicy,
      });
      if (isFailure(opened)) {
        connections.delete(url);
        return finishResult(meter, opened.outcome, url, undefined, opened.error, opened.status);
      }
      meter.sentBytes += opened.sent;
      meter.recBytes += opened.received;
      if (this.method === 'CONNECT') return finishResult(meter, 'success', url, undefined, undefined, SWITCHING_PROTOCOLS);
    }
    const open = connection as WsConnection;

    if (this.method === 'READ') return this.finishRead(meter, url, session, await open.nextFrame(this.returnTimeoutMs, true));

    const data = this.payload.bytes(vars);
    if (typeof data === 'string') return finishResult(meter, 'parsedFailed', url, undefined, data);
    const reply = this.method === 'WRITE_READ' ? open.nextFrame(this.returnTimeoutMs, false) : undefined;
    const sendFailure = await open.send(data, this.binary);
    if (sendFailure !== undefined) {
      open.terminate();
      return finishResult(meter, sendFailure.outcome, url, undefined, sendFailure.error);
    }
    meter.sentBytes += data.length + frameHeaderBytes(data.length, true);
    if (reply === undefined) return finishResult(meter, 'success', url, undefined, undefined);
    return this.finishRead(meter, url, session, await reply);
  }

  private finishRead(meter: RequestMeter, url: string, session: UserSession, frame: WsFrame | WsFailure): RequestResult {
    if (isFailure(frame)) return finishResult(meter, frame.outcome, url, undefined, frame.error);
    meter.recBytes += frame.wireBytes;
    return finishResult(meter, 'success', url, session.keepResponse ? frame.data : undefined, undefined);
  }

  private renderHeaders(vars: VariableScope): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, template] of this.headerTemplates) {
      if (name !== 'sec-websocket-protocol') out[name] = template.render(vars);
    }
    return out;
  }

  private protocols(vars: VariableScope): string[] {
    const entry = this.headerTemplates.find(([name]) => name === 'sec-websocket-protocol');
    if (entry === undefined) return [];
    return entry[1]
      .render(vars)
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
  }
}

function prepareWebSocket(packet: ContentInfo, ctx: PrepareContext): PreparedRequest | undefined {
  const method = (packet.method ?? '').trim().toUpperCase().replace(/[\s-]/g, '_') as WsMethod;
  checkMethod(method, METHODS, ctx);
  const url = packet.url ?? '';
  if (!/^wss?:\/\//i.test(url)) ctx.problems.push({ path: `${ctx.path}.url`, message: 'url must start with ws:// or wss://' });
  else if (!url.includes('${')) {
    try {
      new URL(url);
    } catch {
      ctx.problems.push({ path: `${ctx.path}.url`, message: 'url is not a valid URL' });
    }
  }
  const headers = headerMap(packet);
  const hex = isHexEncoding(headers, ctx);
  const headerTemplates: [string, Template][] = [];
  for (const [name, value] of headers) {
    if (!CONTROL_HEADERS.has(name)) headerTemplates.push([name, ctx.template(value)]);
  }
  return new WsRequest(
    packet.name ?? `${method} ${url}`,
    method,
    ctx.template(url),
    headerTemplates,
    Payload.compile(bodyText(packet), hex, ctx),
    hex,
    timeoutField(packet, 'connect_timeout', SESSION_TIMEOUT, ctx),
    timeoutField(packet, 'return_timeout', SESSION_TIMEOUT, ctx),
    ctx.options.tlsVerify,
    ctx.options.targetPolicy,
    url,
  );
}

/** Creates the WebSocket driver. */
export function createWebSocketDriver(_options: EngineOptions): ProtocolDriver {
  return {
    name: DRIVER_NAME,
    prepare: prepareWebSocket,
    closeSession(session: UserSession): void {
      closeConnections<WsConnection>(session, DRIVER_NAME, (connection) => connection.terminate());
    },
  };
}
