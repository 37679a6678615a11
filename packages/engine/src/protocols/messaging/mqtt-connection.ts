/**
 * One virtual user's MQTT connection (on `mqtt`, MQTT.js): CONNECT, PUBLISH with the acknowledgement
 * its QoS asks for, SUBSCRIBE once per filter, and an inbox of received messages (bounded) from which
 * SUBSCRIBE steps take the next matching one. The transport stream (TCP, TLS or WebSocket) is built
 * here so that every byte MQTT.js writes is counted; received bytes are the sizes of the MQTT packets
 * the parser reports. Both are MQTT packet bytes: TCP, TLS and WebSocket framing is not counted.
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { MqttClient, type IClientOptions, type Packet } from 'mqtt';
import WebSocket, { createWebSocketStream } from 'ws';
import type { Outcome } from '@perftest/model';
import { connectTcp, connectTls, webSocketConnection } from '../../net/connect.js';
import { TargetDeniedError, type TargetPolicy } from '../../net/target-policy.js';
import { unwatchAbort, watchAbort, type Abortable } from '../abort-fanout.js';
import { BoundedQueue } from './bounded-queue.js';
import { topicMatches } from './mqtt-topic.js';
import { describeError, outcomeOfError } from '../socket/socket-result.js';

/** Messages kept per connection while no SUBSCRIBE step takes them; older ones are dropped. */
export const MAX_INBOX_MESSAGES = 1024;

/** A message received on a subscription. */
export interface MqttMessage {
  topic: string;
  payload: Buffer;
  /** Size of the PUBLISH packet on the wire (MQTT level). */
  wireBytes: number;
}

/** Why a step failed; `status` is the MQTT return/reason code when the broker refused. */
export interface MqttFailure {
  outcome: Outcome;
  error: string;
  status: number;
}

/** Connection settings from the CONNECT step's headers. */
export interface MqttConnectOptions {
  clientId: string;
  username?: string;
  password?: string;
  keepaliveSeconds: number;
  clean: boolean;
  protocolVersion: 3 | 4 | 5;
  connectTimeoutMs: number;
  tlsVerify: boolean;
  targetPolicy: TargetPolicy;
}

/** Bytes an MQTT packet takes: fixed header (1 byte + remaining-length varint) plus the rest. */
export function mqttPacketBytes(remainingLength: number): number {
  const varint = remainingLength < 128 ? 1 : remainingLength < 16384 ? 2 : remainingLength < 2097152 ? 3 : 4;
  return 1 + varint + remainingLength;
}

/** A client id unique per connection, 23 characters at most (the MQTT 3.1 limit). */
export function randomClientId(): string {
  return `perftest_${randomBytes(7).toString('hex')}`;
}

/** A reason/return code carried by MQTT.js errors for broker refusals (numeric `code`). */
function brokerCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Classifies an MQTT.js error: broker refusals (numeric codes) are checkPointFailed. */
export function mqttFailure(error: unknown): MqttFailure {
  const code = brokerCode(error);
  if (code !== undefined) return { outcome: 'checkPointFailed', error: describeError(error), status: code };
  return { outcome: outcomeOfError(error), error: describeError(error), status: 0 };
}

/** Builds the transport of an mqtt://, mqtts://, ws:// or wss:// URL, counting written bytes. */
function transport(url: URL, tlsVerify: boolean, policy: TargetPolicy, counter: { sent: number }, onDenied: (error: Error) => void): Duplex {
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let stream: Duplex;
  if (scheme === 'ws' || scheme === 'wss') {
    const socket = new WebSocket(url.href, ['mqtt'], {
      perMessageDeflate: false,
      rejectUnauthorized: tlsVerify,
      createConnection: webSocketConnection(policy, scheme === 'wss'),
    });
    stream = createWebSocketStream(socket);
    socket.on('close', () => stream.destroy());
  } else if (scheme === 'mqtts' || scheme === 'ssl') {
    stream = connectTls(policy, { host, port: Number(url.port || 8883), rejectUnauthorized: tlsVerify });
  } else {
    stream = connectTcp(policy, { host, port: Number(url.port || 1883), noDelay: true });
  }
  // MQTT.js passes on only some socket errors: a policy denial is reported here
  stream.on('error', (error) => {
    if (error instanceof TargetDeniedError) onDenied(error);
  });
  const write = stream.write;
  stream.write = function countedWrite(this: Duplex, chunk: unknown, ...rest: unknown[]): boolean {
    counter.sent += typeof chunk === 'string' ? Buffer.byteLength(chunk, typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8') : (chunk as Buffer).length;
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Duplex['write'];
  return stream;
}

/** A per-user MQTT connection; its methods resolve with failures instead of rejecting. */
export class MqttConnection implements Abortable {
  private client: MqttClient | undefined;
  /** MQTT bytes written, and received outside PUBLISH packets (which travel with their message). */
  readonly bytes = { sent: 0, received: 0 };
  private readonly inbox = new BoundedQueue<MqttMessage>(MAX_INBOX_MESSAGES);
  private readonly subscribed = new Set<string>();
  private waiter: { filter: string; resolve: (value: MqttMessage | MqttFailure) => void; timer: NodeJS.Timeout } | undefined;
  /** Completes the CONNECT, PUBLISH or SUBSCRIBE in progress (a user runs one step at a time). */
  private pending: ((failure: MqttFailure | undefined) => void) | undefined;
  private connected = false;
  private closed = false;

  constructor(
    readonly url: string,
    private readonly signal: AbortSignal,
    private readonly onClosed: (connection: MqttConnection) => void,
  ) {
    watchAbort(signal, this);
  }

  /** True while connected (CONNACK accepted and not closed). */
  get isOpen(): boolean {
    return this.connected && !this.closed;
  }

  /** Messages dropped because the inbox was full. */
  get droppedMessages(): number {
    return this.inbox.dropped;
  }

  /** Opens the transport and runs CONNECT/CONNACK. */
  open(options: MqttConnectOptions): Promise<MqttFailure | undefined> {
    let url: URL;
    try {
      url = new URL(this.url);
    } catch {
      return Promise.resolve({ outcome: 'parsedFailed', error: `invalid url ${this.url}`, status: 0 });
    }
    return this.track(options.connectTimeoutMs, `connect timeout after ${options.connectTimeoutMs} ms`, (done) => {
      const clientOptions: IClientOptions = {
        clientId: options.clientId,
        username: options.username,
        password: options.password,
        keepalive: options.keepaliveSeconds,
        clean: options.clean,
        protocolVersion: options.protocolVersion,
        protocolId: options.protocolVersion === 3 ? 'MQIsdp' : 'MQTT',
        reconnectPeriod: 0,
        connectTimeout: options.connectTimeoutMs + 1000,
        resubscribe: false,
        queueQoSZero: false,
      };
      const client = new MqttClient(() => transport(url, options.tlsVerify, options.targetPolicy, this.bytes, (error) => done(mqttFailure(error))), clientOptions);
      this.client = client;
      client.on('packetreceive', this.onPacket);
      client.on('message', this.onMessage);
      client.on('connect', () => {
        this.connected = true;
        done(undefined);
      });
      client.on('error', (error) => done(mqttFailure(error)));
      client.on('close', this.onClientClose);
    });
  }

  /** Publishes and resolves when the broker acknowledged per QoS (QoS 0: when written). */
  publish(topic: string, payload: Buffer, qos: 0 | 1 | 2, retain: boolean, timeoutMs: number): Promise<MqttFailure | undefined> {
    const client = this.client;
    if (client === undefined || !this.isOpen) return Promise.resolve(notConnected());
    return this.track(timeoutMs, `no acknowledgement within ${timeoutMs} ms`, (done) => {
      client.publish(topic, payload, { qos, retain }, (error) => done(error ? mqttFailure(error) : undefined));
    });
  }

  /** Subscribes to `filter` unless already subscribed on this connection. */
  subscribe(filter: string, qos: 0 | 1 | 2, timeoutMs: number): Promise<MqttFailure | undefined> {
    const client = this.client;
    if (client === undefined || !this.isOpen) return Promise.resolve(notConnected());
    if (this.subscribed.has(filter)) return Promise.resolve(undefined);
    return this.track(timeoutMs, `no SUBACK within ${timeoutMs} ms`, (done) => {
      client.subscribe(filter, { qos }, (error, granted) => {
        if (error) return done(mqttFailure(error));
        const code = granted?.[0]?.qos ?? 128;
        if (code >= 128) return done({ outcome: 'checkPointFailed', error: `subscription refused (${code})`, status: code });
        this.subscribed.add(filter);
        done(undefined);
      });
    });
  }

  /** The oldest received message matching `filter`, or the next to arrive within `timeoutMs`. */
  nextMessage(filter: string, timeoutMs: number): Promise<MqttMessage | MqttFailure> {
    const queued = this.inbox.take((m) => topicMatches(filter, m.topic));
    if (queued !== undefined) return Promise.resolve(queued);
    if (!this.isOpen) return Promise.resolve({ outcome: 'parsedFailed', error: 'connection closed before a message arrived', status: 0 });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve({ outcome: 'timeout', error: `no message within ${timeoutMs} ms`, status: 0 });
      }, timeoutMs);
      this.waiter = { filter, resolve, timer };
    });
  }

  /** Sends DISCONNECT and closes; resolves when the transport closed or after `timeoutMs`. */
  end(timeoutMs: number): Promise<void> {
    const client = this.client;
    if (client === undefined || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.terminate();
        resolve();
      }, timeoutMs);
      client.end(false, {}, () => {
        clearTimeout(timer);
        this.onClientClose();
        resolve();
      });
    });
  }

  /** Closes the transport at once, without DISCONNECT. */
  terminate(): void {
    this.client?.end(true);
    this.onClientClose();
  }

  /**
   * Runs one step that the broker answers: `done` completes it once; the step fails with a timeout
   * after `timeoutMs` (the connection is then cut), or when the connection closes or the run aborts.
   */
  private track(
    timeoutMs: number,
    timeoutMessage: string,
    start: (done: (failure: MqttFailure | undefined) => void) => void,
  ): Promise<MqttFailure | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        done({ outcome: 'timeout', error: timeoutMessage, status: 0 });
        this.terminate();
      }, timeoutMs);
      const done = (failure: MqttFailure | undefined): void => {
        if (this.pending !== done) return;
        this.pending = undefined;
        clearTimeout(timer);
        resolve(failure);
      };
      this.pending = done;
      start(done);
    });
  }

  private readonly onPacket = (packet: Packet): void => {
    if (packet.cmd !== 'publish') this.bytes.received += mqttPacketBytes(packet.length ?? 0);
  };

  private readonly onMessage = (topic: string, payload: Buffer, packet: Packet): void => {
    const message: MqttMessage = { topic, payload, wireBytes: mqttPacketBytes(packet.length ?? 0) };
    const waiter = this.waiter;
    if (waiter !== undefined && topicMatches(waiter.filter, topic)) {
      this.waiter = undefined;
      clearTimeout(waiter.timer);
      waiter.resolve(message);
      return;
    }
    this.inbox.push(message);
  };

  private readonly onClientClose = (): void => {
    if (this.closed) return;
    this.closed = true;
    unwatchAbort(this.signal, this);
    this.pending?.({ outcome: 'parsedFailed', error: 'connection closed before the broker answered', status: 0 });
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      clearTimeout(waiter.timer);
      waiter.resolve({ outcome: 'parsedFailed', error: 'connection closed before a message arrived', status: 0 });
    }
    this.onClosed(this);
  };

  /** Ends the step in progress and closes: the run is stopping. */
  abortNow(): void {
    this.pending?.({ outcome: 'othersFailed', error: 'aborted', status: 0 });
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      clearTimeout(waiter.timer);
      waiter.resolve({ outcome: 'othersFailed', error: 'aborted', status: 0 });
    }
    this.terminate();
  }
}

function notConnected(): MqttFailure {
  return { outcome: 'othersFailed', error: 'not connected', status: 0 };
}
