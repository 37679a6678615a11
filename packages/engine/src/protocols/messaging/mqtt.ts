/**
 * The MQTT driver (`protocol_type` 11, on MQTT.js). `url` is the broker: mqtt:// (also tcp://),
 * mqtts:// (also ssl://), ws:// or wss://. `method` is one of:
 * - CONNECT: headers `client_id` (default: random, unique per connection), `username`, `password`,
 *   `keepalive` (seconds, default 60), `clean` (default true), `protocol_version` (3 = 3.1, 4 = 3.1.1
 *   (default), 5). Replaces an open connection to the same url.
 * - PUBLISH: headers `topic`, `qos` (0, 1, 2; default 0), `retain` (default false); the body is the
 *   payload (hex bytes with `encoding: hex`). Succeeds when written (QoS 0), on PUBACK (1) or on
 *   PUBCOMP (2).
 * - SUBSCRIBE: headers `topic` (a filter, wildcards allowed) and `qos`. Subscribes once per filter and
 *   connection, then succeeds when a matching message arrives before `return_timeout` (messages
 *   that arrived earlier wait in a bounded inbox and are taken first); the message payload is the
 *   response body.
 * - DISCONNECT: sends DISCONNECT and closes.
 * Each user keeps one connection per url across steps; a PUBLISH or SUBSCRIBE without one connects
 * implicitly with that packet's headers (RT and bytes then include CONNECT). A broker refusal
 * (CONNACK, SUBACK or MQTT 5 PUBACK reason code >= 128) is checkPointFailed with the code as status.
 * Bytes are MQTT packet bytes (see mqtt-connection.ts).
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
import { MqttConnection, randomClientId, type MqttConnectOptions, type MqttFailure } from './mqtt-connection.js';
import { filterProblem, topicNameProblem } from './mqtt-topic.js';
import { SESSION_TIMEOUT, bodyText, booleanHeader, checkMethod, hasVariables, headerMap, integerField, timeoutField } from '../packet-fields.js';
import { Payload, isHexEncoding } from '../payload.js';
import type { TargetPolicy } from '../../net/target-policy.js';
import { closeConnections, connectionsOf } from '../session-connections.js';
import { finishResult, notStarted, startMeter, type RequestMeter } from '../socket/socket-result.js';

const DRIVER_NAME = 'mqtt';
const METHODS = ['CONNECT', 'PUBLISH', 'SUBSCRIBE', 'DISCONNECT'] as const;
type MqttMethod = (typeof METHODS)[number];
const URL_SCHEME = /^(mqtt|mqtts|tcp|ssl|ws|wss):\/\//i;
const PROTOCOL_VERSIONS: Record<string, 3 | 4 | 5> = { '3': 3, '3.1': 3, '4': 4, '3.1.1': 4, '5': 5, '5.0': 5 };

/** The CONNECT settings of a packet, with templated client id, user name and password. */
interface ConnectSettings {
  clientId: Template | undefined;
  username: Template | undefined;
  password: Template | undefined;
  keepaliveSeconds: number;
  clean: boolean;
  protocolVersion: 3 | 4 | 5;
  connectTimeoutMs: number;
  tlsVerify: boolean;
  targetPolicy: TargetPolicy;
}

/** An MQTT step compiled once. */
class MqttRequest implements PreparedRequest {
  constructor(
    readonly name: string,
    readonly method: MqttMethod,
    readonly url: string,
    private readonly urlTemplate: Template,
    private readonly connect: ConnectSettings,
    private readonly topic: Template,
    private readonly qos: 0 | 1 | 2,
    private readonly retain: boolean,
    private readonly payload: Payload,
    private readonly returnTimeoutMs: number,
  ) {}

  async execute(session: UserSession, vars: VariableScope): Promise<RequestResult> {
    const url = this.urlTemplate.render(vars);
    if (session.signal.aborted) return notStarted('othersFailed', url, 'aborted');
    const meter = startMeter();
    const connections = connectionsOf<MqttConnection>(session, DRIVER_NAME);
    let connection = connections.get(url);

    if (this.method === 'DISCONNECT') {
      if (connection === undefined || !connection.isOpen) {
        connections.delete(url);
        return finishResult(meter, 'success', url, undefined, undefined);
      }
      const before = snapshot(connection);
      await connection.end(this.returnTimeoutMs);
      connections.delete(url);
      return this.finish(meter, url, connection, before, undefined);
    }

    let before = { sent: 0, received: 0 };
    if (this.method === 'CONNECT' || connection === undefined || !connection.isOpen) {
      connection?.terminate();
      connection = new MqttConnection(url, session.signal, (closed) => {
        if (connections.get(url) === closed) connections.delete(url);
      });
      connections.set(url, connection);
      const failure = await connection.open(this.connectOptions(vars));
      if (failure !== undefined) {
        connections.delete(url);
        return this.finish(meter, url, connection, before, failure);
      }
      if (this.method === 'CONNECT') return this.finish(meter, url, connection, before, undefined);
    } else {
      before = snapshot(connection);
    }

    const topic = this.topic.render(vars);
    if (this.method === 'PUBLISH') {
      const payload = this.payload.bytes(vars);
      if (typeof payload === 'string') return this.finish(meter, url, connection, before, { outcome: 'parsedFailed', error: payload, status: 0 });
      const failure = await connection.publish(topic, payload, this.qos, this.retain, this.returnTimeoutMs);
      return this.finish(meter, url, connection, before, failure);
    }
    const subscribed = await connection.subscribe(topic, this.qos, this.returnTimeoutMs);
    if (subscribed !== undefined) return this.finish(meter, url, connection, before, subscribed);
    const message = await connection.nextMessage(topic, this.returnTimeoutMs);
    if ('outcome' in message) return this.finish(meter, url, connection, before, message);
    meter.recBytes += message.wireBytes;
    return this.finish(meter, url, connection, before, undefined, session.keepResponse ? message.payload : undefined);
  }

  /** Adds the connection's byte counts since `before` and builds the result. */
  private finish(
    meter: RequestMeter,
    url: string,
    connection: MqttConnection,
    before: { sent: number; received: number },
    failure: MqttFailure | undefined,
    body?: Buffer,
  ): RequestResult {
    meter.sentBytes += connection.bytes.sent - before.sent;
    meter.recBytes += connection.bytes.received - before.received;
    if (failure !== undefined) return finishResult(meter, failure.outcome, url, undefined, failure.error, failure.status);
    return finishResult(meter, 'success', url, body, undefined);
  }

  private connectOptions(vars: VariableScope): MqttConnectOptions {
    const c = this.connect;
    return {
      clientId: c.clientId?.render(vars) || randomClientId(),
      username: c.username?.render(vars),
      password: c.password?.render(vars),
      keepaliveSeconds: c.keepaliveSeconds,
      clean: c.clean,
      protocolVersion: c.protocolVersion,
      connectTimeoutMs: c.connectTimeoutMs,
      tlsVerify: c.tlsVerify,
      targetPolicy: c.targetPolicy,
    };
  }
}

function snapshot(connection: MqttConnection): { sent: number; received: number } {
  return { sent: connection.bytes.sent, received: connection.bytes.received };
}

/** An integer header within bounds, or the fallback when absent. */
function integerHeader(headers: Map<string, string>, name: string, min: number, max: number, fallback: number, ctx: PrepareContext): number {
  const raw = headers.get(name);
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = integerField(raw);
  if (value === undefined || value < min || value > max) {
    ctx.problems.push({ path: `${ctx.path}.headers.${name}`, message: `header ${name} must be an integer from ${min} to ${max}` });
    return fallback;
  }
  return value;
}

function prepareMqtt(packet: ContentInfo, ctx: PrepareContext): PreparedRequest | undefined {
  const method = (packet.method ?? '').trim().toUpperCase() as MqttMethod;
  checkMethod(method, METHODS, ctx);
  const url = packet.url ?? '';
  if (!URL_SCHEME.test(url)) {
    ctx.problems.push({ path: `${ctx.path}.url`, message: 'url must start with mqtt://, mqtts://, ws:// or wss://' });
  }
  const headers = headerMap(packet);
  const optional = (name: string): Template | undefined => {
    const value = headers.get(name);
    return value === undefined || value === '' ? undefined : ctx.template(value);
  };
  const versionText = (headers.get('protocol_version') ?? '4').trim();
  const protocolVersion = PROTOCOL_VERSIONS[versionText];
  if (protocolVersion === undefined) {
    ctx.problems.push({ path: `${ctx.path}.headers.protocol_version`, message: 'header protocol_version must be 3, 4 (3.1.1) or 5' });
  }
  const topic = headers.get('topic') ?? '';
  if ((method === 'PUBLISH' || method === 'SUBSCRIBE') && !hasVariables(topic)) {
    const problem = method === 'PUBLISH' ? topicNameProblem(topic) : filterProblem(topic);
    if (problem !== undefined) ctx.problems.push({ path: `${ctx.path}.headers.topic`, message: problem });
  }
  const hex = isHexEncoding(headers, ctx);
  return new MqttRequest(
    packet.name ?? `${method} ${url}`,
    method,
    url,
    ctx.template(url),
    {
      clientId: optional('client_id'),
      username: optional('username'),
      password: optional('password'),
      keepaliveSeconds: integerHeader(headers, 'keepalive', 0, 65535, 60, ctx),
      clean: booleanHeader(headers, 'clean', true, ctx),
      protocolVersion: protocolVersion ?? 4,
      connectTimeoutMs: timeoutField(packet, 'connect_timeout', SESSION_TIMEOUT, ctx),
      tlsVerify: ctx.options.tlsVerify,
      targetPolicy: ctx.options.targetPolicy,
    },
    ctx.template(topic),
    integerHeader(headers, 'qos', 0, 2, 0, ctx) as 0 | 1 | 2,
    booleanHeader(headers, 'retain', false, ctx),
    Payload.compile(bodyText(packet), hex, ctx),
    timeoutField(packet, 'return_timeout', SESSION_TIMEOUT, ctx),
  );
}

/** Creates the MQTT driver. */
export function createMqttDriver(_options: EngineOptions): ProtocolDriver {
  return {
    name: DRIVER_NAME,
    prepare: prepareMqtt,
    closeSession(session: UserSession): void {
      closeConnections<MqttConnection>(session, DRIVER_NAME, (connection) => connection.terminate());
    },
  };
}
